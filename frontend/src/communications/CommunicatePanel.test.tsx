import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Communication, CommunicationProblem, Runbook } from '../api/types';
import { apiError, installFakeApi, type Reply } from '../test/fakeApi';
import { communication, incident } from '../test/fixtures';
import { routes, triage } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

const wrongSegment: Runbook = { ...triage, id: 'wrong-segment', title: 'Sent to the wrong segment', apology: { allowed: true, requires_approval: [], kinds: ['apology', 'correction'], reason: '' } };
const staleList: Runbook = {
  ...triage,
  id: 'stale-suppression-list',
  title: 'Stale suppression list',
  apology: {
    allowed: false,
    requires_approval: [],
    kinds: [],
    reason: 'No apology for this incident: the list was stale, so it mailed people who had opted out or were known bad. Mailing that list again, even to say sorry, only adds complaints.',
  },
};

/** Incident i1 on step 5 under `runbook`, with `comms` as its communications. */
function page(runbook: Runbook, comms: Communication[], extra: Record<string, Reply> = {}, session: Reply = marketerSession) {
  const inc = incident({ runbook: runbook.id, current_step: 'communicate' });
  const table: Record<string, Reply> = {
    'GET /api/v1/me': session,
    ...routes({
      'GET /api/v1/incidents/i1': { status: 200, body: inc },
      [`GET /api/v1/runbooks/${runbook.id}`]: { status: 200, body: runbook },
      'GET /api/v1/incidents/i1/communications': { status: 200, body: comms },
    }),
    ...Object.fromEntries(comms.map((c) => [`GET /api/v1/communications/${c.id}`, { status: 200, body: c }])),
    ...extra,
  };
  const fake = installFakeApi(table);
  const view = renderApp('/incidents/i1');
  return { fake, ...view };
}

async function stepFive() {
  return screen.findByRole('region', { name: '5 · Communicate' });
}

function problem(code: CommunicationProblem['code'], message: string, more: Partial<CommunicationProblem> = {}): CommunicationProblem {
  return { code, message, count: 1, examples: [], severity: 'blocking', ...more };
}

