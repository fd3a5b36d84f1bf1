import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { draftCampaign } from '../test/fixtures';
import { draftChanges, draftOf, emptyDraft, fieldErrorsOf, toNewCampaign } from './draft';

describe('toNewCampaign', () => {
  it('turns minutes into seconds and leaves out what is not set', () => {
    const d = { ...emptyDraft('b1'), name: 'Sale', subject: 'Hi', html: '<p>x</p>', segments: ['vip'] };
    expect(toNewCampaign(d)).toEqual({
      name: 'Sale',
      brand_id: 'b1',
      subject: 'Hi',
      html: '<p>x</p>',
      text: '',
      segments: ['vip'],
      send_buffer_seconds: 900,
      canary_percent: 0,
    });
    expect(toNewCampaign({ ...d, send_buffer_minutes: '0', canary_percent: '10', canary_hold_minutes: '30', asm_group_id: '42' })).toMatchObject({
      send_buffer_seconds: 0,
      canary_percent: 10,
      canary_hold_seconds: 1800,
      asm_group_id: 42,
    });
  });

  it('names the settings that are not numbers', () => {
    expect(toNewCampaign({ ...emptyDraft(), send_buffer_minutes: '', canary_percent: '120', asm_group_id: '1.5' })).toEqual({
      errors: {
        send_buffer_seconds: 'Enter the minutes (0 sends at once).',
        canary_percent: 'Enter a percentage from 0 to 100 (0 for no canary).',
        asm_group_id: 'Enter the group’s number, or leave it empty.',
      },
    });
  });
});

describe('draftChanges', () => {
  it('sends only what differs from the campaign as saved', () => {
    const saved = draftCampaign();
    expect(draftChanges(saved, draftOf(saved))).toEqual({ patch: {}, errors: {} });
    const d = { ...draftOf(saved), subject: 'New', segments: ['vip', 'spring-sale'], send_buffer_minutes: '20', asm_group_id: '7' };
    expect(draftChanges(saved, d)).toEqual({ patch: { subject: 'New', send_buffer_seconds: 1200, asm_group_id: 7 }, errors: {} });
    expect(draftChanges(draftCampaign({ asm_group_id: 7 }), { ...draftOf(saved), asm_group_id: '' }).patch).toEqual({ asm_group_id: 0 });
  });
});

describe('fieldErrorsOf', () => {
  it('reads details.fields of validation_failed and not_draft_field', () => {
    expect(fieldErrorsOf(new ApiError(422, 'validation_failed', 'x', { fields: { name: 'is required' } }))).toEqual({ name: 'is required' });
    expect(fieldErrorsOf(new ApiError(422, 'not_draft_field', 'x', { fields: ['segments'] }))).toEqual({ segments: 'can only change on a draft' });
    expect(fieldErrorsOf(new ApiError(409, 'campaign_sending', 'x'))).toEqual({});
  });
});
