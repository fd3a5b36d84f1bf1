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
    default:
      return humanize(e.action.replace(/^incident\./, ''));
  }
}

export function incidentTitle(i: Pick<Incident, 'summary' | 'runbook'>): string {
  return i.summary || humanize(i.runbook);
}
