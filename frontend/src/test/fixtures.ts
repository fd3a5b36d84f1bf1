/** Wire-shaped sample data for component tests. */
import type {
  Account,
  ApiToken,
  AssessmentNumbers,
  AssessmentSegment,
  Brand,
  Campaign,
  CampaignCaution,
  CampaignFix,
  CampaignReview,
  CampaignReviewApproval,
  Communication,
  EventSeries,
  Incident,
  IncidentStep,
  Task,
  User,
} from '../api/types';

/** A campaign's event series with no outcome yet (GET …/event-series). */
export const emptyEventSeries: EventSeries = {
  bucket: '1m',
  bucket_seconds: 60,
  totals: { delivered: 0, bounced: 0, blocked: 0, dropped: 0, deferred: 0, opened: 0, clicked: 0, complained: 0, unsubscribed: 0 },
  buckets: [],
};

/** One row of a blast radius with the rates the server computes (delivered and bounced of handed over, the rest of delivered). */
export function numbers(n: Omit<AssessmentNumbers, 'rates'>): AssessmentNumbers {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    ...n,
    rates: {
      delivered_rate: ratio(n.delivered, n.handed_to_esp),
      bounce_rate: ratio(n.bounced, n.handed_to_esp),
      complaint_rate: ratio(n.complained, n.delivered),
      unsubscribe_rate: ratio(n.unsubscribed, n.delivered),
    },
  };
}

/** A segment's row; `targeted` false for another membership of the campaign's recipients. */
export function segmentRow(segment: string, n: Omit<AssessmentNumbers, 'rates'>, targeted = true): AssessmentSegment {
  return { segment, targeted_by_campaign: targeted, ...numbers(n) };
}

export const legalUser: User = {
  id: '9a1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c22',
  email: 'lee@example.com',
  name: 'Lee Legal',
  roles: ['legal'],
};

export const securityUser: User = {
  id: '5b1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c33',
  email: 'sam@example.com',
  name: 'Sam Security',
  roles: ['security'],
};

export function campaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: 'c1',
    name: 'Spring sale',
    brand_id: 'b1',
    subject: '20% off tents',
    html: '<p>20% off tents this week.</p>',
    text: '20% off tents this week.',
    segments: ['spring-sale', 'vip'],
    send_buffer_seconds: 900,
    canary_percent: 0,
    canary_hold_seconds: 0,
    asm_group_id: null,
    status: 'sending',
    batch_id: 'batch-1',
    esp_pause: { state: 'none', at: null, error: '' },
    counts: {
      audience: 1200,
      handed_to_esp: 1000,
      held: 200,
      possibly_received: 1000,
      in_doubt: 0,
      failed: 0,
      delivered: 400,
      opened: 90,
      machine_opened: 10,
      clicked: 12,
      bounced: 6,
      hard_bounced: 4,
      blocked: 0,
      dropped: 0,
      deferred: 0,
      complained: 2,
      unsubscribed: 1,
      rates: { complaint_rate: 0.005, hard_bounce_rate: 0.004, drop_rate: 0 },
      withdrawn: 0,
    },
    stoppability: { catchable: 1000, catchable_until: '2030-06-03T14:32:00Z', next_deadline: '2030-06-03T14:32:00Z' },
    // Where those 1,200 are (they add up to the audience): 200 not handed, 594 stoppable, 400 delivered, 6 bounced.
    messages: {
      not_handed: 200,
      held_at_sendgrid: 0,
      stoppable: 594,
      stoppable_until: '2030-06-03T14:32:00Z',
      unstoppable: 0,
      delivered: 400,
      not_delivered: 6,
      in_doubt: 0,
      failed: 0,
    },
    failed_requests: 0,
    uncertain_requests: 0,
    last_error: '',
    canary_release_at: null,
    send_started_at: '2030-06-03T14:17:00Z',
    paused_at: null,
    finished_at: null,
    created_at: '2030-06-03T14:00:00Z',
    updated_at: '2030-06-03T14:17:00Z',
    content_version: 1,
    fix: null,
    caution: null,
    review: null,
    // Mara Marketer (test/fakeApi.ts's `mara`, the default signed-in user) created it.
    created_by: '6f1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c11',
    ...overrides,
  };
}

/**
 * Who may finish each step, as the server says (domain/auth/steps.go):
 * the step's finish_permission and the roles holding it.
 */
