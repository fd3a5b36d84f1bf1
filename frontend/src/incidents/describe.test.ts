import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../api/types';
import { describeEntry } from './describe';

const escalation = (data: Record<string, unknown>): TimelineEntry => ({
  at: '2030-06-05T09:05:00Z',
  actor: 'system',
  actor_name: null,
  action: 'incident.escalate',
  data: { count: 1, unacknowledged_seconds: 300, targets: ['role:security', 'slack'], ...data },
});

describe('an escalation on the timeline', () => {
  it('says who was told and how', () => {
    expect(describeEntry(escalation({ delivery: 'sent by e-mail to sec@example.com and to the Slack channel', emailed: ['sec@example.com'], slack: true }))).toBe(
      'Escalated: nobody acknowledged within 5 min; notified every security, the Slack channel: sent by e-mail to sec@example.com and to the Slack channel',
    );
  });

  it('says that nobody could be told when no channel is configured', () => {
    expect(describeEntry(escalation({ delivery: 'no e-mail or Slack channel configured', no_channel: true }))).toBe(
      'Escalated: nobody acknowledged within 5 min; notified every security, the Slack channel: no e-mail or Slack channel configured',
    );
  });

  it('says why sending failed', () => {
    expect(describeEntry(escalation({ delivery: 'failed: slack: webhook answered 500', notify_error: 'slack: webhook answered 500' }))).toMatch(
      /: failed: slack: webhook answered 500$/,
    );
  });
});

describe('a notification on the timeline', () => {
  it('says what it was about and who was told', () => {
    const e: TimelineEntry = { at: '2030-06-05T09:05:00Z', actor: 'system', actor_name: null, action: 'incident.notify', data: { about: 'step 6 alert', delivery: 'no e-mail or Slack channel configured', no_channel: true } };
    expect(describeEntry(e)).toBe('Step 6 alert notification: no e-mail or Slack channel configured');
  });
});
