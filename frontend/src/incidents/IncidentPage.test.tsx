import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Runbook } from '../api/types';
import { apiError, installFakeApi, mara } from '../test/fakeApi';
import { campaign, fromNow, incident, legalUser } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

const triage: Runbook = {
  id: 'triage',
  title: 'Campaign paused, cause not yet known',
  description: 'Someone stopped a campaign.',
  severity: 'sev2',
  auto_pause: false,
  acknowledge: {
    deadline: '5m0s',
    deadline_seconds: 300,
    repeat: '10m0s',
    repeat_seconds: 600,
    escalation: [{ role: 'marketer' }, { slack: true }],
  },
  checklists: {
    own: ['Acknowledge the incident and name one owner.'],
    stop: [],
    assess: ['Read the blast radius.', 'Reclassify to the right runbook.'],
    plan: ['Give every task an owner and a due date.'],
  },
  tasks: [],
  involve: { legal: false, security: false },
  triggers: [],
  apology: { allowed: true, requires_approval: [] },
  monitoring: { window: '336h0m0s', window_seconds: 1209600 },
};

/** Owned by Lee, paused, on step 3 (the fixture's default). */
const assessing = incident({ owner: legalUser.id, acknowledged_at: fromNow(-120), paused_at: fromNow(-100) });

/** `inc` after its current step ended with `status`, and the next step active. */
function advanced(inc: typeof assessing, status: 'done' | 'skipped') {
  const order = inc.steps.map((s) => s.name);
  const next = order[order.indexOf(inc.current_step as (typeof order)[number]) + 1]!;
  return {
    ...inc,
    current_step: next,
    steps: inc.steps.map((s) =>
      s.name === inc.current_step
        ? { ...s, status, completed_at: fromNow(0), completed_by: 'Mara Marketer' }
        : s.name === next
          ? { ...s, status: 'active' as const, started_at: fromNow(0) }
          : s,
    ),
  };
}

function currentStep() {
  return screen.getByRole('list', { name: 'Response steps' }).querySelector('[aria-current="step"]');
}

const unowned = incident({
  current_step: 'own',
  detected_at: fromNow(-60),
  steps: incident().steps.map((s) => ({ ...s, status: s.name === 'own' ? 'active' : 'pending', completed_at: null })),
});

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/v1/incidents/i1': { status: 200, body: unowned },
    'GET /api/v1/runbooks/triage': { status: 200, body: triage },
    'GET /api/v1/runbooks': { status: 200, body: [triage] },
    'GET /api/v1/campaigns/c1': { status: 200, body: campaign() },
    'GET /api/v1/incidents/i1/assessment': {
      status: 200,
      body: {
        computed_at: null,
        totals: null,
        by_segment: [],
        cause: '',
        data_categories_exposed: [],
        pii_exposed: false,
        cost_estimate_cents: 0,
        notes: '',
        legal_required: false,
        security_required: false,
      },
    },
    'GET /api/v1/incidents/i1/tasks': { status: 200, body: [] },
    'GET /api/v1/incidents/i1/timeline': {
      status: 200,
      body: [{ at: fromNow(-60), actor: 'webhook', action: 'incident.open', data: { source: 'webhook', runbook: 'triage' } }],
    },
    ...extra,
  } as Parameters<typeof installFakeApi>[0];
}