export function finishedBy(step: IncidentStep['name']): Pick<IncidentStep, 'finish_permission' | 'finish_roles'> {
  const rules: Record<IncidentStep['name'], Pick<IncidentStep, 'finish_permission' | 'finish_roles'>> = {
    own: { finish_permission: 'incident.acknowledge', finish_roles: ['marketer', 'admin'] },
    stop: { finish_permission: 'campaign.pause', finish_roles: ['marketer', 'security', 'admin'] },
    assess: { finish_permission: 'incident.assess', finish_roles: ['marketer', 'security', 'admin'] },
    plan: { finish_permission: 'incident.acknowledge', finish_roles: ['marketer', 'admin'] },
    communicate: { finish_permission: 'communication.draft', finish_roles: ['marketer', 'admin'] },
    monitor: { finish_permission: 'incident.resolve', finish_roles: ['marketer', 'admin'] },
  };
  return rules[step];
}

export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'i1',
    campaign_id: 'c1',
    runbook: 'triage',
    severity: 'sev2',
    status: 'open',
    summary: 'Wrong price in the subject',
    summary_generated: false,
    current_step: 'assess',
    steps: [
      { name: 'own', status: 'done', started_at: null, completed_at: '2030-06-03T14:20:00Z', completed_by: 'mara', ...finishedBy('own') },
      { name: 'stop', status: 'done', started_at: null, completed_at: '2030-06-03T14:20:01Z', completed_by: 'mara', ...finishedBy('stop') },
      { name: 'assess', status: 'active', started_at: '2030-06-03T14:20:01Z', completed_at: null, completed_by: '', ...finishedBy('assess') },
      { name: 'plan', status: 'pending', started_at: null, completed_at: null, completed_by: '', ...finishedBy('plan') },
      { name: 'communicate', status: 'pending', started_at: null, completed_at: null, completed_by: '', ...finishedBy('communicate') },
      { name: 'monitor', status: 'pending', started_at: null, completed_at: null, completed_by: '', ...finishedBy('monitor') },
    ],
    owner: null,
    source: 'dashboard',
    trigger: null,
    detected_at: '2030-06-03T14:20:00Z',
    acknowledged_at: null,
    paused_at: null,
    resolved_at: null,
    runbook_history: [],
    escalations: 0,
    last_escalated_at: null,
    time_to_acknowledge_seconds: null,
    time_to_pause_seconds: null,
    legal_confirmation_required: false,
    legal_confirmation: null,
    ...overrides,
  };
}

export function task(overrides: Partial<Task> = {}): Task {
  return {
    id: 't1',
    title: 'Find the cause',
    kind: 'internal',
    owner_id: null,
    owner_role: '',
    due_at: null,
    status: 'open',
    overdue: false,
    from_runbook: false,
    created_at: '2030-06-03T14:20:00Z',
    completed_at: null,
    ...overrides,
  };
}

/** An ISO time `seconds` from now (negative: in the past). */
export function fromNow(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}

/** A draft apology of incident i1 (GET /api/v1/communications/m1). */
export function communication(overrides: Partial<Communication> = {}): Communication {
  return {
    id: 'm1',
    incident_id: 'i1',
    kind: 'apology',
    status: 'draft',
    subject: 'We are sorry: our mistake in the Spring sale email',
    html: '<p>Dear {{first_name|customer}},</p><p>We are sorry: we sent you an offer meant for others.</p>',
    text: 'Dear {{first_name|customer}}, we are sorry: we sent you an offer meant for others.',
    reply_to: 'help@acme.example',
    scope: 'possibly_received',
    segments: [],
    include_previous: false,
    author_id: '6f1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c11',
    content_hash: 'hash-1',
    audience: { affected: 50, suppressed: 3, already_received: 5, will_receive: 42 },
    required_approvals: [],
    approvals: [],
    counts: {
      audience: 0,
      handed_to_esp: 0,
      held: 0,
      delivered: 0,
      opened: 0,
      bounced: 0,
      complained: 0,
      unsubscribed: 0,
      skipped_suppressed: 0,
    },
    batch_id: '',
    created_at: '2030-06-03T15:00:00Z',
    updated_at: '2030-06-03T15:00:00Z',
    sent_at: null,
    esp_state: 'none',
    esp_state_at: null,
    esp_error: '',
    paused_at: null,
    still_needed: [],
    halted_at: null,
    halt_reason: '',
    submitted_at: null,
    ...overrides,
  };
}

