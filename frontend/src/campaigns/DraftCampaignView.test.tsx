import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { CampaignPreflight, CampaignPreview, CampaignProblem } from '../api/types';
import { editor, setEditorText } from '../test/codeEditor';
import { apiError, installFakeApi, type RecordedRequest, type Reply } from '../test/fakeApi';
import { brand, campaign, draftCampaign, emptyEventSeries } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

const draft = draftCampaign({
  subject: 'Hi {{first_name}}: 20% off tents',
  html: '<p>Hi {{first_name}},</p><p>20% off tents.</p>',
  text: 'Hi there, 20% off tents.',
  updated_at: '2030-06-03T14:00:00Z',
});

const problem = (code: CampaignProblem['code'], message: string, more: Partial<CampaignProblem> = {}): CampaignProblem => ({
  code,
  message,
  count: 1,
  examples: [],
  ...more,
});

const failing: CampaignPreflight = {
  ok: false,
  audience: 2340,
  problems: [
    problem('unresolved_merge_tag', '{{first_name}} is empty for 3 recipients and has no fallback (write it as {{first_name|fallback}}).', {
      count: 3,
      examples: ['ann@example.com', 'bob@example.com'],
    }),
    problem('noreply_reply_to', 'Brand "Acme Outdoor" replies go to noreply@acme.example, a no-reply address.', { examples: ['noreply@acme.example'] }),
    problem('empty_audience', 'No recipient is in the campaign\'s segments (after removing suppressed addresses).', { count: 0 }),
  ],
};
const passing: CampaignPreflight = { ok: true, audience: 2340, problems: [] };

/** GET …/preview for whoever is asked (the first by address without recipient_id). */
function preview(req: RecordedRequest): Reply {
  const id = new URL(req.path, 'http://localhost').searchParams.get('recipient_id') ?? 'r1';
  const who = { r1: 'ann@example.com', r2: 'bob@example.com', r3: 'cy@example.com' }[id] ?? 'nobody';
  const body: CampaignPreview = {
    recipient_id: id,
    email: who,
    subject: id === 'r2' ? 'Hi Bob: 20% off tents' : 'Hi Ann: 20% off tents',
    html: `<p>Hi ${id === 'r2' ? 'Bob' : 'Ann'},</p>`,
    text: `Hi ${id === 'r2' ? 'Bob' : 'Ann'}, 20% off tents.`,
    recipients: [
      { recipient_id: 'r1', email: 'ann@example.com' },
      { recipient_id: 'r2', email: 'bob@example.com' },
      { recipient_id: 'r3', email: 'cy@example.com' },
    ],
  };
  return { status: 200, body };
}

function page(check: CampaignPreflight, extra: Record<string, Reply> = {}, session: Reply = marketerSession) {
  const fake = installFakeApi({
    'GET /api/v1/me': session,
    'GET /api/v1/campaigns/c1': { status: 200, body: draft },
    'GET /api/v1/brands': { status: 200, body: [brand()] },
    'GET /api/v1/segments': { status: 200, body: [{ name: 'spring-sale', members: 2000 }, { name: 'vip', members: 400 }] },
    'GET /api/v1/audience': { status: 200, body: { segments: [], members: 2352, suppressed: 12, audience: 2340 } },
    'POST /api/v1/campaigns/c1/preflight': { status: 200, body: check },
    'GET /api/v1/campaigns/c1/preview': preview,
    ...extra,
  });
  return { fake, ...renderApp('/campaigns/c1') };
}

