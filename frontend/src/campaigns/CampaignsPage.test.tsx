import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi, mara, pagedReply } from '../test/fakeApi';
import { campaign, legalUser } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

const sending = campaign();
const draft = campaign({ id: 'c2', name: 'Autumn teaser', status: 'draft' });
const paused = {
  ...sending,
  status: 'paused' as const,
  paused_at: '2030-06-03T14:22:05Z',
  esp_pause: { state: 'paused' as const, at: '2030-06-03T14:22:06Z', error: '' },
  // SendGrid held the 594 it still could; the 400 delivered and 6 bounced were out before the pause.
  counts: { ...sending.counts, held: 794, possibly_received: 406 },
  messages: { ...sending.messages, stoppable: 0, stoppable_until: null, held_at_sendgrid: 594 },
};

describe('CampaignsPage', () => {
  it('lists campaigns with status, audience, handoff, delivery and rates', async () => {
    installFakeApi({ 'GET /api/v1/me': marketerSession, 'GET /api/v1/campaigns': { status: 200, body: [sending, draft] } });
    renderApp('/campaigns');

    const row = (await screen.findByRole('rowheader', { name: /Spring sale/ })).closest('tr')!;
    expect(row).toHaveTextContent('Sending');
    expect(within(row).getByText('1,200')).toBeInTheDocument();
    expect(within(row).getByText('1,000')).toBeInTheDocument();
    expect(within(row).getByText('400')).toBeInTheDocument();
    expect(within(row).getByText(/0\.50 %/)).toHaveClass('rate--bad');
    expect(within(row).getByText(/0\.40 %/)).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: 'Pause Spring sale' })).toBeInTheDocument();
    const draftRow = screen.getByRole('rowheader', { name: /Autumn teaser/ }).closest('tr')!;
    expect(within(draftRow).queryByRole('button', { name: /Pause/ })).not.toBeInTheDocument();
  });

  it("shows a draft's live audience (who a send now would reach), not its empty snapshot", async () => {
    const unsent = campaign({
      id: 'c4',
      name: 'Summer preview',
      status: 'draft',
      segments: ['vip', 'spring-sale'],
      asm_group_id: 7,
      counts: { ...sending.counts, audience: 0, handed_to_esp: 0, delivered: 0 },
    });
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns': { status: 200, body: [unsent] },
      'GET /api/v1/audience': { status: 200, body: { segments: [], members: 2352, suppressed: 12, audience: 2340 } },
    });
    renderApp('/campaigns');

    const row = (await screen.findByRole('rowheader', { name: /Summer preview/ })).closest('tr')!;
    const cell = within(row).getAllByRole('cell')[1]!;
    expect(await within(cell).findByText('2,340')).toBeInTheDocument();
    expect(cell).toHaveTextContent('2,340if sent now');
    const asked = new URL(fake.requestsTo('GET /api/v1/audience')[0]!.path, 'http://x').searchParams;
    expect(asked.getAll('segment')).toEqual(['spring-sale', 'vip']);
    expect(asked.get('asm_group_id')).toBe('7');
  });

  it('shows the newest page first and older campaigns on "Show older campaigns", until there are none', async () => {
    const older = campaign({ id: 'c3', name: 'Winter clearance', status: 'sent' });
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns': pagedReply([[sending, draft], [older]]),
    });
    const { user } = renderApp('/campaigns');

    await screen.findByRole('rowheader', { name: /Spring sale/ });
    expect(screen.getByRole('rowheader', { name: /Autumn teaser/ })).toBeInTheDocument();
    expect(screen.queryByRole('rowheader', { name: /Winter clearance/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show older campaigns' }));

    const row = (await screen.findByRole('rowheader', { name: /Winter clearance/ })).closest('tr')!;
    expect(within(row).getByRole('button', { name: 'Pause Winter clearance' })).toBeInTheDocument();
    expect(screen.getAllByRole('row')).toHaveLength(4); // header + 3 campaigns, newest first
    expect(screen.getAllByRole('rowheader').map((h) => h.querySelector('a')?.textContent)).toEqual([
      'Spring sale',
      'Autumn teaser',
      'Winter clearance',
    ]);
    expect(screen.queryByRole('button', { name: 'Show older campaigns' })).not.toBeInTheDocument();
    const afters = fake.requestsTo('GET /api/v1/campaigns').map((r) => new URL(r.path, 'http://x').searchParams.get('after'));
    expect(afters).toEqual([null, 'cursor-1']);
  });

  it('keeps the loaded campaigns when an older page fails, says so and offers the page again', async () => {
    const older = campaign({ id: 'c3', name: 'Winter clearance', status: 'sent' });
    let olderFails = true;
    const pages = pagedReply([[sending], [older]]);
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns': (req) =>
        req.path.includes('after=') && olderFails
          ? { status: 503, body: { error: { code: 'unavailable', message: 'Postgres is not answering.', details: {} } } }
          : pages(req),
    });
    const { user } = renderApp('/campaigns');

    await user.click(await screen.findByRole('button', { name: 'Show older campaigns' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load older campaigns: Postgres is not answering.');
    expect(screen.getByRole('rowheader', { name: /Spring sale/ })).toBeInTheDocument();
    expect(screen.queryByText('Could not load campaigns')).not.toBeInTheDocument();

    olderFails = false;
    await user.click(screen.getByRole('button', { name: 'Show older campaigns' }));
    expect(await screen.findByRole('rowheader', { name: /Winter clearance/ })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getAllByRole('rowheader')).toHaveLength(2);
  });

  it('pauses in two clicks and shows both planes, where every message is and the incident', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns': { status: 200, body: [sending] },
      'POST /api/v1/campaigns/c1/pause': { status: 200, body: { campaign: paused, incident_id: 'inc-9' } },
      'GET /api/v1/campaigns/c1': { status: 200, body: paused },
    });
    const { user } = renderApp('/campaigns');

    await user.click(await screen.findByRole('button', { name: 'Pause Spring sale' }));
    const dialog = screen.getByRole('dialog', { name: 'Pause “Spring sale”?' });
    expect(dialog).toHaveTextContent('594 messages can still be held until 14:32.');
    expect(within(dialog).getByLabelText('Reason')).toHaveFocus();
    await user.keyboard('Wrong price in the subject');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm pause' }));

    const done = await screen.findByRole('dialog', { name: 'Paused “Spring sale”' });
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/pause')[0]?.body).toEqual({
      reason: 'Wrong price in the subject',
    });
    expect(done).toHaveTextContent('Paused in Firebreak at 14:22:05');
    expect(done).toHaveTextContent('Paused at SendGrid at 14:22:06');
    const stages = within(done).getByLabelText('Where the messages are');
    expect(within(stages).getByText('Kept in Firebreak').nextSibling).toHaveTextContent('200');
    expect(within(stages).getByText('Held at SendGrid').nextSibling).toHaveTextContent('594');
    expect(within(stages).getByText('Delivered').nextSibling).toHaveTextContent('400');
    // What is already held is not offered again as "can still be held".
    expect(done).toHaveTextContent('SendGrid holds 594 messages: they go out at their send time only if the campaign is resumed.');
    expect(done).not.toHaveTextContent(/can still be held/);
    expect(within(done).getByRole('link', { name: 'Open the incident' })).toHaveAttribute('href', '/incidents/inc-9');
  });

  it('says in words when SendGrid refused the pause', async () => {
    const refused = { ...paused, esp_pause: { state: 'failed' as const, at: '2030-06-03T14:22:06Z', error: 'SendGrid answered 429: too many paused batches' } };
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns': { status: 200, body: [sending] },
      'POST /api/v1/campaigns/c1/pause': { status: 200, body: { campaign: refused, incident_id: 'inc-9' } },
      'GET /api/v1/campaigns/c1': { status: 200, body: refused },
    });
    const { user } = renderApp('/campaigns');

    await user.click(await screen.findByRole('button', { name: 'Pause Spring sale' }));
    await user.click(screen.getByRole('button', { name: 'Confirm pause' }));
    const done = await screen.findByRole('dialog', { name: 'Paused “Spring sale”' });
    expect(done).toHaveTextContent('SendGrid refused the pause at 14:22:06: SendGrid answered 429: too many paused batches.');
    expect(done).toHaveTextContent('Paused in Firebreak');
  });

  it('keeps the dialog open with the server message when the pause fails', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns': { status: 200, body: [sending] },
      'POST /api/v1/campaigns/c1/pause': {
        status: 409,
        body: { error: { code: 'not_sending', message: 'Only a sending (or sent) campaign can be paused.', details: {} } },
      },
    });
    const { user } = renderApp('/campaigns');

    await user.click(await screen.findByRole('button', { name: 'Pause Spring sale' }));
    await user.click(screen.getByRole('button', { name: 'Confirm pause' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The pause did not go through: Only a sending (or sent) campaign can be paused.',
    );
    expect(screen.getByRole('dialog', { name: 'Pause “Spring sale”?' })).toBeInTheDocument();
  });

  it('closes the dialog with Escape and gives focus back to the Pause button', async () => {
    installFakeApi({ 'GET /api/v1/me': marketerSession, 'GET /api/v1/campaigns': { status: 200, body: [sending] } });
    const { user } = renderApp('/campaigns');

    const pause = await screen.findByRole('button', { name: 'Pause Spring sale' });
    await user.click(pause);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(pause).toHaveFocus();
  });

  it('shows a legal reviewer no Pause button', async () => {
    installFakeApi({ 'GET /api/v1/me': legalSession, 'GET /api/v1/campaigns': { status: 200, body: [sending] } });
    renderApp('/campaigns');

    await screen.findByRole('rowheader', { name: /Spring sale/ });
    expect(screen.getByRole('banner')).toHaveTextContent(legalUser.name);
    expect(screen.queryByRole('button', { name: /Pause/ })).not.toBeInTheDocument();
  });

  it('offers Pause from the permissions /me lists, not from the roles', async () => {
    const me = (roles: string[], permissions: string[]) => ({
      status: 200,
      body: { user: { ...mara, roles }, permissions, csrf_token: 'csrf-from-me' },
    });
    installFakeApi({ 'GET /api/v1/me': me(['marketer'], ['read']), 'GET /api/v1/campaigns': { status: 200, body: [sending] } });
    const first = renderApp('/campaigns');
    await screen.findByRole('rowheader', { name: /Spring sale/ });
    expect(screen.queryByRole('button', { name: /Pause/ })).not.toBeInTheDocument();
    first.unmount();

    // A role this dashboard has never heard of: the server says what it grants.
    installFakeApi({
      'GET /api/v1/me': me(['deliverability'], ['read', 'campaign.pause']),
      'GET /api/v1/campaigns': { status: 200, body: [sending] },
    });
    renderApp('/campaigns');
    expect(await screen.findByRole('button', { name: 'Pause Spring sale' })).toBeInTheDocument();
  });
});