/**
 * A breach notice of incident i1 in review (hash-2), needing legal and
 * security, written by Mara: what a reviewer's queue and review page show.
 */
export function breachNotice(overrides: Partial<Communication> = {}): Communication {
  return communication({
    id: 'n1',
    kind: 'breach_notice',
    status: 'in_review',
    subject: 'Notice of Data Breach',
    html: '<h2>What Happened</h2>\n<p>On 3 June our email showed another customer\'s order.</p>\n<h2>What You Can Do</h2>\n<p>Change your password.</p>',
    text: 'What Happened\nOn 3 June our email showed another customer\'s order.\nWhat You Can Do\nChange your password.',
    content_hash: 'hash-2',
    required_approvals: ['legal', 'security'],
    still_needed: ['legal', 'security'],
    audience: { affected: 120, suppressed: 7, already_received: 0, will_receive: 113 },
    ...overrides,
  });
}

/** The brand campaigns c1… come from (GET /api/v1/brands). */
export function brand(overrides: Partial<Brand> = {}): Brand {
  return {
    id: 'b1',
    name: 'Acme Outdoor',
    from_email: 'news@acme.example',
    from_name: 'Acme Outdoor',
    reply_to: 'help@acme.example',
    logo_url: '',
    primary_color: '#1f6f5c',
    footer_html: '',
    physical_address: '1 Trail Way, Portland, OR',
    created_at: '2030-06-01T10:00:00Z',
    second_review: { enabled: false, audience_over: 10000, mentions: ['prices', 'codes', 'attachments'] },
    second_review_active: 'off',
    ...overrides,
  };
}

/** Campaign c1 as a draft (nothing sent, counts zero). */
export function draftCampaign(overrides: Partial<Campaign> = {}): Campaign {
  const zero = campaign().counts;
  return campaign({
    status: 'draft',
    batch_id: '',
    counts: Object.fromEntries(Object.entries(zero).map(([k, v]) => [k, typeof v === 'number' ? 0 : v])) as Campaign['counts'],
    stoppability: { catchable: 0, catchable_until: null, next_deadline: null },
    messages: {
      not_handed: 0,
      held_at_sendgrid: 0,
      stoppable: 0,
      stoppable_until: null,
      unstoppable: 0,
      delivered: 0,
      not_delivered: 0,
      in_doubt: 0,
      failed: 0,
    },
    send_started_at: null,
    ...overrides,
  });
}

/** A paused campaign's corrected content, not yet resumed (Campaign.fix). */
export function campaignFix(overrides: Partial<CampaignFix> = {}): CampaignFix {
  return {
    changed_at: '2030-06-03T14:30:00Z',
    changed_by: 'mara@example.com',
    fields: ['html'],
    withdraw: 180,
    hand_over: 20,
    not_resent: 1000,
    preflight: { ok: true, audience: 1200, problems: [] },
    ...overrides,
  };
}

// ---- step 6 in the dashboard, campaign side: caution and the second pair of eyes ----

/** Nico, a second marketer: may approve Mara's drafts (Campaign.created_by is Mara's id). */
export const nicoUser: User = {
  id: '7c1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c44',
  email: 'nico@example.com',
  name: 'Nico Marketer',
  roles: ['marketer'],
};

/** Ada, an admin: brand settings, and sending without the watch's canary. */
export const adminUser: User = {
  id: '8d1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c55',
  email: 'ada@example.com',
  name: 'Ada Admin',
  roles: ['admin'],
};

/** Campaign.caution: brand b1 watched after incident i1 until 9 Jun, a 10 % canary held 1 h. */
export function campaignCaution(overrides: Partial<CampaignCaution> = {}): CampaignCaution {
  return {
    incident_id: 'i1',
    runbook: 'wrong-content',
    window_end: '2030-06-09T14:00:00Z',
    reason: 'Watching Acme Outdoor after incident “Wrong price in the subject” until 9 Jun: sent as a 10 % canary held 1 h.',
    canary_percent: 10,
    canary_hold_seconds: 3600,
    overridden: false,
    override_reason: '',
    overridden_by: '',
    overridden_at: null,
    ...overrides,
  };
}

/** Campaign.review: over the audience threshold and a price in the subject, not approved yet (hash-c1). */
export function campaignReview(overrides: Partial<CampaignReview> = {}): CampaignReview {
  return {
    reasons: [
      { code: 'audience_over', detail: '12,400 recipients (over 10,000)' },
      { code: 'mentions_prices', detail: 'mentions a price: “20% off”' },
    ],
    mode: 'on',
    content_hash: 'hash-c1',
    approval: null,
    ...overrides,
  };
}

