import type { Incident, IncidentTrigger, TimelineEntry } from '../api/types';
import { formatCount, formatRate, humanize } from '../lib/format';
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

/** A timeline entry in words. */
export function describeEntry(e: TimelineEntry): string {
  const d = e.data;
  switch (e.action) {
    case 'incident.open': {
      const src = SOURCE_LABELS[str(d.source)] ?? str(d.source);
      return `Opened the incident${src ? ` from the ${src}` : ''}${d.runbook ? ` with runbook ${str(d.runbook)}` : ''}${
        d.summary ? `: “${str(d.summary)}”` : ''
      }`;
    }
    case 'incident.acknowledge':
      return `Acknowledged${typeof d.seconds_to_acknowledge === 'number' ? ` after ${formatCount(d.seconds_to_acknowledge)} s` : ''}`;
    case 'incident.reassign':
      return `Changed the owner${d.reason ? `: “${str(d.reason)}”` : ''}`;
    case 'incident.legal_confirm':
      return `Confirmed for legal: “${str(d.comment)}”`;
    case 'incident.pause':
      return `Recorded the campaign as paused${typeof d.seconds_to_pause === 'number' ? ` (${formatCount(d.seconds_to_pause)} s after detection)` : ''}`;
    case 'incident.step_complete':
      return `Completed step “${stepTitle(str(d.step))}”`;
    case 'incident.step_skip':
      return `Skipped step “${stepTitle(str(d.step))}”`;
    case 'incident.reclassify':
      return `Reclassified from ${str(d.from)} to ${str(d.to)}`;
    case 'incident.escalate':
      return 'Escalated: nobody acknowledged in time';
    case 'incident.resolve':
      return `Resolved the incident${d.reason ? `: “${str(d.reason)}”` : ''}`;
    case 'incident.assess':
      return `Computed the assessment: ${formatCount(Number(d.handed_to_esp ?? 0))} handed over, ${formatCount(Number(d.held ?? 0))} held, ${formatCount(Number(d.complained ?? 0))} complaints`;
    case 'incident.assessment_edit':
      return 'Edited the assessment';
    case 'incident.task_add':
      return `Added a ${str(d.kind) || ''} task`.replace('  ', ' ');
    case 'incident.task_update':
      return d.status === 'done' ? 'Completed a task' : 'Updated a task';
    default: {
      const comm = COMMUNICATION_ACTIONS[e.action];
      if (comm) return comm(d);
      return humanize(e.action.replace(/^incident\./, ''));
    }
  }
}

export function incidentTitle(i: Pick<Incident, 'summary' | 'runbook'>): string {
  return i.summary || humanize(i.runbook);
}
