import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeApi } from '../test/fakeApi';
import { fromNow, incident, monitoring, monitoringAlert } from '../test/fixtures';
import { routes } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';

/** Incident i1 resolved, all steps done but step 6, which now watches. */
const resolved = incident({
  status: 'resolved',
  current_step: '',
  owner: '6f1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c11',
  acknowledged_at: fromNow(-3600),
  resolved_at: fromNow(-600),
  steps: incident().steps.map((s) => ({
    ...s,
    status: s.name === 'monitor' ? ('pending' as const) : ('done' as const),
    completed_at: s.name === 'monitor' ? null : fromNow(-700),
  })),
});

/** The same incident after a step 6 alert reopened it at step monitor. */
const reopened = {
  ...resolved,
  status: 'open' as const,
  resolved_at: null,
  current_step: 'monitor' as const,
  steps: resolved.steps.map((s) => (s.name === 'monitor' ? { ...s, status: 'active' as const, started_at: fromNow(0) } : s)),
};

const step6 = () => screen.findByRole('region', { name: '6 · Proceed with caution' });

afterEach(() => {
  vi.useRealTimers();
});

describe('MonitoringPanel', () => {
  it('shows the watch window, the baseline against now with the thresholds, and the sends with their canary', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({
        'GET /api/v1/incidents/i1': { status: 200, body: resolved },
        'GET /api/v1/incidents/i1/monitoring': { status: 200, body: monitoring() },
      }),
    });
    renderApp('/incidents/i1');
    const panel = await step6();

    await within(panel).findByText(/Watching every send/);
    expect(within(panel).getByRole('status')).toHaveTextContent(/^Watching Watching every send of the brand from .+ to .+ — 12 d 12 h left\.$/);
    expect(panel).toHaveTextContent('Baseline of 7 sends, 1,130 delivered, in the 30 days before the incident.');
    expect(within(panel).queryByRole('note')).not.toBeInTheDocument();
    // one chart per rate, the threshold drawn where there is one
    expect(within(panel).getByRole('img', { name: 'Complaint rate: baseline 0.04 %, now 0.00 %, threshold 0.10 %.' })).toBeInTheDocument();
    expect(within(panel).getByRole('img', { name: 'Hard bounce rate: baseline 2.00 %, now 3.00 %, threshold 4.00 %.' })).toBeInTheDocument();
    expect(within(panel).getByRole('img', { name: 'Unsubscribe rate: baseline 0.20 %, now 0.00 %, threshold 1.00 %.' })).toBeInTheDocument();
    expect(within(panel).getByRole('img', { name: 'Open rate: baseline 21.00 %, now 18.00 %, no threshold.' })).toBeInTheDocument();
    const bounce = within(panel).getByRole('row', { name: /Hard bounce rate/ });
    expect(bounce).toHaveTextContent('2.00 %3.00 %4.00 %max(2.00 %, 2 × baseline)');

    const sends = within(panel).getByRole('table', { name: 'Sends in the watch window' });
    const row = within(sends).getByRole('row', { name: /Summer restock/ });
    expect(row).toHaveTextContent('Sending');
    expect(row).toHaveTextContent('Canary wave out, rest held');
    expect(within(row).getByRole('link', { name: 'Summer restock' })).toHaveAttribute('href', '/campaigns/c2');
    expect(within(panel).queryByRole('table', { name: 'Step 6 alerts' })).not.toBeInTheDocument();
    // the strip says so too
    expect(screen.getByRole('list', { name: 'Response steps' }).querySelectorAll('li')[5]).toHaveTextContent('Watching');
  });

  it("says when the brand has too little history and the fixed floors alone apply (the server's note)", async () => {
    const m = monitoring();
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({
        'GET /api/v1/incidents/i1': { status: 200, body: resolved },
        'GET /api/v1/incidents/i1/monitoring': {
          status: 200,
          body: monitoring({
            baseline: { ...m.baseline, sends: 1, delivered: 240, enough_history: false, note: 'Too little history (1 send, 240 delivered): the fixed thresholds alone apply.' },
            thresholds: m.thresholds.map((t) => ({ ...t, threshold: t.floor })),
          }),
        },
      }),
    });
    renderApp('/incidents/i1');
    const panel = await step6();
    expect(await within(panel).findByText(/Too little history \(1 send, 240 delivered\)/)).toBeInTheDocument();
    expect(within(panel).getByRole('note')).toHaveTextContent('fixed floors');
    expect(within(panel).getByRole('row', { name: /Hard bounce rate/ })).toHaveTextContent('2.00 %the floor alone');
  });

  it('is not shown before resolve while step 6 has not begun', async () => {
    const fake = installFakeApi({ 'GET /api/v1/me': marketerSession, ...routes() });
    renderApp('/incidents/i1');
    await screen.findByRole('region', { name: '5 · Communicate' });
    expect(screen.queryByRole('region', { name: '6 · Proceed with caution' })).not.toBeInTheDocument();
    expect(fake.requestsTo('GET /api/v1/incidents/i1/monitoring')).toHaveLength(0);
  });

  it('polls while watching and, when an alert appears, shows the incident reopened without a reload', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let alerted = false;
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({
        // the incident as the server has it: reopened once the alert is raised
        'GET /api/v1/incidents/i1': () => ({ status: 200, body: alerted ? reopened : resolved }),
        'GET /api/v1/incidents/i1/monitoring': () => ({
          status: 200,
          body: alerted
            ? monitoring({
                status: 'alert',
                alerts: [monitoringAlert()],
                sends: monitoring().sends.map((s) => ({ ...s, status: 'paused', complaint_rate: 0.047 })),
              })
            : monitoring(),
        }),
      }),
    });
    renderApp('/incidents/i1');
    const panel = await step6();
    await within(panel).findByText(/Watching every send/);
    const banner = () => screen.queryByText(/The record below stays as it was/);
    expect(banner()).toBeInTheDocument();
    const incidentReads = fake.requestsTo('GET /api/v1/incidents/i1').length;

    alerted = true;
    await vi.advanceTimersByTimeAsync(5_000);

    // the alert, the paused send, and the incident open again at step 6
    const alerts = await within(panel).findByRole('table', { name: 'Step 6 alerts' });
    const row = within(alerts).getByRole('row', { name: /Complaint rate/ });
    expect(row).toHaveTextContent('4.70 %0.10 %0.04 %');
    expect(row).toHaveTextContent('Summer restock');
    expect(within(panel).getByRole('row', { name: /Summer restock.*Paused/ })).toBeInTheDocument();
    expect(within(panel).getByText(/A send crossed a threshold/)).toBeInTheDocument();
    await waitFor(() => expect(banner()).not.toBeInTheDocument());
    expect(fake.requestsTo('GET /api/v1/incidents/i1').length).toBeGreaterThan(incidentReads);
    const strip = screen.getByRole('list', { name: 'Response steps' });
    expect(strip.querySelector('[aria-current="step"]')).toHaveTextContent('Proceed with caution');
    expect(screen.getByRole('region', { name: 'Resolve' })).toHaveTextContent('Resolve incident');
  });
});