/** Nico's approval of hash-c1. */
export function reviewApproval(overrides: Partial<CampaignReviewApproval> = {}): CampaignReviewApproval {
  return {
    user_id: nicoUser.id,
    name: nicoUser.name,
    at: '2030-06-03T14:10:00Z',
    comment: 'Price checked against the offer sheet.',
    content_hash: 'hash-c1',
    ...overrides,
  };
}

// ---- step 6: monitoring, report, response times ----
// (imports are hoisted; kept in this block so the blocks of parallel work merge cleanly)
import type { Monitoring, MonitoringAlert, Report, ResponseMetrics } from '../api/types';

/**
 * Incident i1's step 6 while watching (GET /api/v1/incidents/i1/monitoring):
 * resolved two days into a 14-day window, a baseline of 7 sends, one send
 * (campaign c2) watched so far, no alert.
 */
export function monitoring(overrides: Partial<Monitoring> = {}): Monitoring {
  const rates = { machine_open_rate: 0, block_rate: 0 };
  return {
    status: 'watching',
    window: { start: '2030-06-04T10:00:00Z', end: '2030-06-18T10:00:00Z', days_left: 12.5 },
    baseline: {
      ...rates,
      sends: 7,
      delivered: 1130,
      bounce_rate: 0.02,
      complaint_rate: 0.0004,
      unsubscribe_rate: 0.002,
      open_rate: 0.21,
      from: '2030-05-04T14:20:00Z',
      to: '2030-06-03T14:20:00Z',
      enough_history: true,
      note: 'Baseline of 7 sends, 1,130 delivered, in the 30 days before the incident.',
      spread: { bounce_rate: 0.004, complaint_rate: 0.0002, unsubscribe_rate: 0.001 },
    },
    current: { ...rates, sends: 1, delivered: 255, bounce_rate: 0.03, complaint_rate: 0, unsubscribe_rate: 0, open_rate: 0.18 },
    thresholds: [
      { metric: 'complaint_rate', floor: 0.001, multiple: 2, threshold: 0.001, min_delivered: 200 },
      { metric: 'bounce_rate', floor: 0.02, multiple: 2, threshold: 0.04, min_delivered: 200 },
      { metric: 'unsubscribe_rate', floor: 0.01, multiple: 3, threshold: 0.01, min_delivered: 200 },
    ],
    series: [
      { at: '2030-06-05T09:00:00Z', delivered: 255, bounced: 8, complained: 0, unsubscribed: 0, opened: 46, machine_opened: 0, blocked: 0 },
    ],
    alerts: [],
    sends: [
      {
        ...rates,
        kind: 'campaign',
        id: 'c2',
        name: 'Summer restock',
        status: 'sending',
        started_at: '2030-06-05T09:00:00Z',
        canary: 'waiting',
        sends: 1,
        delivered: 255,
        bounce_rate: 0.03,
        complaint_rate: 0,
        unsubscribe_rate: 0,
        open_rate: 0.18,
      },
    ],
    ...overrides,
  };
}

/** The complaint alert on campaign c2 that reopened incident i1. */
export function monitoringAlert(overrides: Partial<MonitoringAlert> = {}): MonitoringAlert {
  return {
    at: '2030-06-05T09:30:00Z',
    metric: 'complaint_rate',
    value: 0.047,
    baseline: 0.0004,
    threshold: 0.001,
    send_kind: 'campaign',
    send_id: 'c2',
    send_name: 'Summer restock',
    delivered: 255,
    ...overrides,
  };
}

