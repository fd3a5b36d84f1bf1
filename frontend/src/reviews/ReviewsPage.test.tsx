import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi } from '../test/fakeApi';
import { breachNotice, fromNow, incident, task } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

/** Incident i1 (a data breach detected 11 h ago) and i2 (detected 62 h ago), each with its regulator task. */
function breachIncidents() {
  const regulator = (id: string, detectedHoursAgo: number) =>
    task({
      id: `t-${id}`,
      kind: 'legal',
      title: 'Notify the supervisory authority within 72 hours of awareness (GDPR Art. 33)',
      due_at: fromNow((72 - detectedHoursAgo) * 3600 + 60),
    });
  return {
    'GET /api/v1/incidents/i1': {
      status: 200,
      body: incident({ id: 'i1', runbook: 'data-breach', summary: 'Order emails showed other customers’ addresses', detected_at: fromNow(-11 * 3600) }),
    },
    'GET /api/v1/incidents/i1/tasks': { status: 200, body: [regulator('i1', 11)] },
    'GET /api/v1/incidents/i2': {
      status: 200,
      body: incident({ id: 'i2', runbook: 'data-breach', summary: 'Password reset links leaked', detected_at: fromNow(-62 * 3600) }),
    },
    'GET /api/v1/incidents/i2/tasks': { status: 200, body: [regulator('i2', 62)] },
  };
}

describe('Reviews page', () => {
  it("shows legal their queue: kind, subject, incident, author, age, the role needed and the legal clock, red under 12 h", async () => {
    installFakeApi({
      'GET /api/v1/me': legalSession,
      'GET /api/v1/approvals': {
        status: 200,
        body: [
          breachNotice({ id: 'n1', incident_id: 'i1', updated_at: fromNow(-60), submitted_at: fromNow(-2 * 3600 - 60) }),
          breachNotice({ id: 'n2', incident_id: 'i2', subject: 'Your password reset link', still_needed: ['legal'], submitted_at: fromNow(-300) }),
        ],
      },
      'GET /api/v1/communications/n1': { status: 200, body: breachNotice({ id: 'n1', incident_id: 'i1' }) },
      ...breachIncidents(),
    });
    const { user } = renderApp('/reviews');

    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(await within(nav).findByRole('link', { name: /^Reviews\s*2\s*waiting$/ })).toBeInTheDocument();

    const table = await screen.findByRole('table', { name: 'Waiting for review' });
    const [first, second] = within(table).getAllByRole('row').slice(1);
    expect(first).toHaveTextContent('Breach notice');
    expect(first).toHaveTextContent('Notice of Data Breach');
    expect(await within(first!).findByText('Order emails showed other customers’ addresses')).toBeInTheDocument();
    expect(first).toHaveTextContent('by Mara Marketer');
    expect(first).toHaveTextContent('waiting 2 h 1 min');
    // still needed: legal and security; Lee holds legal.
    expect(within(first!).getAllByRole('cell')[2]).toHaveTextContent(/^legal$/);
    const clock1 = await within(first!).findByText(/72 h to the regulator/);
    expect(clock1).toHaveTextContent('72 h to the regulator: 61 h left');
    expect(clock1).not.toHaveAttribute('data-urgent');

    expect(second).toHaveTextContent('waiting 5 min');
    const clock2 = await within(second!).findByText(/72 h to the regulator/);
    expect(clock2).toHaveTextContent('72 h to the regulator: 10 h left');
    expect(clock2).toHaveAttribute('data-urgent', 'true');

    await user.click(within(first!).getByRole('link', { name: 'Notice of Data Breach' }));
    expect(await screen.findByRole('heading', { name: 'Review: Notice of Data Breach' })).toBeInTheDocument();
  });

  it('says so when nothing waits', async () => {
    installFakeApi({ 'GET /api/v1/me': legalSession });
    renderApp('/reviews');
    expect(await screen.findByRole('heading', { name: 'Nothing waits for you' })).toBeInTheDocument();
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Reviews' })).toBeInTheDocument();
  });

  it('offers a marketer no Reviews item, and asks the server for no queue', async () => {
    const fake = installFakeApi({ 'GET /api/v1/me': marketerSession });
    renderApp('/campaigns');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Incidents' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: /Reviews/ })).not.toBeInTheDocument();
    expect(fake.requestsTo('GET /api/v1/approvals')).toHaveLength(0);
  });
});