describe('A draft campaign', () => {
  it('shows each preflight problem next to what it is about, and Send stays off while the check fails', async () => {
    page(failing);
    const form = await screen.findByRole('form', { name: 'Campaign draft' });

    // The merge tag: under the subject and the HTML body, which both have it, with the recipients it touches.
    const subjectProblems = await within(form).findByRole('list', { name: 'Problems with the subject' });
    expect(subjectProblems).toHaveTextContent('Blocks sending {{first_name}} is empty for 3 recipients');
    expect(within(form).getByLabelText('Subject')).toHaveAccessibleDescription(/\{\{first_name\}\} is empty for 3 recipients/);
    const htmlProblems = within(form).getByRole('list', { name: 'Problems with the HTML body' });
    expect(htmlProblems).toHaveTextContent('Touches 3 recipients');
    expect(htmlProblems).toHaveTextContent('For example: ann@example.combob@example.com');
    await waitFor(() => expect(editor(form, 'HTML body')).toHaveAttribute('aria-invalid', 'true'));
    expect(within(form).queryByRole('list', { name: 'Problems with the text body' })).not.toBeInTheDocument();
    // The reply-to is the brand's; an empty audience is about the segments.
    expect(within(form).getByRole('list', { name: 'Problems with the brand' })).toHaveTextContent('noreply@acme.example, a no-reply address');
    expect(within(form).getByLabelText('Brand')).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).getByRole('list', { name: 'Problems with the audience' })).toHaveTextContent('No recipient is in the campaign');

    expect(within(form).getByText('The check found 3 problems that block sending.')).toBeInTheDocument();
    expect(within(form).getByRole('button', { name: 'Send…' })).toBeDisabled();
    expect(within(form).getByText(/Send stays off until the check passes/)).toBeInTheDocument();
  });

  it('saves only what changed, checks again, and sends after a confirmation that states the audience size', async () => {
    const saved = { ...draft, subject: 'Hi {{first_name|Friend}}: 20% off tents', html: '<p>Hi {{first_name|Friend}},</p>', updated_at: '2030-06-03T14:05:00Z' };
    const { user, fake } = page(failing, {
      'PATCH /api/v1/campaigns/c1': (req) => {
        fake.on('POST /api/v1/campaigns/c1/preflight', { status: 200, body: passing });
        fake.on('GET /api/v1/campaigns/c1', { status: 200, body: saved });
        return { status: 200, body: { ...saved, subject: (req.body as { subject: string }).subject } };
      },
      'POST /api/v1/campaigns/c1/send': () => {
        fake.on('GET /api/v1/campaigns/c1', { status: 200, body: campaign({ status: 'sending' }) });
        return { status: 202, body: { id: 'c1', status: 'sending', audience: 2340, batch_id: 'batch-1' } };
      },
    });
    const form = await screen.findByRole('form', { name: 'Campaign draft' });
    await within(form).findByRole('list', { name: 'Problems with the subject' });
    const subject = within(form).getByLabelText('Subject');
    await user.clear(subject);
    await user.type(subject, 'Hi {{{{first_name|Friend}}: 20% off tents');
    await setEditorText(form, 'HTML body', '<p>Hi {{first_name|Friend}},</p>');
    expect(within(form).getByRole('button', { name: 'Send…' })).toBeDisabled();
    expect(within(form).getByText('Save your changes before sending.')).toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Save draft' }));

    expect(fake.requestsTo('PATCH /api/v1/campaigns/c1')[0]?.body).toEqual({
      subject: 'Hi {{first_name|Friend}}: 20% off tents',
      html: '<p>Hi {{first_name|Friend}},</p>',
    });
    expect(await within(form).findByText('The check found no problems: it can be sent to 2,340 recipients.')).toBeInTheDocument();
    expect(within(form).queryByRole('list', { name: 'Problems with the subject' })).not.toBeInTheDocument();
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/preflight')).toHaveLength(2);

    await user.click(within(form).getByRole('button', { name: 'Send…' }));
    const dialog = screen.getByRole('dialog', { name: 'Send to 2,340 recipients?' });
    expect(dialog).toHaveTextContent('goes to 2,340 recipients in spring-sale, vip');
    expect(dialog).toHaveTextContent('a pause within the first 5 min still holds it there');
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/send')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Send now' }));
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/send')).toHaveLength(1);
    // Sending: the campaign's page now watches it (counters, Pause).
    expect(await screen.findByRole('button', { name: 'Pause' })).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Campaign draft' })).not.toBeInTheDocument();
  });

  it('shows the problems a send is refused with', async () => {
    const { user } = page(passing, {
      'POST /api/v1/campaigns/c1/send': apiError(422, 'preflight_failed', 'The campaign failed its preflight.', {
        preflight: { ok: false, audience: 2340, problems: [problem('empty_subject', 'The subject is empty.')] },
      }),
    });
    const form = await screen.findByRole('form', { name: 'Campaign draft' });
    await user.click(await within(form).findByRole('button', { name: 'Send…' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Send now' }));
    expect(await within(form).findByRole('list', { name: 'Problems with the subject' })).toHaveTextContent('The subject is empty.');
    expect(within(form).getByRole('alert')).toHaveTextContent('Not sent: The campaign failed its preflight.');
    expect(within(form).getByRole('button', { name: 'Send…' })).toBeDisabled();
  });

  it('previews it as a chosen recipient at desktop and phone width, and sends a test as that recipient', async () => {
    const { user, fake } = page(passing, {
      'POST /api/v1/campaigns/c1/test': { status: 202, body: { to: 'mara@example.com', recipient_id: 'r2', message_id: 'm-1' } },
    });
    const region = await screen.findByRole('region', { name: 'Preview' });
    const pane = await within(region).findByRole('group', { name: 'Preview' });
    expect(pane).toHaveTextContent('Subject: Hi Ann: 20% off tents');
    expect(pane).toHaveTextContent('Exactly what ann@example.com would receive');
    expect(fake.requestsTo('GET /api/v1/campaigns/c1/preview')[0]?.path).toBe('/api/v1/campaigns/c1/preview');

    await user.selectOptions(within(pane).getByLabelText('Show it as'), 'bob@example.com');
    await waitFor(() => expect(pane).toHaveTextContent('Subject: Hi Bob: 20% off tents'));
    expect(fake.requestsTo('GET /api/v1/campaigns/c1/preview').at(-1)?.path).toBe('/api/v1/campaigns/c1/preview?recipient_id=r2');
    expect(within(pane).getByLabelText('Text part')).toHaveTextContent('Hi Bob, 20% off tents.');
    expect(pane.querySelector('iframe[title="Email preview at desktop width"]')).not.toBeNull();
    await user.click(within(pane).getByRole('button', { name: 'Phone' }));
    expect(pane.querySelector('iframe[title="Email preview at phone width"]')).not.toBeNull();
    expect(within(pane).getByRole('button', { name: 'Phone' })).toHaveAttribute('aria-pressed', 'true');

    await user.click(screen.getByRole('button', { name: 'Send test to me' }));
    expect(await screen.findByText('Test sent to mara@example.com.')).toBeInTheDocument();
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/test')[0]?.body).toEqual({ recipient_id: 'r2' });
  });

  it('follows a send made elsewhere (a colleague, another tab) to the sending view without a reload', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let sent = false;
      const { fake } = page(passing, {
        'GET /api/v1/campaigns/c1': () => ({
          status: 200,
          body: sent ? campaign({ status: 'sending', counts: { ...campaign().counts, audience: 2340 } }) : draft,
        }),
        'GET /api/v1/campaigns/c1/event-series': { status: 200, body: emptyEventSeries },
      });
      await screen.findByRole('form', { name: 'Campaign draft' });
      sent = true;
      await vi.advanceTimersByTimeAsync(10_000);

      expect(await screen.findByRole('button', { name: 'Pause' })).toBeInTheDocument();
      expect(screen.queryByRole('form', { name: 'Campaign draft' })).not.toBeInTheDocument();
      expect(screen.getByRole('region', { name: 'Where the messages are' })).toHaveTextContent('2,340 in the audience');
      expect(fake.requestsTo('GET /api/v1/campaigns/c1').length).toBeGreaterThanOrEqual(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('is read-only to a legal reviewer, with no check, test or send', async () => {
    const { fake } = page(passing, {}, legalSession);
    const form = await screen.findByRole('form', { name: 'Campaign draft' });
    expect(within(form).getByLabelText('Subject')).toHaveAttribute('readonly');
    expect(within(form).queryByRole('button', { name: 'Send…' })).not.toBeInTheDocument();
    expect(within(form).queryByRole('button', { name: 'Send test to me' })).not.toBeInTheDocument();
    expect(within(form).queryByRole('button', { name: 'Save draft' })).not.toBeInTheDocument();
    expect(await screen.findByRole('group', { name: 'Preview' })).toBeInTheDocument();
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/preflight')).toHaveLength(0);
  });
});
