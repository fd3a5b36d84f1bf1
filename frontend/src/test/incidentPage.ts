/** The incident page's fake backend and fixtures, shared by the page's and its panels' tests. */
import { screen } from '@testing-library/react';
import type { Runbook } from '../api/types';
import type { installFakeApi } from './fakeApi';
import { campaign, fromNow, incident, legalUser } from './fixtures';

/** The runbook every incident page test opens with (GET /api/v1/runbooks/triage). */
export const triage: Runbook = {
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
  apology: { allowed: true, requires_approval: [], kinds: ['apology', 'correction'], reason: '' },
  monitoring: { window: '336h0m0s', window_seconds: 1209600, canary_percent: 10, canary_hold: '1h0m0s', canary_hold_seconds: 3600 },
};

/** Owned by Lee, paused, on step 3 (the fixture's default). */
export const assessing = incident({ owner: legalUser.id, acknowledged_at: fromNow(-120), paused_at: fromNow(-100) });

/** `inc` after its current step ended with `status`, and the next step active. */
export function advanced(inc: typeof assessing, status: 'done' | 'skipped') {
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

/** The step the strip marks as current. */
export function currentStep() {
  return screen.getByRole('list', { name: 'Response steps' }).querySelector('[aria-current="step"]');
}

/** Opened a minute ago and owned by nobody: step 1 is current. */
export const unowned = incident({
  current_step: 'own',
  detected_at: fromNow(-60),
  steps: incident().steps.map((s) => ({ ...s, status: s.name === 'own' ? 'active' : 'pending', completed_at: null })),
});

/**
 * The fake API of incident i1's page: the incident (`unowned` unless `extra`
 * replaces it), its runbook, campaign, empty assessment and tasks, and a
 * one-entry timeline, and no communication yet.
 */
export function routes(extra: Record<string, unknown> = {}) {
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
        why: {
            pii_exposed: 'No data category is marked exposed in the assessment.',
            legal_required: 'The Triage runbook does not involve legal and no personal data is marked exposed.',
            security_required:
              'The Triage runbook does not involve security and no credentials, payment, government ID or health data is marked exposed.',
          },
      },
    },
    'GET /api/v1/incidents/i1/tasks': { status: 200, body: [] },
    'GET /api/v1/incidents/i1/communications': { status: 200, body: [] },
    'GET /api/v1/incidents/i1/timeline': {
      status: 200,
      body: [{ at: fromNow(-60), actor: 'webhook', actor_name: null, action: 'incident.open', data: { source: 'webhook', runbook: 'triage' } }],
    },
    ...extra,
  } as Parameters<typeof installFakeApi>[0];
}
