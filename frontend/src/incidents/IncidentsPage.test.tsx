import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi, mara } from '../test/fakeApi';
import { campaign, fromNow, incident } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';

describe('IncidentsPage', () => {
  it('lists open incidents first with severity, runbook, campaign, owner (named from /people), age and source with trigger', async () => {
    const webhook = incident({
      id: 'i-web',
      runbook: 'deliverability-spike',
      summary: '',
      source: 'webhook',
      trigger: { rule: 'complaint-spike', metric: 'complaint_rate', value: 0.05, threshold: 0.003, window: '15 of 300 delivered' },
      detected_at: fromNow(-600),
    });
    const resolved = incident({
      id: 'i-old',
      summary: 'Old mistake',
      status: 'resolved',
      detected_at: fromNow(-7200),
      resolved_at: fromNow(-3600),
      owner: 'someone-else',
    });
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/incidents': { status: 200, body: [resolved, webhook] },
      'GET /api/v1/campaigns': { status: 200, body: [campaign()] },
      'GET /api/v1/people': {
        status: 200,
        body: [mara, { id: 'someone-else', name: 'Sam Security', email: 'sam@example.com', roles: ['security'] }],
      },
    });
    renderApp('/incidents');

    const rows = (await screen.findAllByRole('row')).slice(1);
    expect(rows[0]).toHaveAttribute('data-incident-id', 'i-web');
    expect(rows[1]).toHaveAttribute('data-incident-id', 'i-old');
    const row = rows[0]!;
    expect(within(row).getByRole('link', { name: 'deliverability spike' })).toHaveAttribute('href', '/incidents/i-web');
    expect(row).toHaveTextContent('sev2');
    expect(within(row).getByRole('link', { name: 'Spring sale' })).toBeInTheDocument();
    expect(row).toHaveTextContent('Unowned');
    expect(row).toHaveTextContent('10 min');
    expect(row).toHaveTextContent('webhook');
    expect(row).toHaveTextContent('complaint-spike: complaint rate 5.00 % ≥ 0.30 % (15 of 300 delivered)');
    expect(await within(rows[1]!).findByText('Sam Security')).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('resolved after 1 h');
    expect(screen.getByText('1 open incident.')).toBeInTheDocument();
  });
});
