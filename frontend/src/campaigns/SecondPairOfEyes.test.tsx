import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Campaign, CampaignPreflight } from '../api/types';
import { apiError, installFakeApi, type Reply } from '../test/fakeApi';
import { brand, campaign, campaignReview, draftCampaign, reviewApproval, emptyEventSeries } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';
import { nicoSession } from '../test/stepSixSessions';

const passing: CampaignPreflight = { ok: true, audience: 12400, problems: [] };
const needsReview = draftCampaign({ review: campaignReview() });
const approved = draftCampaign({ review: campaignReview({ approval: reviewApproval() }) });

function draftPage(session: Reply, body: Campaign, extra: Record<string, Reply> = {}) {
  const fake = installFakeApi({
    'GET /api/v1/me': session,
    'GET /api/v1/campaigns/c1': { status: 200, body },
    'GET /api/v1/brands': { status: 200, body: [brand()] },
    'GET /api/v1/segments': { status: 200, body: [{ name: 'spring-sale', members: 12000 }, { name: 'vip', members: 400 }] },
    'GET /api/v1/audience': { status: 200, body: { segments: [], members: 12412, suppressed: 12, audience: 12400 } },
    'POST /api/v1/campaigns/c1/preflight': { status: 200, body: passing },
    ...extra,
  });
  return { fake, ...renderApp('/campaigns/c1') };
}

const panel = () => screen.findByRole('region', { name: 'Needs a second pair of eyes' });
const form = () => screen.getByRole('form', { name: 'Campaign draft' });

