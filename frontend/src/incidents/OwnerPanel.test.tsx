import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi, mara } from '../test/fakeApi';
import { fromNow } from '../test/fixtures';
import { assessing, routes, unowned } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';

describe('OwnerPanel', () => {
  it('counts down to escalation, shows the checklist of the current step and acknowledges', async () => {
    const fake = installFakeApi({ 'GET /api/v1/me': marketerSession, ...routes() });
    const acked = {
      ...unowned,
      owner: mara.id,
      acknowledged_at: fromNow(0),
      current_step: 'stop' as const,
      steps: unowned.steps.map((s) => ({ ...s, status: s.name === 'own' ? ('done' as const) : s.name === 'stop' ? ('active' as const) : s.status })),
    };
    fake.on('POST /api/v1/incidents/i1/acknowledge', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: acked });
      return { status: 200, body: acked };
    });
    const { user } = renderApp('/incidents/i1');

    expect(await screen.findByRole('heading', { level: 1, name: 'Wrong price in the subject' })).toBeInTheDocument();
    const own = screen.getByRole('region', { name: '1 · Own it' });
    expect(own).toHaveTextContent('Nobody owns this incident yet.');
    expect(await within(own).findByRole('timer')).toHaveTextContent(/Escalates in [34]:\d\d unless someone acknowledges/);
    expect(own).toHaveTextContent('Escalates to every marketer, Slack');
    expect(
      await screen.findByRole('region', { name: 'Checklist for step 1: Own it' }),
    ).toHaveTextContent('Acknowledge the incident and name one owner.');
    expect(screen.getByRole('region', { name: 'Timeline' })).toHaveTextContent('Opened the incident from the webhook');

    await user.click(within(own).getByRole('button', { name: 'Acknowledge' }));

    expect(fake.requestsTo('POST /api/v1/incidents/i1/acknowledge')[0]?.body).toEqual({ owner_id: mara.id });
    expect(await within(own).findByText('Mara Marketer (you)')).toBeInTheDocument();
    expect(within(own).queryByRole('timer')).not.toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Response steps' }).querySelector('[aria-current="step"]')).toHaveTextContent(
      'Stop the fire',
    );
  });

  it('names owners from /people and lets a marketer reassign, with a reason, never by re-acknowledging', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: assessing } }),
    });
    fake.on('POST /api/v1/incidents/i1/owner', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: { ...assessing, owner: mara.id } });
      return { status: 200, body: { ...assessing, owner: mara.id } };
    });
    const { user } = renderApp('/incidents/i1');

    const own = await screen.findByRole('region', { name: '1 · Own it' });
    expect(await within(own).findByText('Lee Legal')).toBeInTheDocument();
    expect(own).toHaveTextContent('Owner: Lee Legal');
    expect(within(own).queryByRole('button', { name: /Acknowledge|Take over|^Assign$/ })).not.toBeInTheDocument();
    const picker = within(own).getByLabelText('New owner');
    expect(within(picker).getAllByRole('option').map((o) => o.textContent)).toEqual(['Choose…', 'Me (Mara Marketer)']);
    await user.selectOptions(picker, 'Me (Mara Marketer)');
    const reassign = within(own).getByRole('button', { name: 'Reassign' });
    expect(reassign).toBeDisabled(); // a reason is required
    await user.type(within(own).getByLabelText('Reason for the change'), 'Lee is out today');
    await user.click(reassign);

    expect(fake.requestsTo('POST /api/v1/incidents/i1/owner')[0]?.body).toEqual({ owner_id: mara.id, reason: 'Lee is out today' });
    expect(fake.requestsTo('POST /api/v1/incidents/i1/acknowledge')).toHaveLength(0);
    expect(await within(own).findByText('Mara Marketer (you)')).toBeInTheDocument();
  });
});
