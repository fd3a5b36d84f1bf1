/** Wire types shared by several features. Field names follow the JSON contract (DESIGN.md). */

/** The roles a user may hold; a user may hold several. */
export type Role = 'marketer' | 'legal' | 'security' | 'admin';

export interface User {
  id: string;
  email: string;
  name: string;
  /** Known roles are typed; an unknown future role is still shown as sent. */
  roles: Array<Role | (string & {})>;
}

/**
 * One entry of `GET /api/v1/people` (any signed-in role): who can own incidents
 * and tasks. Managing users stays admin-only at `/api/v1/users`.
 */
export interface Person {
  id: string;
  name: string;
  email: string;
  roles: Array<Role | (string & {})>;
}

/**
 * Answer of `POST /api/v1/session` and `GET /api/v1/me`. `csrf_token` is present
 * for cookie sessions; a bearer-token caller may get none.
 */
export interface SessionResponse {
  user: User;
  csrf_token?: string;
}

// ---- Campaigns (api/campaigns.go, domain/campaign) ----

export type CampaignStatus = 'draft' | 'sending' | 'paused' | 'cancelled' | 'sent' | 'failed';

/** SendGrid's plane of a pause: "paused" only once SendGrid accepted it. */
export type EspPauseState = 'none' | 'pending' | 'paused' | 'cancelled' | 'failed' | 'resumed';

export interface CampaignRates {
  complaint_rate: number;
  hard_bounce_rate: number;
  drop_rate: number;
}

export interface CampaignCounts {
  audience: number;
  handed_to_esp: number;
  held: number;
  possibly_received: number;
  in_doubt: number;
  failed: number;
  delivered: number;
  opened: number;
  machine_opened: number;
  clicked: number;
  bounced: number;
  hard_bounced: number;
  blocked: number;
  dropped: number;
  deferred: number;
  complained: number;
  unsubscribed: number;
  rates: CampaignRates;
}

export interface Stoppability {
  catchable: number;
  catchable_until: string | null;
  next_deadline: string | null;
}

export interface Campaign {
  id: string;
  name: string;
  brand_id: string;
  subject: string;
  segments: string[];
  send_buffer_seconds: number;
  canary_percent: number;
  canary_hold_seconds: number;
  status: CampaignStatus;
  batch_id: string;
  esp_pause: { state: EspPauseState; at: string | null; error: string };
  counts: CampaignCounts;
  stoppability: Stoppability;
  failed_requests: number;
  uncertain_requests: number;
  last_error: string;
  canary_release_at: string | null;
  send_started_at: string | null;
  paused_at: string | null;
  finished_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface PauseResponse {
  campaign: Campaign;
  incident_id: string | null;
}

/** One stored SendGrid event (GET /api/v1/events). */
export interface EventRow {
  id: number;
  event: string;
  email: string;
  occurred_at: string;
  received_at: string;
  campaign_id: string | null;
}

// ---- Incidents (api/incidents.go, domain/incident) ----

export type StepName = 'own' | 'stop' | 'assess' | 'plan' | 'communicate' | 'monitor';
export type StepStatus = 'pending' | 'active' | 'done' | 'skipped';
export type IncidentSource = 'dashboard' | 'api' | 'webhook';

export interface IncidentStep {
  name: StepName;
  status: StepStatus;
  started_at: string | null;
  completed_at: string | null;
  completed_by: string;
}

export interface IncidentTrigger {
  rule: string;
  metric: string;
  value: number;
  threshold: number;
  window: string;
  suggests?: string;
}

export interface RunbookChange {
  from: string;
  to: string;
  at: string;
  by: string;
}

export interface Incident {
  id: string;
  campaign_id: string;
  runbook: string;
  severity: string;
  status: 'open' | 'resolved';
  summary: string;
  current_step: StepName | '';
  steps: IncidentStep[];
  owner: string | null;
  source: IncidentSource;
  trigger: IncidentTrigger | null;
  detected_at: string;
  acknowledged_at: string | null;
  paused_at: string | null;
  resolved_at: string | null;
  runbook_history: RunbookChange[] | null;
  escalations: number;
  last_escalated_at: string | null;
  time_to_acknowledge_seconds: number | null;
  time_to_pause_seconds: number | null;
  /** Resolving needs a legal user's confirmation first (runbook data-breach). */
  legal_confirmation_required: boolean;
  /** The latest legal sign-off (POST …/legal-confirmation); null until given. */
  legal_confirmation: LegalConfirmation | null;
}

export interface LegalConfirmation {
  /** The legal user's id. */
  by: string;
  at: string;
  comment: string;
}

export interface Runbook {
  id: string;
  title: string;
  description: string;
  severity: string;
  auto_pause: boolean;
  acknowledge: {
    deadline: string;
    deadline_seconds: number;
    repeat: string;
    repeat_seconds: number;
    escalation: Array<{ role?: string; email?: string; slack?: boolean }>;
  };
  checklists: Partial<Record<StepName, string[]>>;
  tasks: Array<{ title: string; kind: string; owner_role: string; due: string; due_seconds: number }>;
  involve: { legal: boolean; security: boolean };
}

export interface AssessmentNumbers {
  targeted: number;
  handed_to_esp: number;
  held: number;
  delivered: number;
  opened: number;
  clicked: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
}

export interface AssessmentSegment extends AssessmentNumbers {
  segment: string;
}

export const DATA_CATEGORIES = [
  'email_address',
  'name',
  'postal_address',
  'purchase_history',
  'credentials',
  'payment',
  'government_id',
  'health',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export interface Assessment {
  computed_at: string | null;
  totals: AssessmentNumbers | null;
  by_segment: AssessmentSegment[];
  cause: string;
  data_categories_exposed: string[];
  pii_exposed: boolean;
  cost_estimate_cents: number;
  notes: string;
  legal_required: boolean;
  security_required: boolean;
}

export interface AssessmentPatch {
  cause?: string;
  data_categories_exposed?: string[];
  cost_estimate_cents?: number;
  notes?: string;
}

export const TASK_KINDS = ['internal', 'communication', 'compensation', 'systemic', 'legal'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export interface Task {
  id: string;
  title: string;
  kind: TaskKind | (string & {});
  owner_id: string | null;
  owner_role: string;
  due_at: string | null;
  status: 'open' | 'done';
  overdue: boolean;
  from_runbook: boolean;
  created_at: string;
  completed_at: string | null;
}

export interface NewTask {
  title: string;
  kind: TaskKind;
  owner_id: string;
  due_at?: string;
}

export interface TaskPatch {
  status?: 'open' | 'done';
  owner_id?: string;
  due_at?: string;
}

export interface TimelineEntry {
  at: string;
  actor: string;
  action: string;
  data: Record<string, unknown>;
}