describe('The second pair of eyes on a draft', () => {
  it('tells the creator why it needs a review and that someone else approves it; Send stays off', async () => {
    draftPage(marketerSession, needsReview);
    const region = await panel();
    const reasons = within(region).getByRole('list', { name: 'Why it needs a review' });
    expect(within(reasons).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      '12,400 recipients (over 10,000)',
      'mentions a price: “20% off”',
    ]);
    expect(region).toHaveTextContent('You created this draft, so someone else must approve it');
    expect(within(region).queryByRole('button', { name: 'Approve for send' })).not.toBeInTheDocument();
    await screen.findByText(/The check found no problems/);
    expect(within(form()).getByRole('button', { name: 'Send…' })).toBeDisabled();
    expect(form()).toHaveTextContent('Send stays off until someone other than its creator approves this content');
  });

  it('lets another marketer approve the content they saw, with a comment; then it can be sent', async () => {
    const { user, fake } = draftPage(nicoSession, needsReview, {
      'POST /api/v1/campaigns/c1/approve': (req) => {
        const after = draftCampaign({ review: campaignReview({ approval: reviewApproval({ comment: (req.body as { comment: string }).comment }) }) });
        fake.on('GET /api/v1/campaigns/c1', { status: 200, body: after });
        return { status: 200, body: after };
      },
    });
    const region = await panel();
    await screen.findByText(/The check found no problems/);
    expect(within(form()).getByRole('button', { name: 'Send…' })).toBeDisabled();
    await user.type(within(region).getByLabelText('Comment (optional)'), 'Price checked against the offer sheet.');
    await user.click(within(region).getByRole('button', { name: 'Approve for send' }));

    expect(fake.requestsTo('POST /api/v1/campaigns/c1/approve')[0]?.body).toEqual({
      content_hash: 'hash-c1',
      comment: 'Price checked against the offer sheet.',
    });
    expect(await within(region).findByRole('status')).toHaveTextContent(/Approved by Nico Marketer at 3 Jun \d\d:10 for this content\./);
    expect(region).toHaveTextContent('Price checked against the offer sheet.');
    expect(region).toHaveTextContent('Any edit withdraws this approval');
    expect(within(form()).getByRole('button', { name: 'Send…' })).toBeEnabled();
  });

  it('sends no comment when none is written', async () => {
    const { user, fake } = draftPage(nicoSession, needsReview, { 'POST /api/v1/campaigns/c1/approve': { status: 200, body: approved } });
    const region = await panel();
    await user.click(within(region).getByRole('button', { name: 'Approve for send' }));
    await waitFor(() => expect(fake.requestsTo('POST /api/v1/campaigns/c1/approve')[0]?.body).toEqual({ content_hash: 'hash-c1' }));
  });

  it('says the draft changed while the reviewer read it (409 content_changed), reads it again and approves the new content', async () => {
    const changed = draftCampaign({ subject: '25% off tents', review: campaignReview({ content_hash: 'hash-c2' }), updated_at: '2030-06-03T14:20:00Z' });
    const { user, fake } = draftPage(nicoSession, needsReview, {
      'POST /api/v1/campaigns/c1/approve': (req) => {
        if ((req.body as { content_hash: string }).content_hash === 'hash-c2') return { status: 200, body: approved };
        fake.on('GET /api/v1/campaigns/c1', { status: 200, body: changed });
        return apiError(409, 'content_changed', 'The draft changed since you read it.', { content_hash: 'hash-c2' });
      },
    });
    const region = await panel();
    await user.click(within(region).getByRole('button', { name: 'Approve for send' }));
    expect(await within(region).findByRole('alert')).toHaveTextContent(
      'The draft changed while you were reading it, so nothing was approved. The new version is shown now: review it again.',
    );
    // The new content is loaded (and shown) before anything else is approved.
    await waitFor(() => expect(within(form()).getByLabelText('Subject')).toHaveValue('25% off tents'));
    await user.click(within(region).getByRole('button', { name: 'Approve for send' }));
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/approve').map((r) => (r.body as { content_hash: string }).content_hash)).toEqual([
      'hash-c1',
      'hash-c2',
    ]);
  });

  it('shows the server refusing the creator (403 own_campaign) in words', async () => {
    // Created before created_by was recorded: the page cannot tell, the server can.
    const { user } = draftPage(nicoSession, { ...needsReview, created_by: '' }, {
      'POST /api/v1/campaigns/c1/approve': apiError(403, 'own_campaign', 'You created this campaign: someone else must approve it.'),
    });
    const region = await panel();
    await user.click(within(region).getByRole('button', { name: 'Approve for send' }));
    expect(await within(region).findByRole('alert')).toHaveTextContent('Not approved: You created this campaign: someone else must approve it.');
  });

  it('warns that saving an edit withdraws the approval', async () => {
    const { user } = draftPage(nicoSession, approved);
    const region = await panel();
    expect(region).toHaveTextContent('Any edit withdraws this approval');
    await user.type(within(form()).getByLabelText('Subject'), '!');
    expect(region).toHaveTextContent('Saving your changes withdraws this approval');
  });

  it('offers no approval of unsaved changes: the approval is for the draft as saved', async () => {
    const { user, fake } = draftPage(nicoSession, needsReview);
    const region = await panel();
    await user.type(within(form()).getByLabelText('Subject'), '!');
    expect(within(region).getByRole('button', { name: 'Approve for send' })).toBeDisabled();
    expect(region).toHaveTextContent('Save your changes first');
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/approve')).toHaveLength(0);
  });

  it('treats an approval of other content as no approval', async () => {
    draftPage(marketerSession, draftCampaign({ review: campaignReview({ approval: reviewApproval({ content_hash: 'hash-old' }) }) }));
    const region = await panel();
    expect(region).not.toHaveTextContent('Approved by');
    await screen.findByText(/The check found no problems/);
    expect(within(form()).getByRole('button', { name: 'Send…' })).toBeDisabled();
  });

  it('offers a legal reader no approval', async () => {
    draftPage(legalSession, needsReview);
    const region = await panel();
    expect(within(region).queryByRole('button', { name: 'Approve for send' })).not.toBeInTheDocument();
    expect(region).toHaveTextContent('A marketer or admin other than its creator approves it before it can be sent.');
  });

  it('shows the reasons when a send is refused with 409 review_required, and keeps Send off', async () => {
    const review = campaignReview({ mode: 'watch_window', reasons: [{ code: 'mentions_codes', detail: 'mentions a code: “SPRING20”' }] });
    const { user, fake } = draftPage(marketerSession, draftCampaign(), {
      'POST /api/v1/campaigns/c1/send': () => {
        // The brand's watch window began after the page was loaded: the server now says so too.
        fake.on('GET /api/v1/campaigns/c1', { status: 200, body: draftCampaign({ review }) });
        return apiError(409, 'review_required', 'This draft needs a second marketer’s approval first.', { review });
      },
    });
    await screen.findByText(/The check found no problems/);
    await user.click(within(form()).getByRole('button', { name: 'Send…' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Send now' }));
    const alert = await within(form()).findByRole('alert');
    expect(alert).toHaveTextContent('Not sent: This draft needs a second marketer’s approval first.');
    expect(within(alert).getByRole('list', { name: 'Why it was not sent' })).toHaveTextContent('mentions a code: “SPRING20”');
    const region = await panel();
    expect(region).toHaveTextContent('The brand is watched after an incident');
    expect(within(form()).getByRole('button', { name: 'Send…' })).toBeDisabled();
  });

  it('shows on a sent campaign who approved it', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns/c1': { status: 200, body: campaign({ review: campaignReview({ approval: reviewApproval() }) }) },
      'GET /api/v1/campaigns/c1/event-series': { status: 200, body: emptyEventSeries },
    });
    renderApp('/campaigns/c1');
    expect(await screen.findByText(/Second pair of eyes: approved by Nico Marketer at 3 Jun \d\d:10\./)).toBeInTheDocument();
  });
});
