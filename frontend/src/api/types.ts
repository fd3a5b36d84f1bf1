/**
 * Wire types shared by several features: names for the shapes in
 * `openapi.gen.ts`, which is generated from `api/openapi.json` (`make generate`).
 * Nothing here declares a shape of its own, so the dashboard compiles only
 * against what the API documents; the Go side is held to the same file by
 * `api/contract_test.go`. Two runtime lists (for pickers) are checked against
 * their generated enums at compile time.
 */
import type { components, paths } from './openapi.gen';

type Schemas = components['schemas'];

/** The JSON answer of an operation, by path, method and status. */
type Answer<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/** The JSON request body of an operation. */
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

// ---- Who is signed in (api/session.go, domain/auth) ----

/** `POST /api/v1/session`'s body. */
export type Credentials = Body<'/api/v1/session', 'post'>;

/** The roles a user may hold; a user may hold several. */
export type Role = Schemas['Role'];
/** One thing a caller may do (domain/auth/permissions.go); `/me` lists the caller's. */
export type Permission = Schemas['Permission'];
/**
 * Answer of `POST /api/v1/session` and `GET /api/v1/me`. `csrf_token` is present
 * for cookie sessions; a bearer-token caller may get none.
 */
export type SessionResponse = Schemas['Me'];
export type User = SessionResponse['user'];
/**
 * One entry of `GET /api/v1/people` (any signed-in role): who can own incidents
 * and tasks. Managing users stays admin-only at `/api/v1/users`.
 */
export type Person = Answer<'/api/v1/people', 'get', 200>[number];

// ---- Campaigns (api/campaigns.go, domain/campaign) ----

export type CampaignStatus = Schemas['CampaignStatus'];
/** SendGrid's plane of a pause: "paused" only once SendGrid accepted it. */
export type EspPauseState = Schemas['ESPPauseState'];
export type CampaignCounts = Schemas['Counts'];
export type CampaignRates = CampaignCounts['rates'];
export type Stoppability = Schemas['Stoppability'];
export type Campaign = Schemas['Campaign'];
export type PauseResponse = Answer<'/api/v1/campaigns/{id}/pause', 'post', 200>;
/** Set while a paused campaign has corrected content not yet resumed: what Resume will do. */
export type CampaignFix = Schemas['CampaignFix'];
/** `POST /api/v1/campaigns`: a draft. */
export type NewCampaign = Schemas['CampaignRequest'];
/** `PATCH /api/v1/campaigns/{id}`: a draft's fields, or a paused campaign's content. */
export type CampaignPatch = Schemas['CampaignPatch'];
export type CampaignPreview = Schemas['CampaignPreview'];
/** The campaign preflight (`POST …/preflight`, and `fix.preflight`). */
export type CampaignPreflight = Schemas['Preflight'];
export type CampaignProblem = Schemas['Problem'];
export type CampaignProblemCode = CampaignProblem['code'];
export type CampaignSendResponse = Answer<'/api/v1/campaigns/{id}/send', 'post', 202>;
export type CampaignTestRequest = Body<'/api/v1/campaigns/{id}/test', 'post'>;
export type CampaignTestResponse = Answer<'/api/v1/campaigns/{id}/test', 'post', 202>;
/** `GET /api/v1/audience`: the live audience of some segments, minus suppressions. */
export type AudienceEstimate = Schemas['AudienceEstimate'];
export type Brand = Schemas['Brand'];
/** Step 6: the brand is watched after an incident, so a send goes out as a canary (or an admin overrode it). */
export type CampaignCaution = Schemas['CampaignCaution'];
/** `POST …/send`'s optional body: an admin's reason to send without the watch's canary. */
export type CampaignSendRequest = Body<'/api/v1/campaigns/{id}/send', 'post'>;
/** The brand's "second pair of eyes" settings (Brand.second_review, PATCH /api/v1/brands/{id}). */
export type SecondReview = Schemas['SecondReview'];
export type SecondReviewMention = SecondReview['mentions'][number];
export type BrandPatch = Schemas['BrandPatch'];
/** Why a draft needs a second marketer's approval, and the approval for its current content. */
export type CampaignReview = Schemas['CampaignReview'];
export type CampaignReviewReason = Schemas['CampaignReviewReason'];
export type CampaignReviewApproval = Schemas['CampaignReviewApproval'];
export type CampaignApproveRequest = Body<'/api/v1/campaigns/{id}/approve', 'post'>;