/** Incident i1's postmortem (GET /api/v1/incidents/i1/report), resolved, with one task and one sent apology. */
export function report(overrides: Partial<Report> = {}): Report {
  const inc = incident({
    status: 'resolved',
    owner: '6f1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c11',
    acknowledged_at: '2030-06-03T14:22:00Z',
    paused_at: '2030-06-03T14:20:30Z',
    resolved_at: '2030-06-04T10:00:00Z',
    time_to_acknowledge_seconds: 120,
    time_to_pause_seconds: 30,
  });
  return {
    incident: inc,
    generated_at: '2030-06-05T12:00:00Z',
    summary: 'Wrong price in the subject: 1,000 handed over, 200 held; resolved after 19 h 40 min.',
    durations: { to_acknowledge_seconds: 120, to_pause_seconds: 30, to_resolve_seconds: 70800 },
    timeline: [
      { at: '2030-06-03T14:20:00Z', actor: 'mara@example.com', actor_name: null, action: 'incident.open', data: { source: 'dashboard', runbook: 'triage' } },
      { at: '2030-06-04T10:00:00Z', actor: 'mara@example.com', actor_name: null, action: 'incident.resolve', data: { reason: 'Price corrected' } },
    ],
    assessment: {
      computed_at: '2030-06-03T14:40:00Z',
      totals: numbers({ targeted: 1200, handed_to_esp: 1000, held: 200, delivered: 950, opened: 300, clicked: 40, bounced: 12, complained: 3, unsubscribed: 2 }),
      by_segment: [
        segmentRow('spring-sale', { targeted: 1000, handed_to_esp: 850, held: 150, delivered: 800, opened: 250, clicked: 30, bounced: 10, complained: 2, unsubscribed: 1 }),
        segmentRow('vip', { targeted: 300, handed_to_esp: 200, held: 100, delivered: 190, opened: 70, clicked: 12, bounced: 2, complained: 1, unsubscribed: 1 }),
      ],
      cause: 'A typo in the price',
      data_categories_exposed: [],
      pii_exposed: false,
      cost_estimate_cents: 125000,
      cost_parts: { responder_hours: 10, hourly_rate_cents: 10000, send_cost_cents: 25000 },
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
    tasks: [
      task({ id: 't1', title: 'Honour the wrong price', status: 'done', owner_id: '6f1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c11', completed_at: '2030-06-03T18:00:00Z' }),
    ],
    communications: [
      communication({
        status: 'sent',
        sent_at: '2030-06-03T16:00:00Z',
        counts: { audience: 900, handed_to_esp: 900, held: 0, delivered: 880, opened: 400, bounced: 5, complained: 0, unsubscribed: 1, skipped_suppressed: 12 },
      }),
    ],
    monitoring: monitoring(),
    ...overrides,
  };
}

/** GET /api/v1/response-metrics for the last 30 days: two groups and their total. */
export function responseMetrics(overrides: Partial<ResponseMetrics> = {}): ResponseMetrics {
  const stats = (count: number, median: number | null, p90: number | null, max: number | null) => ({
    count,
    median_seconds: median,
    p90_seconds: p90,
    max_seconds: max,
  });
  return {
    from: '2030-05-06T12:00:00Z',
    to: '2030-06-05T12:00:00Z',
    total: {
      incidents: 5,
      to_acknowledge: stats(5, 180, 900, 1200),
      to_pause: stats(4, 20, 60, 60),
      to_resolve: stats(3, 86400, 172800, 172800),
    },
    groups: [
      {
        runbook: 'deliverability-spike',
        severity: 'sev2',
        incidents: 3,
        to_acknowledge: stats(3, 240, 1200, 1200),
        to_pause: stats(3, 1, 2, 2),
        to_resolve: stats(2, 86400, 172800, 172800),
      },
      {
        runbook: 'wrong-content',
        severity: 'sev3',
        incidents: 2,
        to_acknowledge: stats(2, 60, 180, 180),
        to_pause: stats(1, 60, 60, 60),
        to_resolve: stats(1, 3600, 3600, 3600),
      },
    ],
    ...overrides,
  };
}

// ---- issue 16: users and API tokens (GET /api/v1/users, GET /api/v1/users/{id}/tokens) ----

/** A user as GET /api/v1/users lists them: Mara, active, with a password. */
export function account(overrides: Partial<Account> = {}): Account {
  return {
    id: '6f1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c11',
    email: 'mara@example.com',
    name: 'Mara Marketer',
    roles: ['marketer'],
    has_password: true,
    created_at: '2030-06-01T09:00:00Z',
    disabled: false,
    disabled_at: null,
    ...overrides,
  };
}

/** An API token as listed: "ci", minted by Ada (the admin), used once, not revoked. */
export function apiToken(overrides: Partial<ApiToken> = {}): ApiToken {
  return {
    id: 't1',
    user_id: '6f1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c11',
    name: 'ci',
    prefix: 'fbk_ab12',
    created_by: '8d1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c55',
    created_at: '2030-06-02T10:00:00Z',
    last_used_at: '2030-06-03T11:15:30Z',
    revoked_at: null,
    ...overrides,
  };
}
