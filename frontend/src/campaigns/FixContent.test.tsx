import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Campaign } from '../api/types';
import { setEditorText } from '../test/codeEditor';
import { apiError, installFakeApi, type Reply } from '../test/fakeApi';
import { campaign, campaignFix, incident, emptyEventSeries } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';

const paused = campaign({
  status: 'paused',
  html: '<p>Tents at $19.99 this week.</p>',
  paused_at: '2030-06-03T14:22:05Z',
  esp_pause: { state: 'paused', at: '2030-06-03T14:22:06Z', error: '' },
});

function page(c: Campaign, extra: Record<string, Reply> = {}) {
  const fake = installFakeApi({
    'GET /api/v1/me': marketerSession,
    'GET /api/v1/campaigns/c1': { status: 200, body: c },
    'GET /api/v1/campaigns/c1/event-series': { status: 200, body: emptyEventSeries },
    'GET /api/v1/incidents': { status: 200, body: [incident({ id: 'i-open' })] },
    ...extra,
  });
  return { fake, ...renderApp('/campaigns/c1') };
}

describe('A paused campaign', () => {
  it('offers Fix content before Resume, saves only the changed content, and shows the corrected content’s check next to the fields', async () => {
    const corrected = {
      ...paused,
      html: '<p>Tents at $199.99 this week, {{first_name}}.</p>',
      content_version: 2,
      updated_at: '2030-06-03T14:30:00Z',
      fix: campaignFix({
        preflight: {
          ok: false,
          audience: 1200,
          problems: [
            {
              code: 'unresolved_merge_tag',
              message: '{{first_name}} is empty for 4 recipients and has no fallback (write it as {{first_name|fallback}}).',
              count: 4,
              examples: ['ann@example.com'],
            },
          ],
        },
      }),
    } satisfies Campaign;
    const { user, fake } = page(paused, {
      'PATCH /api/v1/campaigns/c1': () => {
        fake.on('GET /api/v1/campaigns/c1', { status: 200, body: corrected });
        return { status: 200, body: corrected };
      },
    });

    const bar = (await screen.findByRole('button', { name: 'Resume' })).parentElement!;
    expect(within(bar).getAllByRole('button').map((b) => b.textContent)).toEqual(['Fix content', 'Resume', 'Cancel campaign']);
    await user.click(within(bar).getByRole('button', { name: 'Fix content' }));
    const form = await screen.findByRole('form', { name: 'Fix content' });
    expect(within(form).getByLabelText('Subject')).toHaveValue('20% off tents');
    await setEditorText(form, 'HTML body', '<p>Tents at $199.99 this week, {{first_name}}.</p>');
    await user.click(within(form).getByRole('button', { name: 'Save correction' }));

    expect(fake.requestsTo('PATCH /api/v1/campaigns/c1')[0]?.body).toEqual({ html: '<p>Tents at $199.99 this week, {{first_name}}.</p>' });
    const problems = await within(form).findByRole('list', { name: 'Problems with the HTML body' });
    expect(problems).toHaveTextContent('{{first_name}} is empty for 4 recipients');
    expect(within(form).getByText(/The corrected content has 1 problem: Firebreak refuses to resume until it is fixed\./)).toBeInTheDocument();
    expect(screen.getByRole('note')).toHaveTextContent('Corrected content waiting: mara@example.com changed the HTML body at 3 Jun 14:30.');
  });

  it('shows a 422’s field errors next to the field', async () => {
    const { user } = page(paused, {
      'PATCH /api/v1/campaigns/c1': apiError(422, 'validation_failed', 'Some fields are not valid; see details.fields.', {
        fields: { subject: 'is longer than 998 characters' },
      }),
    });
    await user.click(await screen.findByRole('button', { name: 'Fix content' }));
    const form = await screen.findByRole('form', { name: 'Fix content' });
    await user.type(within(form).getByLabelText('Subject'), '!');
    await user.click(within(form).getByRole('button', { name: 'Save correction' }));
    const subject = within(form).getByLabelText('Subject');
    await waitFor(() => expect(subject).toHaveAccessibleDescription('is longer than 998 characters'));
    expect(subject).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).getByRole('alert')).toHaveTextContent('Not saved: Some fields are not valid');
  });

  it('resumes a corrected campaign after a dialog that states what is withdrawn, handed over and not re-sent', async () => {
    const fixed = { ...paused, fix: campaignFix({ withdraw: 180, hand_over: 20, not_resent: 1000 }) };
    const resumed = campaign({ status: 'sending', fix: null, counts: { ...paused.counts, withdrawn: 180 } });
    const { user, fake } = page(fixed, {
      'POST /api/v1/campaigns/c1/resume': () => {
        fake.on('GET /api/v1/campaigns/c1', { status: 200, body: resumed });
        return { status: 200, body: resumed };
      },
    });
    expect(screen.queryByText(/withdrawn and re-sent:/)).not.toBeInTheDocument();
    await user.click(await screen.findByRole('button', { name: 'Resume' }));
    const dialog = screen.getByRole('dialog', { name: 'Resume “Spring sale” with the corrected content?' });
    const outcome = within(dialog).getByRole('list', { name: 'What resuming does' });
    const items = within(outcome).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('180 messages SendGrid is holding will be withdrawn and re-sent with the corrected content;');
    expect(items[1]).toHaveTextContent('20 not yet handed over will get the corrected content;');
    expect(items[2]).toHaveTextContent(
      '1,000 who possibly received the old version get nothing more — send them a correction from the incident (step 5).',
    );
    expect(within(items[2]!).getByRole('link', { name: 'the incident' })).toHaveAttribute('href', '/incidents/i-open');

    await user.click(within(dialog).getByRole('button', { name: 'Withdraw and resume' }));
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/resume')).toHaveLength(1);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await screen.findByText('180 withdrawn and re-sent')).toBeInTheDocument();
  });

  it('shows the problems of a resume refused by the check, and SendGrid’s refusal with nothing re-sent', async () => {
    const fixed = { ...paused, fix: campaignFix() };
    const { user, fake } = page(fixed, {
      'POST /api/v1/campaigns/c1/resume': apiError(422, 'preflight_failed', 'The corrected content failed its preflight.', {
        problems: [{ code: 'empty_subject', message: 'The subject is empty.', count: 1, examples: [] }],
      }),
    });
    await user.click(await screen.findByRole('button', { name: 'Resume' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Withdraw and resume' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Not resumed: The corrected content failed its preflight.');
    expect(within(alert).getByRole('list', { name: 'Why it was refused' })).toHaveTextContent('The subject is empty.');

    fake.on('POST /api/v1/campaigns/c1/resume', apiError(503, 'esp_unavailable', 'SendGrid did not answer the cancel of batch batch-1.'));
    await user.click(within(dialog).getByRole('button', { name: 'Withdraw and resume' }));
    await waitFor(() => expect(within(dialog).getByRole('alert')).toHaveTextContent('SendGrid refused: SendGrid did not answer the cancel of batch batch-1.'));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Nothing was re-sent: the campaign is still paused');
  });

  it('shows "N withdrawn and re-sent" whenever some were', async () => {
    page(campaign({ status: 'sent', counts: { ...paused.counts, withdrawn: 42 } }));
    expect(await screen.findByText('42 withdrawn and re-sent')).toBeInTheDocument();
    // Said once, in the callout, not again among the counters.
    expect(screen.getAllByText(/withdrawn and re-sent/i)).toHaveLength(1);
  });
});