describe('Step 5: communicate', () => {
  it('says in words why a stale-list incident gets no apology, and offers no compose button', async () => {
    page(staleList, []);
    const region = await stepFive();
    expect(await within(region).findByRole('note')).toHaveTextContent(
      /No apology for this incident: the list was stale.*only adds complaints/,
    );
    expect(within(region).queryByRole('button', { name: /^New / })).not.toBeInTheDocument();
    expect(within(region).getByText('No communication yet.')).toBeInTheDocument();
  });

  it("shows the API's apology_not_allowed message when a draft is refused", async () => {
    const { user, fake } = page(wrongSegment, [], {
      'POST /api/v1/incidents/i1/communications': apiError(
        409,
        'apology_not_allowed',
        'This incident mailed people who had opted out: mailing that list again only adds complaints.',
      ),
    });
    const region = await stepFive();
    await user.click(await within(region).findByRole('button', { name: 'New apology' }));
    expect(fake.requestsTo('POST /api/v1/incidents/i1/communications')[0]?.body).toEqual({ kind: 'apology' });
    expect(await within(region).findByRole('alert')).toHaveTextContent(
      'No draft was made: This incident mailed people who had opted out: mailing that list again only adds complaints.',
    );
  });

  it('drafts from the runbook template and opens the composer with the audience numbers', async () => {
    const { user, fake } = page(wrongSegment, []);
    const drafted = communication();
    fake.on('POST /api/v1/incidents/i1/communications', () => {
      fake.on('GET /api/v1/incidents/i1/communications', { status: 200, body: [drafted] });
      fake.on('GET /api/v1/communications/m1', { status: 200, body: drafted });
      return { status: 201, body: drafted };
    });
    const region = await stepFive();
    expect(await within(region).findByRole('group', { name: 'New communication' })).toHaveTextContent('New apologyNew correction');
    await user.click(within(region).getByRole('button', { name: 'New apology' }));

    const table = await within(region).findByRole('table', { name: 'Communications' });
    expect(within(table).getAllByRole('row')[1]).toHaveTextContent(
      'ApologyWe are sorry: our mistake in the Spring sale emailDraft42 will receive',
    );
    const composer = await within(region).findByRole('form', { name: 'Apology composer' });
    expect(within(composer).getByLabelText('Subject')).toHaveValue('We are sorry: our mistake in the Spring sale email');
    // CodeMirror lives in a shadow root (its styles need one under the CSP): read its textbox there.
    await waitFor(() => expect(editor(composer, 'HTML body')).toHaveTextContent('We are sorry: we sent you'));
    expect(editor(composer, 'Text body')).toHaveTextContent('Dear {{first_name|customer}}, we are sorry');
    expect(audience(composer)).toEqual({ Affected: '50', 'Suppressed now': '3', 'Already received': '5', 'Will receive': '42' });
  });

  it('saves only what changed, shows the audience counted again and the preflight problems next to their fields', async () => {
    const draft = communication();
    const { user, fake } = page(wrongSegment, [draft]);
    const saved = communication({
      subject: 'Hello',
      scope: 'delivered',
      content_hash: 'hash-2',
      audience: { affected: 30, suppressed: 2, already_received: 0, will_receive: 28 },
    });
    fake.on('PATCH /api/v1/communications/m1', { status: 200, body: saved });
    fake.on('POST /api/v1/communications/m1/preflight', {
      status: 200,
      body: {
        ok: false,
        problems: [
          problem('unclear_subject', 'The subject does not say what this is about.', { examples: ['Hello'] }),
          problem('humour', 'Leave jokes out of an apology.', { examples: ['Oops'] }),
          problem('unresolved_merge_tag', 'Some recipients have no value for a merge tag.', { count: 7, examples: ['a@example.com'] }),
          problem('no_reply_address', 'Replies must reach a person.', { examples: ['noreply@acme.example'] }),
          problem('not_branded', 'The brand has no logo.', { severity: 'warning' }),
        ],
      },
    });
    const composer = await screen.findByRole('form', { name: 'Apology composer' });
    const subject = within(composer).getByLabelText('Subject');
    await user.clear(subject);
    await user.type(subject, 'Hello');
    await user.click(within(composer).getByRole('radio', { name: /^Delivered/ }));
    await user.click(within(composer).getByRole('button', { name: 'Save draft' }));

    expect(fake.requestsTo('PATCH /api/v1/communications/m1')[0]?.body).toEqual({ subject: 'Hello', scope: 'delivered' });
    await waitFor(() => expect(audience(composer)['Will receive']).toBe('28'));
    expect(audience(composer)).toEqual({ Affected: '30', 'Suppressed now': '2', 'Already received': '0', 'Will receive': '28' });

    const subjectProblems = await within(composer).findByRole('list', { name: 'Problems with the subject' });
    expect(subjectProblems).toHaveTextContent('Blocks sending The subject does not say what this is about.');
    expect(subjectProblems).toHaveTextContent('Found: Hello');
    expect(subject).toHaveAttribute('aria-invalid', 'true');
    expect(subject).toHaveAccessibleDescription(/does not say what this is about/);

    const body = within(composer).getByRole('list', { name: 'Problems with the body' });
    expect(within(body).getAllByRole('listitem').map((li) => li.dataset.code)).toEqual(['humour', 'unresolved_merge_tag']);
    expect(body).toHaveTextContent('Touches 7 recipients');
    expect(body).toHaveTextContent('For example: a@example.com');

    expect(within(composer).getByRole('list', { name: 'Problems with the reply-to' })).toHaveTextContent('Replies must reach a person.');
    expect(within(composer).getByLabelText('Reply-to')).toHaveAttribute('aria-invalid', 'true');
    expect(within(composer).getByRole('list', { name: 'Brand warnings' })).toHaveTextContent('Warning The brand has no logo.');
    expect(composer).toHaveTextContent('The check found 4 problems that block sending.');
  });

  it('asks "Send to N people?" before sending, then follows the progress', async () => {
    const draft = communication();
    const sending = communication({
      status: 'sending',
      sent_at: '2030-06-03T15:10:00Z',
      counts: { ...draft.counts, audience: 42, handed_to_esp: 40, delivered: 30, bounced: 2, complained: 1, skipped_suppressed: 1 },
    });
    const { user, fake } = page(wrongSegment, [draft]);
    fake.on('POST /api/v1/communications/m1/send', () => {
      fake.on('GET /api/v1/communications/m1', { status: 200, body: sending });
      return { status: 202, body: { status: 'sending', audience: 42, communication: sending } };
    });
    const composer = await screen.findByRole('form', { name: 'Apology composer' });
    await user.click(within(composer).getByRole('button', { name: 'Send…' }));
    const dialog = screen.getByRole('dialog', { name: 'Send to 42 people?' });
    expect(fake.requestsTo('POST /api/v1/communications/m1/send')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Send now' }));

    expect(fake.requestsTo('POST /api/v1/communications/m1/send')).toHaveLength(1);
    const progress = await screen.findByRole('group', { name: 'Send progress' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(progress).toHaveTextContent('40 of 42 handed over');
    expect(within(progress).getByRole('progressbar', { name: 'Handed over' })).toHaveAttribute('value', '41');
    expect(audience(progress, 'Progress')).toEqual({
      Audience: '42',
      'Handed over': '40',
      Delivered: '30 75.00 %',
      Bounced: '2 5.00 %',
      Complained: '1 3.33 %',
      Unsubscribed: '0 0.00 %',
      'Skipped as suppressed': '1',
    });
    expect(within(progress).getByRole('button', { name: 'Pause' })).toBeEnabled();
    expect(within(progress).queryByRole('button', { name: 'Resume' })).not.toBeInTheDocument();
  });

  it('shows the problems a send was refused for (422 preflight_failed) by their field, and says when approvals are needed', async () => {
    const { user, fake } = page(wrongSegment, [communication()], {
      'POST /api/v1/communications/m1/send': apiError(422, 'preflight_failed', 'The preflight found problems that block sending.', {
        preflight: { ok: false, problems: [problem('no_apology', 'Say sorry in the first paragraph.')] },
      }),
    });
    const composer = await screen.findByRole('form', { name: 'Apology composer' });
    await user.click(within(composer).getByRole('button', { name: 'Send…' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Send now' }));
    expect(await within(composer).findByRole('list', { name: 'Problems with the body' })).toHaveTextContent(
      'Say sorry in the first paragraph.',
    );
    expect(within(composer).getByRole('alert')).toHaveTextContent('Not sent: The preflight found problems that block sending.');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    fake.on(
      'POST /api/v1/communications/m1/send',
      apiError(409, 'approval_required', 'This communication needs approval by every required role before it can be sent.'),
    );
    await user.click(within(composer).getByRole('button', { name: 'Send…' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Send now' }));
    expect(await within(composer).findByRole('alert')).toHaveTextContent(
      /needs approval by every required role.*It needs every required approval for the text as it is now: submit it for review/,
    );
  });

  it('pauses, resumes and, after confirming, cancels a sending communication', async () => {
    const base = communication({ status: 'sending', counts: { ...communication().counts, audience: 42, handed_to_esp: 10 } });
    const { user, fake } = page(wrongSegment, [base]);
    const paused = { ...base, status: 'paused' as const, esp_state: 'paused' as const };
    const cancelled = { ...base, status: 'cancelled' as const };
    fake.on('POST /api/v1/communications/m1/pause', () => {
      fake.on('GET /api/v1/communications/m1', { status: 200, body: paused });
      return { status: 200, body: paused };
    });
    fake.on('POST /api/v1/communications/m1/cancel', () => {
      fake.on('GET /api/v1/communications/m1', { status: 200, body: cancelled });
      return { status: 200, body: cancelled };
    });
    const progress = await screen.findByRole('group', { name: 'Send progress' });
    await user.click(within(progress).getByRole('button', { name: 'Pause' }));
    expect(await within(progress).findByRole('button', { name: 'Resume' })).toBeEnabled();
    expect(progress).toHaveTextContent('Paused in Firebreak and at SendGrid');

    await user.click(within(progress).getByRole('button', { name: 'Cancel sending' }));
    const dialog = screen.getByRole('dialog', { name: 'Cancel this communication?' });
    expect(dialog).toHaveTextContent('32 not yet handed over are dropped');
    expect(fake.requestsTo('POST /api/v1/communications/m1/cancel')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel it for good' }));
    expect(fake.requestsTo('POST /api/v1/communications/m1/cancel')).toHaveLength(1);
    expect(await within(progress).findByText(/Cancelled: nobody else gets it/)).toBeInTheDocument();
    expect(within(progress).queryByRole('button')).not.toBeInTheDocument();
  });

  it('includes those who got an earlier apology only when the author ticks it', async () => {
    const draft = communication({ audience: { affected: 30, suppressed: 0, already_received: 30, will_receive: 0 } });
    const { user, fake } = page(wrongSegment, [draft]);
    const saved = communication({
      include_previous: true,
      content_hash: 'hash-3',
      audience: { affected: 30, suppressed: 0, already_received: 0, will_receive: 30 },
    });
    fake.on('PATCH /api/v1/communications/m1', { status: 200, body: saved });
    fake.on('POST /api/v1/communications/m1/preflight', { status: 200, body: { ok: true, problems: [] } });
    const composer = await screen.findByRole('form', { name: 'Apology composer' });
    const again = within(composer).getByRole('checkbox', { name: /Also send it to those who already got an earlier apology/ });
    expect(again).not.toBeChecked();
    await user.click(again);
    await user.click(within(composer).getByRole('button', { name: 'Save draft' }));
    expect(fake.requestsTo('PATCH /api/v1/communications/m1')[0]?.body).toEqual({ include_previous: true });
    await waitFor(() => expect(audience(composer)['Will receive']).toBe('30'));
  });

  it('says why Firebreak halted an apology by itself, and lets a marketer resume it', async () => {
    const halted = communication({
      status: 'paused',
      esp_state: 'paused',
      halted_at: '2030-06-03T15:10:00Z',
      halt_reason: 'Spam complaints reached 0.50 % of delivered (the limit is 0.30 %).',
      counts: { ...communication().counts, audience: 2500, handed_to_esp: 2000, delivered: 1000, complained: 5 },
    });
    page(wrongSegment, [halted]);
    const progress = await screen.findByRole('group', { name: 'Send progress' });
    expect(progress).toHaveTextContent('Halted by Firebreak: Spam complaints reached 0.50 % of delivered (the limit is 0.30 %).');
    expect(within(progress).getByRole('button', { name: 'Resume' })).toBeEnabled();
  });

  it('lets legal read a draft but not edit, draft or send it', async () => {
    page(wrongSegment, [communication()], {}, legalSession);
    const region = await stepFive();
    const composer = await within(region).findByRole('form', { name: 'Apology composer' });
    expect(within(composer).getByLabelText('Subject')).toHaveAttribute('readonly');
    expect(within(region).queryByRole('button', { name: /^New / })).not.toBeInTheDocument();
    expect(within(composer).queryByRole('button', { name: /Save|Send/ })).not.toBeInTheDocument();
    expect(within(composer).getByRole('button', { name: 'Check' })).toBeEnabled();
  });

  it('previews what a recipient gets: subject, the HTML in a sandboxed frame, and the text part', async () => {
    const { user } = page(wrongSegment, [communication()], {
      'GET /api/v1/communications/m1/preview': {
        status: 200,
        body: {
          recipient_id: 'r1',
          subject: 'We are sorry, Pat',
          html: '<html><head><style>p{color:red}</style></head><body><p style="font-weight:bold" onclick="x()">Dear Pat</p><script>parent.hacked=1</script></body></html>',
          text: 'Dear Pat, we are sorry.',
        },
      },
    });
    const composer = await screen.findByRole('form', { name: 'Apology composer' });
    await user.click(within(composer).getByRole('button', { name: 'Preview' }));
    const preview = await within(composer).findByRole('group', { name: 'Preview' });
    expect(preview).toHaveTextContent('Subject: We are sorry, Pat');
    expect(within(preview).getByLabelText('Text part')).toHaveTextContent('Dear Pat, we are sorry.');
    const frame = within(preview).getByTitle('Email preview at desktop width') as HTMLIFrameElement;
    expect(frame).toHaveAttribute('sandbox', 'allow-same-origin');
    const p = frame.contentDocument!.querySelector('p')!;
    expect(p).toHaveTextContent('Dear Pat');
    expect(p.style.fontWeight).toBe('bold');
    expect(p).not.toHaveAttribute('onclick');
    expect(frame.contentDocument!.querySelector('script')).toBeNull();

    await user.click(within(preview).getByRole('button', { name: 'Phone' }));
    expect(within(preview).getByTitle('Email preview at phone width')).toHaveClass('email-frame--phone');
    expect(within(preview).getByRole('button', { name: 'Phone' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('previews it as the affected recipient the author picks (never one held at SendGrid)', async () => {
    const at = '2030-06-03T15:00:00Z';
    const { user, fake } = page(wrongSegment, [communication()], {
      'GET /api/v1/incidents/i1/affected': {
        status: 200,
        body: {
          next: null,
          recipients: [
            { recipient_id: 'r1', email: 'pat@example.com', segments: ['vip'], state: 'delivered', handed_at: at, send_at: at },
            { recipient_id: 'r2', email: 'noname@example.com', segments: ['vip'], state: 'possibly_received', handed_at: at, send_at: at },
            { recipient_id: 'r3', email: 'held@example.com', segments: ['vip'], state: 'held', handed_at: at, send_at: at },
          ],
        },
      },
      'GET /api/v1/communications/m1/preview': (req) => {
        const other = req.path.includes('recipient_id=r2');
        return {
          status: 200,
          body: { recipient_id: other ? 'r2' : 'r1', subject: other ? 'We are sorry, friend' : 'We are sorry, Pat', html: '<p>x</p>', text: 'x' },
        };
      },
    });
    const composer = await screen.findByRole('form', { name: 'Apology composer' });
    await user.click(within(composer).getByRole('button', { name: 'Preview' }));
    const preview = await within(composer).findByRole('group', { name: 'Preview' });
    expect(preview).toHaveTextContent('Subject: We are sorry, Pat');
    const pick = await within(preview).findByRole('combobox', { name: 'Show it as' });
    expect(within(pick).queryByRole('option', { name: 'held@example.com' })).toBeNull();
    await user.selectOptions(pick, 'noname@example.com');
    expect(await within(composer).findByText('We are sorry, friend')).toBeInTheDocument();
    expect(fake.requestsTo('GET /api/v1/communications/m1/preview').map((r) => r.path)).toContain(
      '/api/v1/communications/m1/preview?recipient_id=r2',
    );
  });
});

/** A <dl>'s numbers by their labels. */
function audience(container: HTMLElement, name = 'Audience'): Record<string, string> {
  const dl = container.querySelector(`dl[aria-label="${name}"]`)!;
  const out: Record<string, string> = {};
  dl.querySelectorAll('div').forEach((d) => {
    out[d.querySelector('dt')!.textContent!] = d.querySelector('dd')!.textContent!;
  });
  return out;
}

/** The CodeMirror textbox named `name`, inside its host's shadow root. */
function editor(container: HTMLElement, name: string): HTMLElement | null {
  for (const host of Array.from(container.querySelectorAll('.code-editor'))) {
    const box = host.shadowRoot?.querySelector<HTMLElement>(`[role="textbox"][aria-label="${name}"]`);
    if (box) return box;
  }
  return null;
}
