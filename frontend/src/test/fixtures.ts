/** Wire-shaped sample data for component tests. */
import type { Brand, Campaign, CampaignFix, Communication, Incident, Task, User } from '../api/types';

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
    ...overrides,
  };
}

export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'i1',
    campaign_id: 'c1',
    runbook: 'triage',
    severity: 'sev2',
    status: 'open',
    summary: 'Wrong price in the subject',
    current_step: 'assess',
    steps: [
      { name: 'own', status: 'done', started_at: null, completed_at: '2030-06-03T14:20:00Z', completed_by: 'mara' },
      { name: 'stop', status: 'done', started_at: null, completed_at: '2030-06-03T14:20:01Z', completed_by: 'mara' },
      { name: 'assess', status: 'active', started_at: '2030-06-03T14:20:01Z', completed_at: null, completed_by: '' },
      { name: 'plan', status: 'pending', started_at: null, completed_at: null, completed_by: '' },
      { name: 'communicate', status: 'pending', started_at: null, completed_at: null, completed_by: '' },
      { name: 'monitor', status: 'pending', started_at: null, completed_at: null, completed_by: '' },
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
