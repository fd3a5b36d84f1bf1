import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../api/types';
import { installFakeApi, pagedReply } from '../test/fakeApi';
import { renderWithSession } from '../test/renderWithSession';
import { Timeline } from './Timeline';

/** Entry n (1-based) of a long timeline, oldest first as the API pages it. */
function handover(n: number): TimelineEntry {
  const at = new Date(Date.UTC(2030, 5, 3, 14, 0, n)).toISOString();
  return { at, actor: 'mara', actor_name: null, action: 'incident.reassign', data: { reason: `handover ${n}` } };
}

describe('Timeline', () => {
  it('follows X-Next-Cursor and shows every entry of a 150-entry timeline, newest first', async () => {
    const entries = Array.from({ length: 150 }, (_, i) => handover(i + 1));
    const fake = installFakeApi({
      'GET /api/v1/incidents/i1/timeline': pagedReply([entries.slice(0, 100), entries.slice(100)]),
    });
    renderWithSession(<Timeline incidentId="i1" open />);

    const list = await screen.findByRole('list');
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(150);
    expect(items[0]).toHaveTextContent('Handed the incident: “handover 150”');
    expect(items[149]).toHaveTextContent('Handed the incident: “handover 1”');
    const pages = fake.requestsTo('GET /api/v1/incidents/i1/timeline').map((r) => new URL(r.path, 'http://x').searchParams);
    expect(pages.map((q) => q.get('after'))).toEqual([null, 'cursor-1']);
  });

  it('shows a page that fails in words, not a timeline cut short', async () => {
    installFakeApi({
      'GET /api/v1/incidents/i1/timeline': (req) =>
        req.path.includes('after=')
          ? { status: 503, body: { error: { code: 'unavailable', message: 'Postgres is not answering.', details: {} } } }
          : { status: 200, body: [handover(1)], headers: { 'X-Next-Cursor': 'cursor-1' } },
    });
    renderWithSession(<Timeline incidentId="i1" open />);

    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the timeline: Postgres is not answering.');
    expect(screen.queryByText(/handover 1/)).not.toBeInTheDocument();
  });

  it("names step 5's review entries: submit, reject with its reason, approve, approved, withdrawn, send", async () => {
    const at = (n: number) => new Date(Date.UTC(2030, 5, 3, 15, n)).toISOString();
    const kind = { kind: 'breach_notice', communication_id: 'n1', content_hash: 'h' };
    const entries: TimelineEntry[] = [
      { at: at(1), actor: 'mara@example.com', actor_name: null, action: 'communication.submit', data: { ...kind, status: 'in_review', required_approvals: ['legal', 'security'] } },
      { at: at(2), actor: 'lee@example.com', actor_name: null, action: 'communication.reject', data: { ...kind, role: 'legal', reason: 'Say when.' } },
      { at: at(3), actor: 'mara@example.com', actor_name: null, action: 'communication.approvals_withdrawn', data: { ...kind, reason: 'the content or audience changed' } },
      { at: at(4), actor: 'lee@example.com', actor_name: null, action: 'communication.approve', data: { ...kind, role: 'legal', comment: '' } },
      { at: at(5), actor: 'sam@example.com', actor_name: null, action: 'communication.approved', data: { ...kind, roles: ['legal', 'security'] } },
      { at: at(6), actor: 'mara@example.com', actor_name: null, action: 'communication.send', data: kind },
    ];
    installFakeApi({ 'GET /api/v1/incidents/i1/timeline': { status: 200, body: entries } });
    renderWithSession(<Timeline incidentId="i1" open />);
    const items = within(await screen.findByRole('list')).getAllByRole('listitem').map((li) => li.querySelector('.timeline-what')!.textContent);
    expect(items).toEqual([
      'Sent the breach notice',
      'The breach notice is approved by every required role',
      'Approved the breach notice as legal',
      'Approvals of the breach notice withdrawn: the content or audience changed',
      'Rejected the breach notice as legal: “Say when.”',
      'Submitted the breach notice for review by legal and security',
    ]);
  });

  it("names step 6's entries: the watch started, an alert reopened it, a further alert, the window closed clear", async () => {
    const at = (n: number) => new Date(Date.UTC(2030, 5, 4, 10, n)).toISOString();
    const alert = {
      metric: 'complaint_rate',
      value: 0.047,
      baseline: 0.0004,
      threshold: 0.001,
      send_kind: 'campaign',
      send_id: 'c2',
      send_name: 'Summer restock',
      delivered: 255,
    };
    const entries: TimelineEntry[] = [
      { at: at(1), actor: 'system', actor_name: null, action: 'incident.watch_started', data: { start: at(1), end: '2030-06-18T10:00:00Z', baseline: 'Baseline of 7 sends, 1,130 delivered, in the 30 days before the incident.' } },
      { at: at(2), actor: 'system', actor_name: null, action: 'incident.reopened', data: { alert, resolved_at: at(0) } },
      { at: at(3), actor: 'system', actor_name: null, action: 'incident.monitoring_alert', data: { alert: { ...alert, metric: 'unsubscribe_rate', value: 0.03, threshold: 0.01 } } },
      { at: at(4), actor: 'system', actor_name: null, action: 'incident.step_complete', data: { step: 'monitor', reason: 'watch window closed with no alert' } },
      { at: at(5), actor: 'ada@example.com', actor_name: null, action: 'campaign.caution_override', data: { reason: 'Transactional notice, must go out whole' } },
    ];
    installFakeApi({ 'GET /api/v1/incidents/i1/timeline': { status: 200, body: entries } });
    renderWithSession(<Timeline incidentId="i1" open />);
    const items = within(await screen.findByRole('list')).getAllByRole('listitem').map((li) => li.querySelector('.timeline-what')!.textContent);
    expect(items).toEqual([
      "Sent without the watch's canary (admin override): “Transactional notice, must go out whole”",
      'Completed step “Proceed with caution”: watch window closed with no alert',
      'Step 6 alert: unsubscribe rate of campaign “Summer restock” 3.00 % ≥ 1.00 % (baseline 0.04 %, 255 delivered); the send is paused',
      'Reopened by a step 6 alert: complaint rate of campaign “Summer restock” 4.70 % ≥ 0.10 % (baseline 0.04 %, 255 delivered); the send is paused',
      expect.stringMatching(/^Step 6 started: watching the brand's sends until 18 Jun \d\d:00\. Baseline of 7 sends, 1,130 delivered, in the 30 days before the incident\.$/),
    ]);
  });

  it('says who and what in clear sentences: owners by name, task titles, the new title, who was notified', async () => {
    const at = (n: number) => new Date(Date.UTC(2030, 5, 5, 9, n)).toISOString();
    const lee = '9a1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c22';
    const entries: TimelineEntry[] = [
      { at: at(1), actor: 'system', actor_name: null, action: 'incident.escalate', data: { count: 1, unacknowledged_seconds: 300, targets: ['role:marketer', 'oncall@example.com', 'slack'], recipients: 2 } },
      { at: at(2), actor: 'mara@example.com', actor_name: 'Mara Marketer', action: 'incident.acknowledge', data: { owner_id: lee, seconds_to_acknowledge: 330 } },
      { at: at(3), actor: 'mara@example.com', actor_name: 'Mara Marketer', action: 'incident.reclassify', data: { from: 'deliverability-spike', to: 'wrong-segment', severity_from: 'sev2', severity: 'sev2', summary_from: 'Complaints at 0.32 % on Spring sale — paused', summary: 'Sent to the wrong segment: Spring sale — complaints at 0.32 %, paused' } },
      { at: at(4), actor: 'mara@example.com', actor_name: 'Mara Marketer', action: 'incident.task_add', data: { kind: 'internal', title: 'Check the segment filter', owner_id: lee } },
      { at: at(5), actor: 'lee@example.com', actor_name: 'Lee Legal', action: 'incident.task_update', data: { title: 'Check the segment filter', status: 'done' } },
      { at: at(6), actor: 'mara@example.com', actor_name: 'Mara Marketer', action: 'campaign.resume', data: {} },
      { at: at(7), actor: 'mara@example.com', actor_name: 'Mara Marketer', action: 'incident.resolve', data: { reason: 'Handled by phone', summary: 'Refunds left to finance', unfinished_steps: ['plan'] } },
    ];
    installFakeApi({ 'GET /api/v1/incidents/i1/timeline': { status: 200, body: entries } });
    renderWithSession(<Timeline incidentId="i1" open />);
    const list = await screen.findByRole('list', { name: 'Timeline entries' });
    await within(list).findByText(/Lee Legal owns it/);
    const items = within(list).getAllByRole('listitem').map((li) => li.querySelector('.timeline-what')!.textContent);
    expect(items).toEqual([
      'Resolved the incident: “Handled by phone”. Closing summary: “Refunds left to finance”',
      'Resumed the campaign',
      'Completed the task “Check the segment filter”',
      'Added the internal task “Check the segment filter” for Lee Legal',
      'Reclassified from deliverability spike to wrong segment; title now “Sent to the wrong segment: Spring sale — complaints at 0.32 %, paused”',
      'Acknowledged the incident; Lee Legal owns it (5 min after detection)',
      'Escalated: nobody acknowledged within 5 min; notified every marketer, oncall@example.com, the Slack channel',
    ]);
    expect(within(list).getAllByRole('listitem')[6]).toHaveTextContent('Firebreak');
  });
});
