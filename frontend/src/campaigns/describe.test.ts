import { describe, expect, it } from 'vitest';
import type { CampaignProblem } from '../api/types';
import { campaignProblemPlaces, describeCanary, describeSendBuffer } from './describe';

describe('describeSendBuffer', () => {
  it.each([
    [900, 'SendGrid gets each message 15 min before it goes: a pause within the first 5 min still holds it there.'],
    [3600, 'SendGrid gets each message 1 h before it goes: a pause within the first 50 min still holds it there.'],
    [0, 'Sent at once: a pause cannot hold anything at SendGrid.'],
    [600, 'SendGrid gets each message 10 min before it goes: too short for a pause to hold it there (SendGrid needs a pause 10 min before a message goes).'],
    [300, 'SendGrid gets each message 5 min before it goes: too short for a pause to hold it there (SendGrid needs a pause 10 min before a message goes).'],
  ])('%i s: %s', (seconds, words) => {
    expect(describeSendBuffer(seconds)).toBe(words);
  });
});

describe('describeCanary', () => {
  it('says there is none at 0 %', () => {
    expect(describeCanary(0, 3600, 2340)).toBe('No canary: the whole audience is handed over in one go.');
  });

  it('says how many go first and how long the rest waits', () => {
    expect(describeCanary(10, 3600, 2340)).toBe(
      '10 % of the audience (about 234 recipients) goes first; the rest waits until the canary\'s messages have gone out and 1 h more, and goes only if the campaign has not been paused by then.',
    );
    expect(describeCanary(5, 1800)).toMatch(/^5 % of the audience goes first; .* and 30 min more/);
  });

  it('warns when there is no hold', () => {
    expect(describeCanary(10, 0, 100)).toMatch(/as soon as the canary's messages have gone out, with no time to look at them: set a hold\.$/);
  });
});

describe('campaignProblemPlaces', () => {
  const content = { subject: 'Hi {{first_name}}', html: '<p>Hi {{first_name}}, {{city}}</p><p>{{bad</p>', text: 'Hi there' };
  const p = (code: CampaignProblem['code'], message = '', examples: string[] = []) => ({ code, message, examples });

  it('puts each problem next to what it is about', () => {
    expect(campaignProblemPlaces(p('empty_subject'), content)).toEqual(['subject']);
    expect(campaignProblemPlaces(p('missing_reply_to'), content)).toEqual(['brand']);
    expect(campaignProblemPlaces(p('noreply_reply_to'), content)).toEqual(['brand']);
    expect(campaignProblemPlaces(p('empty_audience'), content)).toEqual(['segments']);
  });

  it('puts a merge tag problem next to every editor that has the tag', () => {
    const firstName = p('unresolved_merge_tag', '{{first_name}} is empty for 3 recipients and has no fallback (write it as {{first_name|fallback}}).', ['a@example.com']);
    expect(campaignProblemPlaces(firstName, content)).toEqual(['subject', 'html']);
    const city = p('unresolved_merge_tag', '{{city}} is empty for 1 recipients and has no fallback.', ['b@example.com']);
    expect(campaignProblemPlaces(city, content)).toEqual(['html']);
    expect(campaignProblemPlaces(p('invalid_merge_tag', 'Merge tag {{bad is not closed.', ['{{bad']), content)).toEqual(['html']);
  });

  it('falls back to the HTML body when no editor has the tag any more', () => {
    expect(campaignProblemPlaces(p('unresolved_merge_tag', '{{last_name}} is empty for 2 recipients.'), content)).toEqual(['html']);
  });
});
