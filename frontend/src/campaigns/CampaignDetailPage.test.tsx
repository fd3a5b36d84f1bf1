import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { format } from 'date-fns';
import type { EventSeries, EventSeriesCounts } from '../api/types';
import { installFakeApi } from '../test/fakeApi';
import { campaign, incident } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';
import { chartRows } from './EventsChart';

const zero = { delivered: 0, bounced: 0, blocked: 0, dropped: 0, deferred: 0, opened: 0, clicked: 0, complained: 0, unsubscribed: 0 };

/** A series as the server answers it: the buckets, and totals that are their sum. */
function series(bucket: EventSeries['bucket'], buckets: Array<{ at: string } & Partial<EventSeriesCounts>>): EventSeries {
  const full = buckets.map((b) => ({ ...zero, ...b }));
  const totals = { ...zero };
  for (const b of full) for (const k of Object.keys(zero) as Array<keyof EventSeriesCounts>) totals[k] += b[k];
  return { bucket, bucket_seconds: bucket === '1m' ? 60 : 3600, totals, buckets: full };
}

const paused = campaign({
  status: 'paused',
  paused_at: '2030-06-03T14:22:05Z',
  esp_pause: { state: 'paused', at: '2030-06-03T14:22:06Z', error: '' },
  messages: { ...campaign().messages, stoppable: 0, stoppable_until: null, held_at_sendgrid: 594 },
});

describe('chartRows', () => {
  it('labels each bucket by its start, with the day when the campaign crosses midnight', () => {
    const sameDay = series('1m', [
      { at: '2030-06-03T14:20:00Z', delivered: 2 },
      { at: '2030-06-03T14:21:00Z', delivered: 1, complained: 1 },
    ]);
    expect(chartRows(sameDay).map(({ label, delivered, complained }) => ({ label, delivered, complained }))).toEqual([
      { label: format(new Date('2030-06-03T14:20:00Z'), 'HH:mm'), delivered: 2, complained: 0 },
      { label: format(new Date('2030-06-03T14:21:00Z'), 'HH:mm'), delivered: 1, complained: 1 },
    ]);
    const twoDays = series('1h', [{ at: '2030-06-03T14:00:00Z' }, { at: '2030-06-05T14:00:00Z', opened: 3 }]);
    expect(chartRows(twoDays)[1]!.label).toBe(format(new Date('2030-06-05T14:00:00Z'), 'd MMM HH:mm'));
  });
});

describe('CampaignDetailPage', () => {
  it('shows the counters, the pause state, the events chart and its incident, and resumes after confirmation', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns/c1': { status: 200, body: paused },
      // 1,200 delivered over the whole campaign (more than any page of raw events), a spike of complaints.
      'GET /api/v1/campaigns/c1/event-series': {
        status: 200,
        body: series('1m', [
          { at: '2030-06-03T14:20:00Z', delivered: 700 },
          { at: '2030-06-03T14:21:00Z', delivered: 500, bounced: 1, complained: 6 },
        ]),
      },
      'GET /api/v1/incidents': {
        status: 200,
        body: [
          incident({ id: 'i-old', status: 'resolved', detected_at: '2030-06-01T10:00:00Z', resolved_at: '2030-06-01T11:00:00Z' }),
          incident({ id: 'i-open' }),
        ],
      },
      'POST /api/v1/campaigns/c1/resume': { status: 200, body: campaign({ status: 'sending', esp_pause: { state: 'resumed', at: '2030-06-03T14:30:00Z', error: '' } }) },
    });
    const { user } = renderApp('/campaigns/c1');

    expect(await screen.findByRole('heading', { level: 1, name: 'Spring sale' })).toBeInTheDocument();
    // Each number once: where the messages are (adding up to the audience), then what recipients did.
    const where = screen.getByRole('region', { name: 'Where the messages are' });
    expect(where).toHaveTextContent('1,200 in the audience');
    expect(within(where).getByText('Held at SendGrid').nextSibling).toHaveTextContent('594');
    expect(within(where).queryByText('Possibly received')).not.toBeInTheDocument();
    expect(where).not.toHaveTextContent(/can still be held/);
    const did = screen.getByRole('region', { name: 'What recipients did' });
    expect(within(did).getByText('Complaint rate').nextSibling).toHaveTextContent('0.50 %');
    expect(within(did).queryByText('Delivered')).not.toBeInTheDocument();
    expect(where).toHaveTextContent('Paused at SendGrid at 14:22:06');
    const chart = await screen.findByRole('img', { name: /^Outcomes per minute from \d\d:20 to \d\d:21: 1,200 delivered, 1 bounced, 6 complained\.$/ });
    // The totals under the chart are the server's, over the whole campaign.
    expect(chart.querySelector('[data-outcome="delivered"]')).toHaveTextContent('1,200 delivered');
    expect(fake.requestsTo('GET /api/v1/campaigns/c1/event-series')).toHaveLength(1);
    expect(fake.requestsTo('GET /api/v1/events')).toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Pause' })).not.toBeInTheDocument();
    // Only this campaign's incidents are asked for, and the open one is linked.
    expect(await screen.findByRole('link', { name: 'Open incident' })).toHaveAttribute('href', '/incidents/i-open');
    expect(fake.requestsTo('GET /api/v1/incidents').map((r) => r.path)).toContain('/api/v1/incidents?campaign_id=c1');
    // The page asks for nothing else; the shell's incident alerts poll the whole list (no filter).
    expect(fake.requestsTo('GET /api/v1/incidents').every((r) => r.path.includes('campaign_id=c1') || r.path === '/api/v1/incidents')).toBe(true);

    await user.click(screen.getByRole('button', { name: 'Resume' }));
    const dialog = screen.getByRole('dialog', { name: 'Resume “Spring sale”?' });
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/resume')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Resume sending' }));
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/resume')).toHaveLength(1);
  });

  it('cancels only after confirmation, and shows a refusal in words', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns/c1': { status: 200, body: paused },
      'GET /api/v1/campaigns/c1/event-series': { status: 200, body: series('1m', []) },
      'POST /api/v1/campaigns/c1/cancel': {
        status: 409,
        body: { error: { code: 'campaign_finished', message: 'This campaign is cancelled or finished; it cannot change any more.', details: {} } },
      },
    });
    const { user } = renderApp('/campaigns/c1');

    expect(await screen.findByText(/No events from SendGrid yet/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Cancel campaign' }));
    const dialog = screen.getByRole('dialog', { name: 'Cancel “Spring sale” for good?' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(fake.requestsTo('POST /api/v1/campaigns/c1/cancel')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Cancel campaign' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel campaign' }));
    expect(await within(screen.getByRole('dialog')).findByRole('alert')).toHaveTextContent(
      'Not cancelled: This campaign is cancelled or finished; it cannot change any more.',
    );
  });
});
