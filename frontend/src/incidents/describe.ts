import type { Incident, IncidentTrigger, TimelineEntry } from '../api/types';
import { formatCount, formatDateTime, formatDuration, formatRate, humanize } from '../lib/format';
import { stepTitle } from './steps';

export const SOURCE_LABELS: Record<string, string> = {
  dashboard: 'dashboard',
  api: 'API',
  webhook: 'webhook',
};

/** "complaint-spike: complaint rate 5.00 % ≥ 0.30 % (15 of 300 delivered)". */
export function describeTrigger(t: IncidentTrigger): string {
  const window = t.window ? ` (${t.window})` : '';
  return `${t.rule}: ${humanize(t.metric)} ${formatRate(t.value)} ≥ ${formatRate(t.threshold)}${window}`;
}

export function severityTone(severity: string): 'danger' | 'warn' | 'info' | 'muted' {
  if (severity === 'sev1') return 'danger';
  if (severity === 'sev2') return 'warn';
  if (severity === 'sev3') return 'info';
  return 'muted';
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

const KIND_WORDS: Record<string, string> = { apology: 'apology', correction: 'correction', breach_notice: 'breach notice' };

function kindOf(d: Record<string, unknown>): string {
  return KIND_WORDS[str(d.kind)] ?? 'communication';
}

function role(d: Record<string, unknown>): string {
  return d.role ? ` as ${str(d.role)}` : '';
}

/** Step 5's entries (communication.*), by action: a label table for the timeline. */
const COMMUNICATION_ACTIONS: Record<string, (d: Record<string, unknown>) => string> = {
  'communication.create': (d) => `Drafted the ${kindOf(d)}`,
  'communication.update': (d) => `Edited the ${kindOf(d)}`,
  'communication.submit': (d) =>
    d.status === 'approved'
      ? `Submitted the ${kindOf(d)}: no approval needed`
      : `Submitted the ${kindOf(d)} for review${
          Array.isArray(d.required_approvals) && d.required_approvals.length > 0
            ? ` by ${d.required_approvals.map(str).join(' and ')}`
            : ''
        }`,
  'communication.approve': (d) => `Approved the ${kindOf(d)}${role(d)}${d.comment ? `: “${str(d.comment)}”` : ''}`,
  'communication.approved': (d) => `The ${kindOf(d)} is approved by every required role`,
  'communication.reject': (d) => `Rejected the ${kindOf(d)}${role(d)}: “${str(d.reason ?? d.comment)}”`,
  'communication.approvals_withdrawn': (d) => `Approvals of the ${kindOf(d)} withdrawn: ${str(d.reason) || 'it changed'}`,
  'communication.send': (d) => `Sent the ${kindOf(d)}`,
  'communication.halted': (d) =>
    `The ${kindOf(d)} was halted${d.reason ? `: ${str(d.reason)}` : d.rule ? ` by ${str(d.rule)}` : ''}`,
  'communication.pause': (d) => `Paused the ${kindOf(d)}`,
  'communication.resume': (d) => `Resumed the ${kindOf(d)}`,
  'communication.cancel': (d) => `Cancelled the ${kindOf(d)}`,
};

const METRIC_WORDS: Record<string, string> = {
  complaint_rate: 'complaint rate',
  bounce_rate: 'hard bounce rate',
  unsubscribe_rate: 'unsubscribe rate',
};

/** A step-6 alert as the timeline records it (incident.MonitoringAlert): "complaint rate of campaign “X” 1.20 % ≥ 0.10 % …". */
function describeAlert(v: unknown): string {
  const a = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const metric = METRIC_WORDS[str(a.metric)] ?? humanize(str(a.metric));
  const send = `${str(a.send_kind) || 'send'} “${str(a.send_name)}”`;
  const numbers = `${formatRate(Number(a.value))} ≥ ${formatRate(Number(a.threshold))} (baseline ${formatRate(
    Number(a.baseline),
  )}, ${formatCount(Number(a.delivered ?? 0))} delivered)`;
  const elsewhere = a.window_of ? `; raised by the watch window of incident ${str(a.window_of)}` : '';
  return `${metric} of ${send} ${numbers}; the send is paused${elsewhere}`;
}

/** Step 6's entries, and the cautious sends of a watched brand (campaign.*, brand.*), by action. */
const STEP6_ACTIONS: Record<string, (d: Record<string, unknown>) => string> = {
  'incident.watch_started': (d) =>
    `Step 6 started: watching the brand's sends until ${formatDateTime(str(d.end))}${d.baseline ? `. ${str(d.baseline)}` : ''}`,
  'incident.reopened': (d) => `Reopened by a step 6 alert: ${describeAlert(d.alert)}`,
  'incident.monitoring_alert': (d) => `Step 6 alert: ${describeAlert(d.alert)}`,
  'campaign.caution_applied': (d) =>
    `Sent cautiously while the brand is watched${d.reason ? `: ${str(d.reason)}` : ''}`,
  'campaign.caution_override': (d) =>
    `Sent without the watch's canary (admin override)${
      d.reason || d.override_reason ? `: “${str(d.reason ?? d.override_reason)}”` : ''
    }`,
  'campaign.review_approved': () => 'Approved the campaign as its second pair of eyes',
  'campaign.review_withdrawn': (d) => `The campaign's review approval was withdrawn${d.reason ? `: ${str(d.reason)}` : ''}`,
  'brand.second_review': (d) =>
    typeof d.enabled === 'boolean'
      ? `Turned the brand's second pair of eyes ${d.enabled ? 'on' : 'off'}`
      : "Changed the brand's second pair of eyes",
};

/** Who a user id is, for a sentence ("Mara Diaz"); the timeline passes the directory's. */
export type NameOf = (id: string) => string;

const someone: NameOf = () => 'someone';

function seconds(v: unknown): string {
  return typeof v === 'number' ? formatDuration(v) : '';
}

/** Campaign entries mirrored on the incident's timeline (campaign.*), by action. */
const CAMPAIGN_ACTIONS: Record<string, (d: Record<string, unknown>) => string> = {
  'campaign.send': () => 'Started sending the campaign',
  'campaign.pause': (d) => `Paused the campaign${d.reason ? `: “${str(d.reason)}”` : ''}`,
  'campaign.resume': (d) => `Resumed the campaign${d.reason ? `: “${str(d.reason)}”` : ''}`,
  'campaign.cancel': () => 'Cancelled the rest of the campaign',
  'campaign.fix_refused': (d) => `The corrected content was refused; the campaign stays paused${d.reason ? `: ${str(d.reason)}` : ''}`,
  'campaign.send_in_doubt': (d) =>
    `Sent the ${formatCount(Number(d.released ?? d.count ?? 0))} recipients left in doubt again (they may get it twice)`,
};

/** A timeline entry as a sentence whose subject is the entry's actor. */
export function describeEntry(e: TimelineEntry, nameOf: NameOf = someone): string {
  const d = e.data;
  switch (e.action) {
    case 'incident.open': {
      const runbook = d.runbook ? ` with runbook ${humanize(str(d.runbook))}` : '';
      const t = d.trigger as IncidentTrigger | undefined;
      if (t && typeof t === 'object' && t.rule) {
        return `Opened the incident${runbook}: the ${t.rule} rule fired (${describeTrigger(t).replace(`${t.rule}: `, '')})`;
      }
      const src = SOURCE_LABELS[str(d.source)] ?? str(d.source);
      return `Opened the incident${src ? ` from the ${src}` : ''}${runbook}${d.summary ? `: “${str(d.summary)}”` : ''}`;
    }
    case 'incident.acknowledge': {
      const after = seconds(d.seconds_to_acknowledge);
      return `Acknowledged the incident${d.owner_id ? `; ${nameOf(str(d.owner_id))} owns it` : ''}${after ? ` (${after} after detection)` : ''}`;
    }
    case 'incident.reassign':
      return `Handed the incident${d.from ? ` from ${nameOf(str(d.from))}` : ''}${d.to ? ` to ${nameOf(str(d.to))}` : ''}${
        d.reason ? `: “${str(d.reason)}”` : ''
      }`;
    case 'incident.legal_confirm':
      return `Gave legal's confirmation that the incident may close: “${str(d.comment)}”`;
    case 'incident.pause': {
      const after = seconds(d.seconds_to_pause);
      return `Recorded the campaign as paused${after ? ` (${after} after detection)` : ''}; step “Stop the fire” is done${
        d.summary ? `. Title now “${str(d.summary)}”` : ''
      }`;
    }
    case 'incident.step_complete':
      return `Completed step “${stepTitle(str(d.step))}”${d.reason ? `: ${str(d.reason)}` : ''}`;
    case 'incident.step_skip':
      return `Skipped step “${stepTitle(str(d.step))}”`;
    case 'incident.reclassify': {
      const sev = d.severity && d.severity_from && d.severity !== d.severity_from ? `; severity ${str(d.severity_from)} → ${str(d.severity)}` : '';
      const legal = d.legal_confirmation_withdrawn ? "; legal's confirmation withdrawn" : '';
      const title = d.summary ? `; title now “${str(d.summary)}”` : '';
      // old_tasks (since issue 16): what happened to the old runbook's open tasks.
      const titles = (v: unknown) => (Array.isArray(v) ? v.map((t) => `“${str((t as { title?: unknown })?.title)}”`) : []);
      const cancelled = titles(d.tasks_cancelled);
      const kept = titles(d.tasks_kept);
      const theirs = (n: number) => `the ${humanize(str(d.from))} runbook's ${n === 1 ? 'open task' : `${n} open tasks`}`;
      const tasks =
        cancelled.length > 0
          ? `; closed ${theirs(cancelled.length)} as no longer needed: ${cancelled.join(', ')}`
          : kept.length > 0
            ? `; kept ${theirs(kept.length)} open: ${kept.join(', ')}`
            : '';
      return `Reclassified from ${humanize(str(d.from))} to ${humanize(str(d.to))}${sev}${legal}${title}${tasks}`;
    }
    case 'incident.escalate': {
      const waited = seconds(d.unacknowledged_seconds);
      const targets = Array.isArray(d.targets) && d.targets.length > 0 ? d.targets.map((t) => (t === 'slack' ? 'the Slack channel' : str(t).replace(/^role:/, 'every '))).join(', ') : '';
      // delivery (since issue 16) says what actually went out, what failed and why, or that no channel was configured.
      const delivery = d.delivery ? `: ${str(d.delivery)}` : d.notify_error ? ` (sending failed: ${str(d.notify_error)})` : '';
      return `Escalated: nobody acknowledged${waited ? ` within ${waited}` : ' in time'}${targets ? `; notified ${targets}` : ''}${delivery}`;
    }
    case 'incident.notify': {
      const about = d.about ? str(d.about) : 'notification';
      return `${about.charAt(0).toUpperCase()}${about.slice(1)} notification: ${d.delivery ? str(d.delivery) : 'sent'}`;
    }
    case 'incident.resolve':
      return `Resolved the incident${d.reason ? `: “${str(d.reason)}”` : ''}${d.summary ? `. Closing summary: “${str(d.summary)}”` : ''}`;
    case 'incident.note':
      return str(d.text);
    case 'incident.assess':
      return `Computed the assessment: ${formatCount(Number(d.handed_to_esp ?? 0))} handed over, ${formatCount(Number(d.held ?? 0))} held, ${formatCount(Number(d.complained ?? 0))} complaints`;
    case 'incident.assessment_edit':
      return 'Edited the assessment';
    case 'incident.task_add':
      return `Added the ${str(d.kind) ? `${humanize(str(d.kind))} ` : ''}task${d.title ? ` “${str(d.title)}”` : ''}${
        d.owner_id ? ` for ${nameOf(str(d.owner_id))}` : ''
      }`;
    case 'incident.task_update': {
      const title = d.title ? ` “${str(d.title)}”` : '';
      if (d.status === 'done') return `Completed the task${title}`;
      if (d.status === 'open') return `Updated the task${title}${d.owner_id ? `, assigned to ${nameOf(str(d.owner_id))}` : ''}`;
      return `Updated the task${title}`;
    }
    default: {
      const fn = COMMUNICATION_ACTIONS[e.action] ?? STEP6_ACTIONS[e.action] ?? CAMPAIGN_ACTIONS[e.action];
      if (fn) return fn(d);
      return humanize(e.action.replace(/^incident\./, ''));
    }
  }
}

export function incidentTitle(i: Pick<Incident, 'summary' | 'runbook'>): string {
  return i.summary || humanize(i.runbook);
}