/** What a brand's second pair of eyes can look for, in the order the brand form offers them. */
export const SECOND_REVIEW_MENTIONS = ['prices', 'codes', 'attachments'] as const satisfies readonly SecondReviewMention[];
const secondReviewMentionsComplete: Exhaustive<SecondReviewMention, typeof SECOND_REVIEW_MENTIONS> = SECOND_REVIEW_MENTIONS;
void secondReviewMentionsComplete;

// ---- Recipients (api/recipients.go) ----

export type Segment = Schemas['Segment'];
export type ImportResult = Schemas['ImportResult'];
export type RejectedRow = ImportResult['rejected'][number];

/** One stored SendGrid event (GET /api/v1/events). */
export type EventRow = Answer<'/api/v1/events', 'get', 200>[number];

/** A campaign's outcomes per time bucket over its whole life (GET /api/v1/campaigns/{id}/event-series). */
export type EventSeries = Schemas['EventSeries'];
export type EventSeriesBucket = EventSeries['buckets'][number];
export type EventSeriesCounts = Schemas['EventSeriesCounts'];

// ---- Incidents (api/incidents.go, domain/incident) ----

export type StepName = Schemas['StepName'];
export type IncidentStep = Schemas['IncidentStep'];
export type StepStatus = IncidentStep['status'];
export type IncidentSource = Schemas['IncidentSource'];
export type IncidentTrigger = Schemas['IncidentTrigger'];
export type RunbookChange = Schemas['RunbookChange'];
export type Incident = Schemas['Incident'];
export type Runbook = Schemas['Runbook'];

export type AssessmentNumbers = Schemas['AssessmentNumbers'];
export type AssessmentSegment = Schemas['AssessmentSegment'];
export type AssessmentRates = Schemas['AssessmentRates'];
export type DataCategory = Schemas['DataCategory'];
export type Assessment = Schemas['Assessment'];
export type AssessmentPatch = Schemas['AssessmentPatch'];

export type TaskKind = Schemas['TaskKind'];
export type Task = Schemas['Task'];
export type NewTask = Body<'/api/v1/incidents/{id}/tasks', 'post'>;
export type TaskPatch = Body<'/api/v1/incidents/{id}/tasks/{task_id}', 'patch'>;
export type TimelineEntry = Schemas['TimelineEntry'];

// ---- Communications, step 5 (api/communications.go, domain/communication) ----

export type CommunicationKind = Schemas['CommunicationKind'];
export type CommunicationStatus = Schemas['CommunicationStatus'];
export type CommunicationScope = Schemas['CommunicationScope'];
export type CommunicationAudience = Schemas['CommunicationAudience'];
export type CommunicationCounts = Schemas['CommunicationCounts'];
export type Communication = Schemas['Communication'];
export type AffectedPage = Schemas['AffectedPage'];
export type CommunicationProblem = Schemas['CommunicationProblem'];
export type CommunicationProblemCode = CommunicationProblem['code'];
export type CommunicationPreflight = Schemas['CommunicationPreflight'];
export type NewCommunication = Body<'/api/v1/incidents/{id}/communications', 'post'>;
export type CommunicationPatch = Body<'/api/v1/communications/{cid}', 'patch'>;
export type CommunicationPreview = Answer<'/api/v1/communications/{cid}/preview', 'get', 200>;
export type CommunicationSendResponse = Answer<'/api/v1/communications/{cid}/send', 'post', 202>;

// ---- Approvals (api/approvals.go, domain/communication/approval.go) ----

/** One decision of the current round (withdrawn ones are only in the history). */
export type CommunicationApproval = Schemas['CommunicationApproval'];
export type CommunicationVersion = Schemas['CommunicationVersion'];
export type CommunicationDecision = Schemas['CommunicationDecision'];
export type CommunicationHistory = Schemas['CommunicationHistory'];
export type SuppressedRecipient = Schemas['SuppressedRecipient'];
export type ApproveRequest = Body<'/api/v1/communications/{cid}/approve', 'post'>;
export type RejectRequest = Body<'/api/v1/communications/{cid}/reject', 'post'>;

