import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Communication, CommunicationHistory } from '../api/types';
import { apiError, installFakeApi, mara, type Reply } from '../test/fakeApi';
import { breachNotice, fromNow, incident, legalUser, securityUser } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { legalSession } from '../test/sessions';

const v1 = {
  content_hash: 'hash-1',
  subject: 'Notice of Data Breach',
  html: '<h2>What Happened</h2>\n<p>[EDIT: say what happened]</p>\n<h2>What You Can Do</h2>\n<p>Change your password.</p>',
  text: 'What Happened\n[EDIT: say what happened]\nWhat You Can Do\nChange your password.',
  reply_to: 'help@acme.example',
  scope: 'possibly_received' as const,
  segments: [],
  include_previous: false,
  created_at: '2030-06-03T15:00:00Z',
  created_by: mara.id,
};

function historyWith(decisions: CommunicationHistory['decisions']): CommunicationHistory {
  const c = breachNotice();
  return {
    versions: [v1, { ...v1, content_hash: c.content_hash, html: c.html, text: c.text, created_at: '2030-06-03T16:00:00Z' }],
    decisions,
  };
}

const leeRejected = {
  role: 'legal',
  user_id: legalUser.id,
  decision: 'rejected' as const,
  comment: 'Say what happened, in plain words.',
  at: '2030-06-03T15:30:00Z',
  content_hash: 'hash-1',
  withdrawn_at: '2030-06-03T16:00:00Z',
  withdrawn_reason: 'resubmitted',
};

function reviewPage(c: Communication, history: CommunicationHistory, extra: Record<string, Reply> = {}) {
  const fake = installFakeApi({
    'GET /api/v1/me': legalSession,
    'GET /api/v1/people': { status: 200, body: [mara, legalUser, securityUser] },
    'GET /api/v1/communications/n1': { status: 200, body: c },
    'GET /api/v1/communications/n1/history': { status: 200, body: history },
    'GET /api/v1/communications/n1/preview': {
      status: 200,
      body: { recipient_id: 'r1', subject: c.subject, html: `<html><body>${c.html}</body></html>`, text: c.text },
    },
    'POST /api/v1/communications/n1/preflight': {
      status: 200,
      body: {
        ok: true,
        problems: [{ code: 'plain_language', message: 'Avoid stock phrases that play it down.', count: 1, examples: ['out of an abundance of caution'], severity: 'warning' }],
      },
    },
    'GET /api/v1/incidents/i1': { status: 200, body: incident({ runbook: 'data-breach', summary: 'Order emails showed other customers’ addresses', detected_at: fromNow(-11 * 3600) }) },
    'GET /api/v1/incidents/i1/tasks': { status: 200, body: [] },
    ...extra,
  });
  return { fake, ...renderApp('/reviews/n1') };
}

