import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { EventRow } from '../api/types';
import { installFakeApi } from '../test/fakeApi';
import { campaign, incident } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';
import { bucketByMinute } from './EventsChart';

const ev = (id: number, event: string, at: string): EventRow => ({
  id,
  sg_event_id: `sg-${id}`,
  event,
  email: `r${id}@example.com`,
  occurred_at: at,
  received_at: at,
  campaign_id: 'c1',
  recipient_id: `r${id}`,
  bounce_kind: '',
  bounce_level: '',
  raw: {},
});

const paused = campaign({
  status: 'paused',
  paused_at: '2030-06-03T14:22:05Z',
  esp_pause: { state: 'paused', at: '2030-06-03T14:22:06Z', error: '' },
});

describe('bucketByMinute', () => {
  it('counts events per minute and type, oldest minute first', () => {
    const { buckets, types } = bucketByMinute([
      ev(1, 'delivered', '2030-06-03T14:21:59Z'),
      ev(2, 'delivered', '2030-06-03T14:20:10Z'),
      ev(3, 'spamreport', '2030-06-03T14:21:00Z'),
      ev(4, 'delivered', '2030-06-03T14:20:50Z'),
      ev(5, 'weird_new_event', '2030-06-03T14:20:00Z'),
    ]);
    expect(types).toEqual(['delivered', 'spamreport', 'other']);
    expect(buckets.map(({ label, delivered, spamreport, other }) => ({ label, delivered, spamreport, other }))).toEqual([
      { label: '14:20', delivered: 2, spamreport: undefined, other: 1 },
      { label: '14:21', delivered: 1, spamreport: 1, other: undefined },
    ]);
  });
});

describe('CampaignDetailPage', () => {
  it('shows the counters, the pause state, the events chart and its incident, and resumes after confirmation', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/campaigns/c1': { status: 200, body: paused },
      'GET /api/v1/events': {
        status: 200,
        body: [ev(1, 'delivered', '2030-06-03T14:20:10Z'), ev(2, 'bounce', '2030-06-03T14:21:10Z')],
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
    const counters = screen.getByRole('region', { name: 'Counters' });
    expect(within(counters).getByText('Audience').nextSibling).toHaveTextContent('1,200');
    expect(within(counters).getByText('Complaint rate').nextSibling).toHaveTextContent('0.50 %');
    expect(screen.getByRole('region', { name: 'Pause state' })).toHaveTextContent('Paused at SendGrid at 14:22:06');
    expect(
      await screen.findByRole('img', { name: 'Events per minute from 14:20 to 14:21: 1 Delivered, 1 Bounced.' }),
    ).toBeInTheDocument();
    expect(fake.requestsTo('GET /api/v1/events')[0]?.path).toBe('/api/v1/events?campaign_id=c1&limit=1000');
    expect(screen.queryByRole('button', { name: 'Pause' })).not.toBeInTheDocument();
    // Only this campaign's incidents are asked for, and the open one is linked.
    expect(await screen.findByRole('link', { name: 'Open incident' })).toHaveAttribute('href', '/incidents/i-open');
    expect(fake.requestsTo('GET /api/v1/incidents').map((r) => r.path)).toContain('/api/v1/incidents?campaign_id=c1');
    expect(fake.requestsTo('GET /api/v1/incidents').every((r) => r.path.includes('campaign_id=c1'))).toBe(true);

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
      'GET /api/v1/events': { status: 200, body: [] },
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
