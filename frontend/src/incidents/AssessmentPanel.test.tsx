import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Assessment } from '../api/types';
import { apiError, installFakeApi } from '../test/fakeApi';
import { renderWithSession } from '../test/renderWithSession';
import { legalMe } from '../test/sessions';
import { AssessmentPanel } from './AssessmentPanel';
import { SegmentTable } from './SegmentTable';

const computed: Assessment = {
  computed_at: '2030-06-03T14:25:00Z',
  totals: {
    targeted: 1500,
    handed_to_esp: 1000,
    held: 500,
    delivered: 950,
    opened: 300,
    clicked: 40,
    bounced: 12,
    complained: 7,
    unsubscribed: 3,
  },
  by_segment: [
    {
      segment: 'spring-sale',
      targeted: 1200,
      handed_to_esp: 800,
      held: 400,
      delivered: 760,
      opened: 250,
      clicked: 30,
      bounced: 10,
      complained: 6,
      unsubscribed: 2,
    },
    {
      segment: 'vip',
      targeted: 400,
      handed_to_esp: 250,
      held: 150,
      delivered: 240,
      opened: 70,
      clicked: 12,
      bounced: 2,
      complained: 1,
      unsubscribed: 1,
    },
  ],
  cause: '',
  data_categories_exposed: [],
  pii_exposed: false,
  cost_estimate_cents: 0,
  cost_parts: { responder_hours: 0, hourly_rate_cents: 0, send_cost_cents: 0 },
  notes: '',
  legal_required: false,
  security_required: false,
};

const notComputed: Assessment = { ...computed, computed_at: null, totals: null, by_segment: [] };

/** The cells of the row whose header is `name`, keyed by column header. */
function rowValues(name: string) {
  const table = screen.getByRole('table');
  const headers = within(table)
    .getAllByRole('columnheader')
    .map((th) => th.textContent);
  const row = within(table).getByRole('rowheader', { name }).closest('tr')!;
  const cells = within(row).getAllByRole('cell').map((td) => td.textContent);
  return Object.fromEntries(headers.slice(1).map((h, i) => [h, cells[i]]));
}

describe('SegmentTable', () => {
  it('shows every number per segment and the total counting each recipient once', () => {
    renderWithSession(<SegmentTable segments={computed.by_segment} totals={computed.totals!} />);

    expect(rowValues('spring-sale')).toEqual({
      Targeted: '1,200',
      'Handed over': '800',
      Held: '400',
      Delivered: '760',
      Opened: '250',
      Clicked: '30',
      Bounced: '10',
      Complained: '6',
      Unsubscribed: '2',
    });
    expect(rowValues('vip')).toMatchObject({ Targeted: '400', Held: '150', Delivered: '240', Complained: '1' });
    expect(rowValues('All recipients')).toMatchObject({ Targeted: '1,500', 'Handed over': '1,000', Held: '500' });
  });
});

describe('AssessmentPanel', () => {
  it('runs the assessment and shows totals, the segment table and the chart', async () => {
    const fake = installFakeApi({
      'GET /api/v1/incidents/i1/assessment': { status: 200, body: notComputed },
      'POST /api/v1/incidents/i1/assessment': { status: 200, body: computed },
    });
    const { user } = renderWithSession(<AssessmentPanel incidentId="i1" open />);

    expect(await screen.findByText(/Run the assessment to count/)).toBeInTheDocument();
    fake.on('GET /api/v1/incidents/i1/assessment', { status: 200, body: computed });
    await user.click(screen.getByRole('button', { name: 'Run assessment' }));

    const stats = await screen.findByLabelText('Assessment totals');
    expect(within(stats).getByText('Targeted').nextSibling).toHaveTextContent('1,500');
    expect(within(stats).getByText('Held').nextSibling).toHaveTextContent('500');
    expect(rowValues('vip')).toMatchObject({ Delivered: '240', Opened: '70' });
    expect(screen.getByRole('img', { name: /Bar chart by segment/ })).toHaveAccessibleName(
      expect.stringContaining('vip 240 delivered, 70 opened, 1 complained, 150 held'),
    );
    expect(fake.requestsTo('POST /api/v1/incidents/i1/assessment')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Recompute assessment' })).toBeInTheDocument();
  });

  it('offers every affected recipient as a CSV download, also before the assessment and once resolved', async () => {
    installFakeApi({ 'GET /api/v1/incidents/i1/assessment': { status: 200, body: notComputed } });
    renderWithSession(<AssessmentPanel incidentId="i1" open={false} />, { session: legalMe });

    const link = await screen.findByRole('link', { name: 'Download affected (CSV)' });
    expect(link).toHaveAttribute('href', '/api/v1/incidents/i1/affected?format=csv');
    expect(link).toHaveAttribute('download');
  });

  it('saves the human fields with PATCH', async () => {
    const fake = installFakeApi({
      'GET /api/v1/incidents/i1/assessment': { status: 200, body: computed },
      'PATCH /api/v1/incidents/i1/assessment': {
        status: 200,
        body: { ...computed, cause: 'VIP segment instead of the test list', data_categories_exposed: ['name'], cost_estimate_cents: 125050, pii_exposed: true, legal_required: true },
      },
    });
    const { user } = renderWithSession(<AssessmentPanel incidentId="i1" open />);

    await user.type(await screen.findByLabelText('Cause'), 'VIP segment instead of the test list');
    await user.click(screen.getByRole('checkbox', { name: 'name' }));
    await user.type(screen.getByLabelText('Cost estimate (USD)'), '1,250.50');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    expect(fake.requestsTo('PATCH /api/v1/incidents/i1/assessment')[0]?.body).toEqual({
      cause: 'VIP segment instead of the test list',
      data_categories_exposed: ['name'],
      cost_estimate_cents: 125050,
      notes: '',
    });
  });

  it('lets legal edit the data categories only, and sends only those', async () => {
    const fake = installFakeApi({
      'GET /api/v1/incidents/i1/assessment': { status: 200, body: computed },
      'PATCH /api/v1/incidents/i1/assessment': { status: 200, body: computed },
    });
    const { user } = renderWithSession(<AssessmentPanel incidentId="i1" open />, { session: legalMe });

    expect(await screen.findByLabelText('Cause')).toBeDisabled();
    expect(screen.getByLabelText('Cost estimate (USD)')).toBeDisabled();
    expect(screen.queryByRole('button', { name: /assessment/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'health' }));
    await user.click(screen.getByRole('button', { name: 'Save' }));

    await screen.findByText('Saved.');
    expect(fake.requestsTo('PATCH /api/v1/incidents/i1/assessment')[0]?.body).toEqual({
      data_categories_exposed: ['health'],
      notes: '',
    });
  });

  it('shows an API error in words', async () => {
    installFakeApi({
      'GET /api/v1/incidents/i1/assessment': apiError(503, 'unavailable', 'Postgres is not reachable.'),
    });
    renderWithSession(<AssessmentPanel incidentId="i1" open />);
    expect(await screen.findByRole('alert', {}, { timeout: 3000 })).toHaveTextContent(
      'Could not load the assessment: Postgres is not reachable.',
    );
  });
});
