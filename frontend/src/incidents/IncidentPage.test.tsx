import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Runbook } from '../api/types';
import { installFakeApi, mara } from '../test/fakeApi';
import { campaign, fromNow, incident } from '../test/fixtures';
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
  },
  tasks: [],
  involve: { legal: false, security: false },
};

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