describe('Review page', () => {
  it('shows the notice, the audience with the suppressed people to tell another way, the preflight, and who is still needed', async () => {
    const c = breachNotice({
      still_needed: ['legal'],
      approvals: [{ role: 'security', user_id: securityUser.id, decision: 'approved', comment: 'Links revoked.', at: '2030-06-03T16:10:00Z', content_hash: 'hash-2' }],
    });
    reviewPage(c, historyWith([]));

    expect(await screen.findByRole('heading', { name: 'Review: Notice of Data Breach' })).toBeInTheDocument();
    expect(await screen.findByText('Order emails showed other customers’ addresses')).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'Legal clocks' })).getByText(/72 h to the regulator/)).toHaveTextContent(
      '72 h to the regulator: 60 h left',
    );

    const audience = screen.getByLabelText('Audience');
    expect(audience).toHaveTextContent('Affected120');
    expect(audience).toHaveTextContent('Suppressed now7');
    expect(audience).toHaveTextContent('Will receive113');
    const told = screen.getByText(/7 affected people are suppressed and must be told another way/);
    expect(within(told).getByRole('link', { name: 'Download CSV' })).toHaveAttribute('href', '/api/v1/communications/n1/suppressed?format=csv');

    expect(await screen.findByText('The check found only warnings: it can be sent.')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Preflight problems' })).toHaveTextContent('out of an abundance of caution');

    const approvals = screen.getByRole('group', { name: 'Approvals' });
    expect(approvals).toHaveTextContent('Approved by Sam Security (security)');
    expect(approvals).toHaveTextContent('“Links revoked.”');
    expect(approvals).toHaveTextContent('Still needed: legal');

    expect(await screen.findByText(/You have not approved or rejected this notice before/)).toBeInTheDocument();
    const preview = await screen.findByRole('group', { name: 'Preview' });
    expect(within(preview).getByLabelText('Text part')).toHaveTextContent('On 3 June our email showed');
  });

  it('shows what changed since the reviewer rejected it: a line diff of the text and HTML, the subject unchanged', async () => {
    reviewPage(breachNotice(), historyWith([leeRejected]));
    const changes = await screen.findByRole('region', { name: 'What changed since you last saw it' });
    expect(await within(changes).findByText(/Since you rejected it/)).toHaveTextContent('“Say what happened, in plain words.”');
    expect(changes).toHaveTextContent('Subject: unchanged');
    const text = within(changes).getByRole('figure', { name: 'Changes to the text part' });
    const lines = Array.from(text.querySelectorAll('[data-op]')).map((l) => `${l.getAttribute('data-op')}: ${l.textContent!.slice(2).trim()}`);
    expect(lines).toEqual([
      'same: What Happened',
      'removed: [EDIT: say what happened]',
      "added: On 3 June our email showed another customer's order.",
      'same: What You Can Do',
      'same: Change your password.',
    ]);
    expect(within(changes).getByRole('figure', { name: 'Changes to the html part' })).toHaveTextContent('− <p>[EDIT: say what happened]</p>');
  });

  it('says nothing changed when the reviewer decided on this very text', async () => {
    reviewPage(breachNotice(), historyWith([{ ...leeRejected, decision: 'approved', comment: '', content_hash: 'hash-2', withdrawn_at: null, withdrawn_reason: '' }]));
    expect(await screen.findByText(/Nothing changed since you approved it/)).toBeInTheDocument();
  });

  it('rejects only with a reason, sending it with the hash the page showed; approves with an optional comment', async () => {
    const c = breachNotice();
    const { user, fake } = reviewPage(c, historyWith([]), {
      'POST /api/v1/communications/n1/reject': () => ({
        status: 200,
        body: { ...c, status: 'draft', approvals: [{ role: 'legal', user_id: legalUser.id, decision: 'rejected', comment: 'Name the date.', at: '2030-06-03T17:00:00Z', content_hash: 'hash-2' }] },
      }),
      'POST /api/v1/communications/n1/approve': { status: 200, body: { ...c, still_needed: ['security'] } },
    });
    const decide = await screen.findByRole('group', { name: 'Your decision' });
    const reject = within(decide).getByRole('button', { name: 'Reject' });
    expect(reject).toBeDisabled();
    await user.type(within(decide).getByLabelText('Reason for rejecting (required)'), '   ');
    expect(reject).toBeDisabled();

    await user.type(within(decide).getByLabelText('Comment (optional)'), 'Reads well.');
    await user.click(within(decide).getByRole('button', { name: 'Approve this text' }));
    await waitFor(() =>
      expect(fake.requestsTo('POST /api/v1/communications/n1/approve').map((r) => r.body)).toEqual([
        { comment: 'Reads well.', content_hash: 'hash-2' },
      ]),
    );
    expect(fake.requestsTo('POST /api/v1/communications/n1/approve')[0]!.headers.get('X-CSRF-Token')).toBe('csrf-from-me');

    await user.clear(within(decide).getByLabelText('Reason for rejecting (required)'));
    await user.type(within(decide).getByLabelText('Reason for rejecting (required)'), 'Name the date.');
    await user.click(within(decide).getByRole('button', { name: 'Reject' }));
    await waitFor(() =>
      expect(fake.requestsTo('POST /api/v1/communications/n1/reject').map((r) => r.body)).toEqual([
        { reason: 'Name the date.', content_hash: 'hash-2' },
      ]),
    );
    expect(await screen.findByRole('alert', { name: 'Rejected' })).toHaveTextContent('Rejected by Lee Legal (you) (legal)');
    expect(screen.queryByRole('group', { name: 'Your decision' })).not.toBeInTheDocument();
  });

  it('on 409 content_changed says the text changed, records nothing and loads the new text', async () => {
    const c = breachNotice();
    const changed = breachNotice({ subject: 'Notice of Data Breach at Acme', content_hash: 'hash-3' });
    const { user, fake } = reviewPage(c, historyWith([]), {
      'POST /api/v1/communications/n1/approve': () => {
        fake.on('GET /api/v1/communications/n1', { status: 200, body: changed });
        return apiError(409, 'content_changed', 'The text changed since you loaded it.');
      },
    });
    const decide = await screen.findByRole('group', { name: 'Your decision' });
    await user.click(within(decide).getByRole('button', { name: 'Approve this text' }));
    expect(await screen.findByRole('heading', { name: 'Review: Notice of Data Breach at Acme' })).toBeInTheDocument();
    expect(await screen.findByText(/The text changed while you were reading it, so nothing was recorded/)).toBeInTheDocument();
    expect(fake.requestsTo('POST /api/v1/communications/n1/approve')[0]!.body).toEqual({ content_hash: 'hash-2' });

    fake.on('POST /api/v1/communications/n1/approve', { status: 200, body: { ...changed, still_needed: ['security'] } });
    await user.click(within(screen.getByRole('group', { name: 'Your decision' })).getByRole('button', { name: 'Approve this text' }));
    await waitFor(() => expect(fake.requestsTo('POST /api/v1/communications/n1/approve')[1]!.body).toEqual({ content_hash: 'hash-3' }));
  });
});
