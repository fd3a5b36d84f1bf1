import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CampaignPreflight } from '../api/types';
import { apiError, installFakeApi, type Reply } from '../test/fakeApi';
import { brand, campaign, campaignCaution, draftCampaign, emptyEventSeries } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';
import { adminSession } from '../test/stepSixSessions';

const passing: CampaignPreflight = { ok: true, audience: 2340, problems: [] };
const watchedDraft = draftCampaign({ caution: campaignCaution() });

function draftPage(session: Reply, extra: Record<string, Reply> = {}) {
  const fake = installFakeApi({
    'GET /api/v1/me': session,
    'GET /api/v1/campaigns/c1': { status: 200, body: watchedDraft },
    'GET /api/v1/brands': { status: 200, body: [brand()] },
    'GET /api/v1/segments': { status: 200, body: [{ name: 'spring-sale', members: 2000 }, { name: 'vip', members: 400 }] },
    'GET /api/v1/audience': { status: 200, body: { segments: [], members: 2352, suppressed: 12, audience: 2340 } },
    'POST /api/v1/campaigns/c1/preflight': { status: 200, body: passing },
    'GET /api/v1/campaigns/c1/preview': { status: 404, body: { error: { code: 'not_found', message: 'none', details: {} } } },
    ...extra,
  });
  return { fake, ...renderApp('/campaigns/c1') };
}

const sentReply = (): Reply => ({ status: 202, body: { id: 'c1', status: 'sending', audience: 2340, batch_id: 'batch-1' } });