/** The scopes, in the order the composer offers them (the default first). */
export const COMMUNICATION_SCOPES = ['possibly_received', 'delivered', 'opened'] as const satisfies readonly CommunicationScope[];
const communicationScopesComplete: Exhaustive<CommunicationScope, typeof COMMUNICATION_SCOPES> = COMMUNICATION_SCOPES;
void communicationScopesComplete;

/**
 * Every value of `U`, each once, in a chosen order: a list missing one (or
 * naming one the schema lacks) does not compile.
 */
type Exhaustive<U extends string, L extends readonly U[]> = [U] extends [L[number]] ? L : never;

/** The data categories, in the order the assessment offers them. */
export const DATA_CATEGORIES = [
  'email_address',
  'name',
  'postal_address',
  'purchase_history',
  'credentials',
  'payment',
  'government_id',
  'health',
] as const satisfies readonly DataCategory[];
const dataCategoriesComplete: Exhaustive<DataCategory, typeof DATA_CATEGORIES> = DATA_CATEGORIES;

/** The task kinds, in the order the task form offers them. */
export const TASK_KINDS = [
  'internal',
  'communication',
  'compensation',
  'systemic',
  'legal',
] as const satisfies readonly TaskKind[];
const taskKindsComplete: Exhaustive<TaskKind, typeof TASK_KINDS> = TASK_KINDS;

void dataCategoriesComplete;
void taskKindsComplete;

// ---- Step 6: monitoring, the report, the breach register, response times ----
// (api/monitoring.go, api/reports.go, domain/monitoring, domain/postmortem)

export type Monitoring = Schemas['Monitoring'];
export type MonitoringStatus = Monitoring['status'];
export type MonitoringRates = Schemas['MonitoringRates'];
export type MonitoringBaseline = Schemas['MonitoringBaseline'];
export type MonitoringThreshold = Schemas['MonitoringThreshold'];
export type MonitoringAlert = Schemas['MonitoringAlert'];
export type MonitoringSend = Schemas['MonitoringSend'];
/** The postmortem (GET /api/v1/incidents/{id}/report). */
export type Report = Schemas['Report'];
/** One row of GET /api/v1/breach-register (legal and admin). */
export type BreachRecord = Schemas['BreachRecord'];
/** GET /api/v1/response-metrics: how fast incidents were handled. */
export type ResponseMetrics = Schemas['ResponseMetrics'];
export type ResponseMetricsGroup = Schemas['ResponseMetricsGroup'];
export type DurationStats = Schemas['DurationStats'];

// ---- Users and API tokens, for admins (api/users.go, domain/user) ----

/** One entry of `GET /api/v1/users` (user.manage): roles, whether they may sign in, since when disabled. */
export type Account = Schemas['User'];
/** `POST /api/v1/users`: email, name, roles, and an optional password (without it: tokens only). */
export type NewAccount = Body<'/api/v1/users', 'post'>;
/** `PATCH /api/v1/users/{id}`: name, roles or disabled; disabling ends sessions and revokes tokens. */
export type AccountPatch = Body<'/api/v1/users/{id}', 'patch'>;
/** `DELETE /api/v1/users/{id}/sessions`: how many sessions ended. */
export type SessionsRevoked = Answer<'/api/v1/users/{id}/sessions', 'delete', 200>;
/** An API token as listed (never its secret) or as created (`token` holds the secret, once). */
export type ApiToken = Schemas['Token'];
/** `POST /api/v1/tokens`: whom the token acts as (by email) and what it is for. */
export type NewApiToken = Body<'/api/v1/tokens', 'post'>;
/** Every role, in the order the dashboard offers them. */
export const ROLES = ['marketer', 'legal', 'security', 'admin'] as const satisfies readonly Role[];
const rolesComplete: Exhaustive<Role, typeof ROLES> = ROLES;
void rolesComplete;
