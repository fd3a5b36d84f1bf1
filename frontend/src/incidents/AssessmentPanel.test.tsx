import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Assessment } from '../api/types';
import { apiError, installFakeApi } from '../test/fakeApi';
import { renderWithSession } from '../test/renderWithSession';
import { numbers, segmentRow } from '../test/fixtures';
import { legalMe } from '../test/sessions';
import { AssessmentPanel } from './AssessmentPanel';
import { SegmentTable } from './SegmentTable';

const computed: Assessment = {
  computed_at: '2030-06-03T14:25:00Z',
  totals: numbers({
    targeted: 1500,
    handed_to_esp: 1000,
    held: 500,
    delivered: 950,
    opened: 300,
    clicked: 40,
    bounced: 12,
    complained: 7,
    unsubscribed: 3,
  }),
  // As the server orders them: the campaign's segments first, then the recipients' other memberships.
  by_segment: [
    segmentRow('spring-sale', {
      targeted: 1200,
      handed_to_esp: 800,
      held: 400,
      delivered: 760,
      opened: 250,
      clicked: 30,
      bounced: 10,
      complained: 6,
      unsubscribed: 2,
    }),
    segmentRow('vip', {
      targeted: 400,
      handed_to_esp: 250,
      held: 150,
      delivered: 240,
      opened: 70,
      clicked: 12,
      bounced: 2,
      complained: 1,
      unsubscribed: 1,
    }),
    segmentRow(
      'newsletter',
      { targeted: 400, handed_to_esp: 250, held: 150, delivered: 240, opened: 70, clicked: 12, bounced: 2, complained: 1, unsubscribed: 1 },
      false,
    ),
  ],
  cause: '',
  data_categories_exposed: [],
  pii_exposed: false,
  cost_estimate_cents: 0,
  cost_parts: { responder_hours: 0, hourly_rate_cents: 0, send_cost_cents: 0 },
  notes: '',
  legal_required: false,
  security_required: false,
  why: {
      pii_exposed: 'No data category is marked exposed in the assessment.',
      legal_required: 'The Triage runbook does not involve legal and no personal data is marked exposed.',
      security_required:
        'The Triage runbook does not involve security and no credentials, payment, government ID or health data is marked exposed.',
    },
};

const notComputed: Assessment = { ...computed, computed_at: null, totals: null, by_segment: [] };

/** The table's column headers (the first is Segment). */
function columns() {
  return within(screen.getByRole('table'))
    .getAllByRole('columnheader')
    .filter((th) => th.getAttribute('scope') === 'col')
    .map((th) => th.textContent);
}

/** The counts of the row whose header is `name`, keyed by column header (within `scope`: a group of rows). */
function rowValues(name: string, scope: HTMLElement = screen.getByRole('table')) {
  const row = within(scope).getByRole('rowheader', { name }).closest('tr')!;
  const cells = within(row).getAllByRole('cell').map((td) => td.querySelector('.cell-count')!.textContent);
  return Object.fromEntries(columns().slice(1).map((h, i) => [h, cells[i]]));
}

/** The rates under the counts of the row whose header is `name`, keyed by column header. */
function rowRates(name: string) {
  const row = within(screen.getByRole('table')).getByRole('rowheader', { name }).closest('tr')!;
  const cells = within(row).getAllByRole('cell').map((td) => td.querySelector('.cell-rate')?.textContent);
  return Object.fromEntries(
    columns()
      .slice(1)
      .map((h, i) => [h, cells[i]])
      .filter(([, r]) => r !== undefined),
  );
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

  it('lists the targeted segments first and the other memberships apart, labelled', () => {
    renderWithSession(<SegmentTable segments={computed.by_segment} totals={computed.totals!} />);

    const [targeted, others] = screen.getAllByRole('rowgroup').filter((g) => g.tagName === 'TBODY');
    expect(targeted).toHaveAccessibleName('Targeted by this campaign');
    expect(within(targeted!).getAllByRole('rowheader').map((th) => th.textContent)).toEqual(['spring-sale', 'vip']);
    expect(others).toHaveAccessibleName('Also a member of');
    expect(others).toHaveTextContent(/Also a member of — not targeted/);
    expect(within(others!).getAllByRole('rowheader').map((th) => th.textContent)).toEqual(['newsletter']);
    expect(rowValues('newsletter', others)).toMatchObject({ Targeted: '400', Delivered: '240' });
  });

  it('shows each row\'s rates under their counts: delivered and bounced of handed over, the rest of delivered', () => {
    renderWithSession(<SegmentTable segments={computed.by_segment} totals={computed.totals!} />);

    // spring-sale: 760 of 800 handed over delivered, 10 of 800 bounced, 6 and 2 of 760 delivered.
    expect(rowRates('spring-sale')).toEqual({ Delivered: '95.00 %', Bounced: '1.25 %', Complained: '0.79 %', Unsubscribed: '0.26 %' });
    expect(rowRates('All recipients')).toEqual({ Delivered: '95.00 %', Bounced: '1.20 %', Complained: '0.74 %', Unsubscribed: '0.32 %' });
    expect(screen.getByRole('table')).toHaveAccessibleName(/complaints and unsubscribes of those delivered/);
  });

  it('says so when no targeted segment is in the audience, and shows a rate it cannot measure as a dash', () => {
    const held = segmentRow('vip', { targeted: 0, handed_to_esp: 0, held: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, complained: 0, unsubscribed: 0 }, false);
    renderWithSession(<SegmentTable segments={[held]} totals={numbers({ ...held, targeted: 3, held: 3 })} />);

    expect(screen.getByText('None of the campaign’s segments is in its audience.')).toBeInTheDocument();
    expect(rowRates('All recipients')).toEqual({ Delivered: '—', Bounced: '—', Complained: '—', Unsubscribed: '—' });
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

  it("says why each flag is what it is: legal by the runbook, with no personal data exposed", async () => {
    const legalByRunbook: Assessment = {
      ...computed,
      legal_required: true,
      why: {
        ...computed.why,
        legal_required: 'The Wrong segment runbook always involves legal, even with no personal data exposed.',
      },
    };
    installFakeApi({ 'GET /api/v1/incidents/i1/assessment': { status: 200, body: legalByRunbook } });
    renderWithSession(<AssessmentPanel incidentId="i1" open />);

    const flags = await screen.findByRole('list', { name: 'Who must be involved' });
    const pii = within(flags).getByRole('listitem', { name: 'Personal data exposed' });
    expect(pii).toHaveTextContent('Personal data exposed: NoNo data category is marked exposed in the assessment.');
    expect(within(flags).getByRole('listitem', { name: 'Legal must be involved' })).toHaveTextContent(
      'Legal must be involved: YesThe Wrong segment runbook always involves legal, even with no personal data exposed.',
    );
    expect(within(flags).getByRole('listitem', { name: 'Security must be involved' })).toHaveTextContent(
      /^Security must be involved: NoThe Triage runbook does not involve security/,
    );
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
    // Legal cannot run it: the button is there, disabled, saying who can.
    const run = screen.getByRole('button', { name: /assessment/ });
    expect(run).toBeDisabled();
    expect(run).toHaveAccessibleDescription('Only marketers, security and admins can run the assessment.');
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