describe('A campaign whose brand is watched after an incident', () => {
  it('says so on the draft, with what the send will do and a link to the incident', async () => {
    draftPage(marketerSession);
    const callout = await screen.findByRole('region', { name: 'Watched after an incident' });
    expect(callout).toHaveTextContent('Watching Acme Outdoor after incident “Wrong price in the subject” until 9 Jun');
    expect(callout).toHaveTextContent('This send goes out as a 10 % canary held 1 h');
    expect(within(callout).getByRole('link', { name: 'See the incident' })).toHaveAttribute('href', '/incidents/i1');
  });

  it('is sent with the canary by a marketer, who is not offered the override (no body sent)', async () => {
    const { user, fake } = draftPage(marketerSession, { 'POST /api/v1/campaigns/c1/send': sentReply() });
    const send = await screen.findByRole('button', { name: 'Send…' });
    await screen.findByText(/The check found no problems/);
    await user.click(send);
    const dialog = screen.getByRole('dialog', { name: 'Send to 2,340 recipients?' });
    expect(dialog).toHaveTextContent('Watched after an incident: it goes out as a 10 % canary held 1 h.');
    expect(within(dialog).queryByRole('checkbox', { name: 'Send without the canary' })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Send now' }));
    const sent = fake.requestsTo('POST /api/v1/campaigns/c1/send');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toBeUndefined();
  });

  it('lets an admin send without the canary only with a reason, which goes as override_caution_reason', async () => {
    const { user, fake } = draftPage(adminSession, { 'POST /api/v1/campaigns/c1/send': sentReply() });
    await screen.findByText(/The check found no problems/);
    await user.click(screen.getByRole('button', { name: 'Send…' }));
    const dialog = screen.getByRole('dialog', { name: 'Send to 2,340 recipients?' });
    await user.click(within(dialog).getByRole('checkbox', { name: 'Send without the canary' }));
    const confirm = within(dialog).getByRole('button', { name: 'Send without the canary now' });
    expect(confirm).toBeDisabled();
    const reason = within(dialog).getByLabelText('Why it may go out without the canary (required)');
    await user.type(reason, '   ');
    expect(confirm).toBeDisabled();
    await user.clear(reason);
    await user.type(reason, 'Legal-approved recall notice; must reach everyone today');
    await user.click(confirm);
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/send')[0]?.body).toEqual({
      override_caution_reason: 'Legal-approved recall notice; must reach everyone today',
    });
  });

  it('keeps the canary when the admin unticks the override again', async () => {
    const { user, fake } = draftPage(adminSession, { 'POST /api/v1/campaigns/c1/send': sentReply() });
    await screen.findByText(/The check found no problems/);
    await user.click(screen.getByRole('button', { name: 'Send…' }));
    const dialog = screen.getByRole('dialog');
    const box = within(dialog).getByRole('checkbox', { name: 'Send without the canary' });
    await user.click(box);
    await user.type(within(dialog).getByLabelText(/Why it may go out without the canary/), 'urgent');
    await user.click(box);
    await user.click(within(dialog).getByRole('button', { name: 'Send now' }));
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/send')[0]?.body).toBeUndefined();
  });

  it('explains a refused override (caution_override_forbidden)', async () => {
    const { user } = draftPage(adminSession, {
      'POST /api/v1/campaigns/c1/send': apiError(403, 'caution_override_forbidden', 'Only an admin may send without the canary.'),
    });
    await screen.findByText(/The check found no problems/);
    await user.click(screen.getByRole('button', { name: 'Send…' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Send without the canary' }));
    await user.type(within(dialog).getByLabelText(/Why it may go out without the canary/), 'urgent');
    await user.click(within(dialog).getByRole('button', { name: 'Send without the canary now' }));
    const alert = await within(screen.getByRole('form', { name: 'Campaign draft' })).findByRole('alert');
    expect(alert).toHaveTextContent('Not sent: Only an admin may send without the canary.');
    expect(alert).toHaveTextContent('Send it with the canary.');
  });

  it('once sent, says it went out as a canary and why', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns/c1': { status: 200, body: campaign({ caution: campaignCaution(), canary_percent: 10, canary_hold_seconds: 3600 }) },
      'GET /api/v1/campaigns/c1/event-series': { status: 200, body: emptyEventSeries },
    });
    renderApp('/campaigns/c1');
    const callout = await screen.findByRole('region', { name: 'Sent as a canary' });
    expect(callout).toHaveTextContent('Sent as a canary because the brand is watched after an incident: Watching Acme Outdoor');
    expect(within(callout).getByRole('link', { name: 'See the incident' })).toHaveAttribute('href', '/incidents/i1');
  });

  it('once sent with the override, says who overrode the canary and why', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns/c1': {
        status: 200,
        body: campaign({
          caution: campaignCaution({
            overridden: true,
            override_reason: 'Recall notice, must reach everyone',
            overridden_by: 'Ada Admin',
            overridden_at: '2030-06-03T14:16:00Z',
          }),
        }),
      },
      'GET /api/v1/campaigns/c1/event-series': { status: 200, body: emptyEventSeries },
    });
    renderApp('/campaigns/c1');
    const callout = await screen.findByRole('region', { name: 'Sent without the canary' });
    expect(callout).toHaveTextContent(/Canary overridden by Ada Admin \(3 Jun \d\d:16\): Recall notice, must reach everyone/);
    expect(callout).not.toHaveTextContent('Sent as a canary because');
  });

  it('does not claim a campaign cancelled before sending went out as a canary', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns/c1': {
        status: 200,
        body: draftCampaign({ status: 'cancelled', caution: campaignCaution() }),
      },
      'GET /api/v1/campaigns/c1/event-series': { status: 200, body: emptyEventSeries },
    });
    renderApp('/campaigns/c1');
    const callout = await screen.findByRole('region', { name: 'Watched after an incident' });
    expect(callout).toHaveTextContent('Watching Acme Outdoor after incident');
    expect(callout).not.toHaveTextContent(/Sent as a canary|This send goes out/);
  });

  it('shows no callout when the brand is not watched', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns/c1': { status: 200, body: campaign() },
      'GET /api/v1/campaigns/c1/event-series': { status: 200, body: emptyEventSeries },
    });
    renderApp('/campaigns/c1');
    await screen.findByRole('region', { name: 'What recipients did' });
    expect(screen.queryByRole('region', { name: /canary|Watched/ })).not.toBeInTheDocument();
  });

  it('is marked "watched" in the campaign list; others are not', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns': {
        status: 200,
        body: [campaign({ caution: campaignCaution() }), campaign({ id: 'c2', name: 'Autumn teaser', status: 'draft' })],
      },
    });
    renderApp('/campaigns');
    const watched = (await screen.findByRole('rowheader', { name: /Spring sale/ })).closest('tr')!;
    expect(within(watched).getByText('watched')).toBeInTheDocument();
    expect(watched).toHaveTextContent('watched after an incident: Watching Acme Outdoor');
    const other = screen.getByRole('rowheader', { name: /Autumn teaser/ }).closest('tr')!;
    expect(within(other).queryByText('watched')).not.toBeInTheDocument();
  });
});
