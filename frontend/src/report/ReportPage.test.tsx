import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { installFakeApi } from '../test/fakeApi';
import { monitoring, monitoringAlert, report, task } from '../test/fixtures';
import { routes } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';

describe('ReportPage', () => {
  it('renders the postmortem: summary, times, blast radius, cost, tasks, communications, watch outcome, timeline', async () => {
    installFakeApi({ 'GET /api/v1/me': marketerSession, 'GET /api/v1/incidents/i1/report': { status: 200, body: report() } });
    renderApp('/incidents/i1/report');

    expect(await screen.findByRole('heading', { level: 1, name: 'Report: Wrong price in the subject' })).toBeInTheDocument();
    const summary = screen.getByRole('region', { name: 'Summary' });
    expect(summary).toHaveTextContent('Wrong price in the subject: 1,000 handed over, 200 held; resolved after 19 h 40 min.');
    expect(await within(summary).findByText('Mara Marketer (you)')).toBeInTheDocument();

    const times = screen.getByRole('region', { name: 'Response times' });
    expect(times).toHaveTextContent('To acknowledge2 min');
    expect(times).toHaveTextContent('To pause30 s');
    expect(times).toHaveTextContent('To resolve19 h 40 min');

    const blast = screen.getByRole('region', { name: 'Blast radius and cost' });
    expect(within(blast).getByRole('row', { name: /^vip/ })).toHaveTextContent('vip300200100190');
    expect(within(blast).getByRole('row', { name: /All recipients/ })).toHaveTextContent('1,2001,000200950');
    expect(blast).toHaveTextContent('$1,250.00');
    expect(blast).toHaveTextContent('10 responder hours × $100.00 + $250.00 send cost');

    const tasks = screen.getByRole('region', { name: 'Tasks' });
    expect(within(tasks).getByRole('row', { name: /Honour the wrong price/ })).toHaveTextContent('Mara Marketer (you)');

    const comm = screen.getByRole('group', { name: 'Apology: We are sorry: our mistake in the Spring sale email' });
    expect(comm).toHaveTextContent('Sent');
    expect(comm).toHaveTextContent('Approvals: none needed');
    expect(comm).toHaveTextContent('900 handed over, 880 delivered, 400 opened, 5 bounced, 0 complaints, 1 unsubscribes; 12 skipped as suppressed.');

    const watch = screen.getByRole('region', { name: 'Step 6: the watch window' });
    expect(watch).toHaveTextContent('Watching');
    expect(watch).toHaveTextContent('1 send of the brand watched, 255 delivered');
    expect(watch).toHaveTextContent('No alert.');

    const timeline = screen.getByRole('region', { name: 'Timeline' });
    expect(within(timeline).getAllByRole('listitem').map((li) => li.querySelector('.timeline-what')?.textContent)).toEqual([
      'Opened the incident from the dashboard with runbook triage',
      'Resolved the incident: “Price corrected”',
    ]);
  });

  it('says a task a reclassification closed is no longer needed, not done and not open', async () => {
    const r = report();
    const cancelled = task({ id: 't2', title: 'Find the cause and reclassify', status: 'cancelled', from_runbook: true });
    installFakeApi({ 'GET /api/v1/me': marketerSession, 'GET /api/v1/incidents/i1/report': { status: 200, body: { ...r, tasks: [...r.tasks, cancelled] } } });
    renderApp('/incidents/i1/report');

    const tasks = await screen.findByRole('region', { name: 'Tasks' });
    const row = within(tasks).getByRole('row', { name: /Find the cause and reclassify/ });
    expect(within(row).getByRole('cell', { name: 'No longer needed (reclassified)' })).toBeInTheDocument();
    expect(row).not.toHaveTextContent('Open');
  });

  it('prints with the browser and links the Markdown download', async () => {
    installFakeApi({ 'GET /api/v1/me': marketerSession, 'GET /api/v1/incidents/i1/report': { status: 200, body: report() } });
    const print = vi.spyOn(window, 'print').mockImplementation(() => {});
    const { user } = renderApp('/incidents/i1/report');
    await user.click(await screen.findByRole('button', { name: 'Print' }));
    expect(print).toHaveBeenCalledOnce();
    expect(screen.getByRole('link', { name: 'Download Markdown' })).toHaveAttribute('href', '/api/v1/incidents/i1/report?format=md');
    expect(screen.getByRole('link', { name: 'Back to the incident' })).toHaveAttribute('href', '/incidents/i1');
    print.mockRestore();
  });

  it("lists the watch window's alerts", async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/incidents/i1/report': {
        status: 200,
        body: report({ monitoring: monitoring({ status: 'alert', alerts: [monitoringAlert()] }) }),
      },
    });
    renderApp('/incidents/i1/report');
    const watch = await screen.findByRole('region', { name: 'Step 6: the watch window' });
    expect(within(watch).getByRole('listitem')).toHaveTextContent(
      'Complaint rate of campaign “Summer restock” 4.70 % ≥ 0.10 % (baseline 0.04 %, 255 delivered)',
    );
    expect(watch).toHaveTextContent('Alert');
  });

  it('shows a report that cannot be read in words', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/incidents/nope/report': {
        status: 404,
        body: { error: { code: 'incident_not_found', message: 'No incident has that id.', details: {} } },
      },
    });
    renderApp('/incidents/nope/report');
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the report: No incident has that id.');
  });

  it('is linked from the incident page', async () => {
    installFakeApi({ 'GET /api/v1/me': marketerSession, ...routes() });
    renderApp('/incidents/i1');
    expect(await screen.findByRole('link', { name: 'Report' })).toHaveAttribute('href', '/incidents/i1/report');
  });
});
