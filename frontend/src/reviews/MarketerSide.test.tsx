import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Communication, Runbook } from '../api/types';
import { installFakeApi, mara, type Reply } from '../test/fakeApi';
import { breachNotice, incident, legalUser, securityUser } from '../test/fixtures';
import { routes, triage } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';

const dataBreach: Runbook = { ...triage, id: 'data-breach', title: 'Personal data exposed', apology: { allowed: true, requires_approval: ['legal', 'security'], kinds: ['apology', 'correction', 'breach_notice'], reason: '' } };

/** Mara on incident i1's step 5 with one breach notice `c`. */
function composerOf(c: Communication, extra: Record<string, Reply> = {}) {
  const fake = installFakeApi({
    'GET /api/v1/me': marketerSession,
    'GET /api/v1/people': { status: 200, body: [mara, legalUser, securityUser] },
    ...routes({
      'GET /api/v1/incidents/i1': { status: 200, body: incident({ runbook: 'data-breach', current_step: 'communicate' }) },
      'GET /api/v1/runbooks/data-breach': { status: 200, body: dataBreach },
      'GET /api/v1/incidents/i1/communications': { status: 200, body: [c] },
    }),
    [`GET /api/v1/communications/${c.id}`]: { status: 200, body: c },
    [`POST /api/v1/communications/${c.id}/preflight`]: { status: 200, body: { ok: true, problems: [] } },
    ...extra,
  });
  return { fake, ...renderApp('/incidents/i1') };
}

const approvedBy = (user: { id: string }, role: string) => ({
  role,
  user_id: user.id,
  decision: 'approved' as const,
  comment: '',
  at: '2030-06-03T16:10:00Z',
  content_hash: 'hash-2',
});

describe("The marketer's side of a review", () => {
  it('offers "Submit for review" instead of Send on a draft that needs approvals, and then says who it waits for', async () => {
    const draft = breachNotice({ status: 'draft' });
    const { user, fake } = composerOf(draft, {
      'POST /api/v1/communications/n1/submit': { status: 200, body: { ...draft, status: 'in_review' } },
    });
    const composer = await screen.findByRole('form', { name: 'Breach notice composer' });
    expect(within(composer).getByRole('region', { name: 'Review' })).toHaveTextContent('Needs approval by legal and security');
    expect(within(composer).queryByRole('button', { name: 'Send…' })).not.toBeInTheDocument();
    await user.click(within(composer).getByRole('button', { name: 'Submit for review' }));
    expect(fake.requestsTo('POST /api/v1/communications/n1/submit')).toHaveLength(1);
    expect(await within(composer).findByText('Waiting for legal and security.')).toBeInTheDocument();
    expect(within(composer).queryByRole('button', { name: 'Submit for review' })).not.toBeInTheDocument();
    expect(within(composer).queryByRole('button', { name: 'Send…' })).not.toBeInTheDocument();
  });

  it('shows who approved so far while in review', async () => {
    composerOf(breachNotice({ still_needed: ['security'], approvals: [approvedBy(legalUser, 'legal')] }));
    const composer = await screen.findByRole('form', { name: 'Breach notice composer' });
    expect(within(composer).getByText('Waiting for security.')).toBeInTheDocument();
    expect(await within(composer).findByRole('group', { name: 'Approvals' })).toHaveTextContent('Approved by Lee Legal (legal)');
  });

  it("shows a rejection's reason prominently on the draft", async () => {
    composerOf(
      breachNotice({
        status: 'draft',
        approvals: [{ ...approvedBy(legalUser, 'legal'), decision: 'rejected', comment: 'Say what happened, in plain words.' }],
      }),
    );
    const composer = await screen.findByRole('form', { name: 'Breach notice composer' });
    const rejected = await within(composer).findByRole('alert', { name: 'Rejected' });
    await waitFor(() => expect(rejected).toHaveTextContent(/Rejected by Lee Legal \(legal\), .*: Say what happened, in plain words\./));
    expect(within(composer).getByRole('button', { name: 'Submit for review' })).toBeEnabled();
  });

  it('offers Send once approved, and asks before saving an edit that withdraws the approvals', async () => {
    const approved = breachNotice({ status: 'approved', still_needed: [], approvals: [approvedBy(legalUser, 'legal'), approvedBy(securityUser, 'security')] });
    const { user, fake } = composerOf(approved, {
      'PATCH /api/v1/communications/n1': (req) => ({ status: 200, body: { ...approved, ...(req.body as object), status: 'draft', approvals: [], still_needed: ['legal', 'security'], content_hash: 'hash-3' } }),
    });
    const composer = await screen.findByRole('form', { name: 'Breach notice composer' });
    expect(within(composer).getByText('Approved: it can be sent.')).toBeInTheDocument();
    expect(within(composer).getByRole('button', { name: 'Send…' })).toBeEnabled();

    const subject = within(composer).getByLabelText('Subject');
    await user.type(subject, ' (updated)');
    expect(within(composer).getByText('Saving this change withdraws every approval and returns it to draft.')).toBeInTheDocument();
    await user.click(within(composer).getByRole('button', { name: 'Save draft' }));
    const dialog = screen.getByRole('dialog', { name: 'Withdraw the approvals?' });
    expect(dialog).toHaveTextContent('legal and security approved the text as it is saved now');
    expect(fake.requestsTo('PATCH /api/v1/communications/n1')).toHaveLength(0);

    await user.click(within(dialog).getByRole('button', { name: 'Save and withdraw' }));
    await waitFor(() => expect(fake.requestsTo('PATCH /api/v1/communications/n1').map((r) => r.body)).toEqual([{ subject: 'Notice of Data Breach (updated)' }]));
    expect(await within(composer).findByRole('button', { name: 'Submit for review' })).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
