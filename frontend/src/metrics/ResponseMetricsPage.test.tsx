import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi } from '../test/fakeApi';
import { responseMetrics } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';

const DAY = 86_400_000;

function fromOf(path: string): number {
  return Date.parse(new URL(path, 'http://x').searchParams.get('from') ?? '');
}

describe('ResponseMetricsPage', () => {
  it('shows count, median, p90 and max per runbook and severity, a total row and a chart of medians', async () => {
    const fake = installFakeApi({ 'GET /api/v1/me': marketerSession, 'GET /api/v1/response-metrics': { status: 200, body: responseMetrics() } });
    const { user } = renderApp('/campaigns');
    await user.click(await screen.findByRole('link', { name: 'Response times' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Response times' })).toBeInTheDocument();
    const spike = await screen.findByRole('row', { name: /^deliverability spike/ });
    // acknowledge: 3, 4 min, 20 min, 20 min · pause: 3, 1 s, 2 s, 2 s · resolve: 2, 1 d, 2 d, 2 d
    expect(within(spike).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      'sev2', '3', '3', '4 min', '20 min', '20 min', '3', '1 s', '2 s', '2 s', '2', '1 d', '2 d', '2 d',
    ]);
    const total = screen.getByRole('row', { name: /^All incidents/ });
    expect(within(total).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      'all', '5', '5', '3 min', '15 min', '20 min', '4', '20 s', '1 min', '1 min', '3', '1 d', '2 d', '2 d',
    ]);
    expect(screen.getByRole('img', { name: /^Bar chart of median times by runbook and severity: deliverability spike · sev2: acknowledge 4 min, pause 1 s, resolve 1 d; wrong content · sev3: acknowledge 1 min, pause 1 min, resolve 1 h\.$/ })).toBeInTheDocument();
    const first = fake.requestsTo('GET /api/v1/response-metrics');
    expect(first).toHaveLength(1);
    expect(Math.round((Date.now() - fromOf(first[0]!.path)) / DAY)).toBe(30);
  });

  it('asks for the period picked', async () => {
    const fake = installFakeApi({ 'GET /api/v1/me': marketerSession, 'GET /api/v1/response-metrics': { status: 200, body: responseMetrics() } });
    const { user } = renderApp('/response-metrics');
    await screen.findByRole('row', { name: /^All incidents/ });
    await user.click(screen.getByRole('radio', { name: 'Last 365 days' }));
    await screen.findByRole('row', { name: /^All incidents/ });
    const asked = fake.requestsTo('GET /api/v1/response-metrics').map((r) => Math.round((Date.now() - fromOf(r.path)) / DAY));
    expect(asked).toEqual([30, 365]);
    expect(screen.getByRole('radio', { name: 'Last 365 days' })).toBeChecked();
  });

  it('says when there was no incident in the period, and shows a refusal in words', async () => {
    const empty = responseMetrics({ groups: [], total: { ...responseMetrics().total, incidents: 0 } });
    const fake = installFakeApi({ 'GET /api/v1/me': marketerSession, 'GET /api/v1/response-metrics': { status: 200, body: empty } });
    const { user } = renderApp('/response-metrics');
    expect(await screen.findByRole('heading', { name: 'No incident in this period' })).toBeInTheDocument();
    fake.on('GET /api/v1/response-metrics', {
      status: 422,
      body: { error: { code: 'validation_failed', message: 'The request has invalid fields.', details: { fields: { from: 'the period is over 366 days' } } } },
    });
    await user.click(screen.getByRole('radio', { name: 'Last 90 days' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load response times');
  });
});
