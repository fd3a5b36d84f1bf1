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

describe('a reclassification on the timeline', () => {
  const reclassify = (data: Record<string, unknown>): TimelineEntry => ({
    at: '2030-06-05T09:05:00Z',
    actor: 'mara@example.com',
    actor_name: 'Mara Marketer',
    action: 'incident.reclassify',
    data: { from: 'triage', to: 'wrong-segment', severity_from: 'sev3', severity: 'sev2', ...data },
  });

  it("says which of the old runbook's tasks it closed as no longer needed", () => {
    expect(
      describeEntry(reclassify({ old_tasks: 'cancel', tasks_cancelled: [{ task_id: 't1', title: 'Find the cause' }, { task_id: 't2', title: 'Holding line' }] })),
    ).toBe(
      "Reclassified from triage to wrong segment; severity sev3 → sev2; closed the triage runbook's 2 open tasks as no longer needed: “Find the cause”, “Holding line”",
    );
  });

  it('says which it kept open, and nothing when there were none', () => {
    expect(describeEntry(reclassify({ old_tasks: 'keep', tasks_kept: [{ task_id: 't1', title: 'Find the cause' }] }))).toBe(
      "Reclassified from triage to wrong segment; severity sev3 → sev2; kept the triage runbook's open task open: “Find the cause”",
    );
    expect(describeEntry(reclassify({ old_tasks: 'keep', tasks_kept: [] }))).toBe('Reclassified from triage to wrong segment; severity sev3 → sev2');
  });
});