describe('IncidentPage', () => {
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

  it('offers a legal reviewer no acknowledge, pause, reclassify or resolve', async () => {
    installFakeApi({ 'GET /api/v1/me': legalSession, ...routes() });
    renderApp('/incidents/i1');

    await screen.findByRole('heading', { level: 1, name: 'Wrong price in the subject' });
    await screen.findByText(/Not paused in Firebreak/);
    expect(screen.queryByRole('button', { name: /Acknowledge|Pause|Reclassify|Resolve/ })).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Resolve' })).toHaveTextContent("Only the incident's owner or an admin");
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

  it('asks for a reason before resolving with steps unfinished, and sends it', async () => {
    const mine = { ...assessing, owner: mara.id };
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: mine } }),
    });
    const resolved = { ...mine, status: 'resolved' as const, resolved_at: fromNow(0), current_step: '' as const };
    fake.on('POST /api/v1/incidents/i1/resolve', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: resolved });
      return { status: 200, body: resolved };
    });
    const { user } = renderApp('/incidents/i1');

    const panel = await screen.findByRole('region', { name: 'Resolve' });
    await user.click(await within(panel).findByRole('button', { name: 'Resolve incident' }));
    const dialog = screen.getByRole('dialog', { name: 'Resolve this incident?' });
    expect(dialog).toHaveTextContent('Steps not finished (Assess, Plan, Communicate, Proceed with caution)');
    const confirm = within(dialog).getByRole('button', { name: 'Resolve' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Reason'), 'Handled by phone with every customer');
    await user.click(confirm);

    expect(fake.requestsTo('POST /api/v1/incidents/i1/resolve')[0]?.body).toEqual({
      reason: 'Handled by phone with every customer',
    });
    expect(await screen.findByRole('status')).toHaveTextContent(/^Resolved .*The record below stays as it was\./);
  });

  it('holds a data breach for legal: the owner waits, a legal user confirms with a comment', async () => {
    const breach = { ...assessing, runbook: 'data-breach', owner: mara.id, legal_confirmation_required: true };
    installFakeApi({ 'GET /api/v1/me': marketerSession, ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: breach } }) });
    const first = renderApp('/incidents/i1');
    const panel = await screen.findByRole('region', { name: 'Resolve' });
    expect(await within(panel).findByRole('group', { name: 'Legal confirmation' })).toHaveTextContent('Waiting for legal');
    expect(within(panel).getByRole('button', { name: 'Resolve incident' })).toBeDisabled();
    expect(within(panel).queryByRole('button', { name: 'Confirm for legal' })).not.toBeInTheDocument();
    first.unmount();

    const confirmed = { ...breach, legal_confirmation: { by: legalUser.id, at: fromNow(0), comment: 'Regulator notified' } };
    const fake = installFakeApi({
      'GET /api/v1/me': legalSession,
      ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: breach } }),
    });
    fake.on('POST /api/v1/incidents/i1/legal-confirmation', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: confirmed });
      return { status: 200, body: confirmed };
    });
    const { user } = renderApp('/incidents/i1');
    const group = await screen.findByRole('group', { name: 'Legal confirmation' });
    await user.type(within(group).getByLabelText('What legal checked or decided'), 'Regulator notified');
    await user.click(within(group).getByRole('button', { name: 'Confirm for legal' }));

    expect(fake.requestsTo('POST /api/v1/incidents/i1/legal-confirmation')[0]?.body).toEqual({ comment: 'Regulator notified' });
    expect(await within(group).findByText(/Legal confirmed/)).toHaveTextContent('Legal confirmed: Lee Legal (you)');
    expect(group).toHaveTextContent('“Regulator notified”');
  });

  it('marks the current step done with the CSRF token and moves the strip on', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: assessing } }),
    });
    fake.on('POST /api/v1/incidents/i1/steps/assess/complete', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: advanced(assessing, 'done') });
      return { status: 200, body: advanced(assessing, 'done') };
    });
    const { user } = renderApp('/incidents/i1');

    const checklist = await screen.findByRole('region', { name: 'Checklist for step 3: Assess' });
    expect(currentStep()).toHaveTextContent('Assess');
    await user.click(within(checklist).getByRole('button', { name: 'Mark step done' }));

    const [post] = fake.requestsTo('POST /api/v1/incidents/i1/steps/assess/complete');
    expect(post?.headers.get('X-CSRF-Token')).toBe('csrf-from-me');
    expect(fake.requestsTo('POST /api/v1/incidents/i1/steps/assess/skip')).toHaveLength(0);
    expect(
      await screen.findByRole('region', { name: 'Checklist for step 4: Plan' }),
    ).toHaveTextContent('Give every task an owner and a due date.');
    expect(currentStep()).toHaveTextContent('Plan');
    expect(screen.getByRole('list', { name: 'Response steps' }).children[2]).toHaveTextContent(/Done \d\d:\d\d/);
  });

  it("shows the API's refusal of a skip in words", async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': legalSession,
      ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: assessing } }),
      'POST /api/v1/incidents/i1/steps/assess/skip': apiError(
        422,
        'invalid_step',
        'That step cannot be completed or skipped now: only the current step, or an earlier step still pending, can.',
        { step: 'assess', reason: 'the step is already done' },
      ),
    });
    const { user } = renderApp('/incidents/i1');

    // Legal holds incident.plan: it may finish steps, though not acknowledge or pause.
    const checklist = await screen.findByRole('region', { name: 'Checklist for step 3: Assess' });
    expect(within(checklist).getByRole('button', { name: 'Mark step done' })).toBeInTheDocument();
    await user.click(within(checklist).getByRole('button', { name: 'Skip step' }));

    expect(fake.requestsTo('POST /api/v1/incidents/i1/steps/assess/skip')[0]?.headers.get('X-CSRF-Token')).toBe(
      'csrf-from-me',
    );
    const alert = await within(checklist).findByRole('alert');
    expect(alert).toHaveTextContent(
      'Assess was not skipped: That step cannot be completed or skipped now: only the current step, or an earlier step still pending, can.',
    );
    expect(alert).toHaveTextContent('Why: the step is already done.');
    expect(alert).toHaveAttribute('data-error-code', 'invalid_step');
    expect(currentStep()).toHaveTextContent('Assess');
  });

  it('offers only Skip on step 2, and only when there is nothing to pause', async () => {
    const stopping = incident({
      owner: mara.id,
      acknowledged_at: fromNow(-60),
      current_step: 'stop',
      steps: incident().steps.map((s) =>
        s.name === 'stop' ? { ...s, status: 'active' as const, completed_at: null } : s.name === 'assess' ? { ...s, status: 'pending' as const } : s,
      ),
    });
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({
        'GET /api/v1/incidents/i1': { status: 200, body: stopping },
        'GET /api/v1/campaigns/c1': { status: 200, body: campaign({ status: 'sending' }) },
      }),
    });
    const { user, queryClient } = renderApp('/incidents/i1');

    const checklist = await screen.findByRole('region', { name: 'Checklist for step 2: Stop the fire' });
    await screen.findByRole('button', { name: 'Pause the campaign now' });
    expect(within(checklist).queryByRole('button', { name: /Mark step done|Skip step/ })).not.toBeInTheDocument();

    // The campaign never went out: nothing to pause, so the step can be skipped.
    fake.on('GET /api/v1/campaigns/c1', { status: 200, body: campaign({ status: 'draft' }) });
    fake.on('POST /api/v1/incidents/i1/steps/stop/skip', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: advanced(stopping, 'skipped') });
      return { status: 200, body: advanced(stopping, 'skipped') };
    });
    await queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    const skip = await within(checklist).findByRole('button', { name: 'Skip step' });
    expect(within(checklist).queryByRole('button', { name: 'Mark step done' })).not.toBeInTheDocument();
    expect(checklist).toHaveTextContent('The campaign has nothing left to pause');
    await user.click(skip);

    expect(fake.requestsTo('POST /api/v1/incidents/i1/steps/stop/skip')).toHaveLength(1);
    expect(fake.requestsTo('POST /api/v1/incidents/i1/steps/stop/complete')).toHaveLength(0);
    expect(await screen.findByRole('region', { name: 'Checklist for step 3: Assess' })).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Response steps' }).children[1]).toHaveTextContent('Skipped');
  });

  it('shows a missing incident in words', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/incidents/nope': {
        status: 404,
        body: { error: { code: 'incident_not_found', message: 'No incident has that id.', details: {} } },
      },
    });
    renderApp('/incidents/nope');
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the incident: No incident has that id.');
  });
});
