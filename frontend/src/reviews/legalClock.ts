/**
 * The legal clocks of an incident, for a reviewer deciding how fast to read:
 * the runbook's open `legal` tasks with a due date (a data-breach incident's
 * "notify the supervisory authority within 72 hours" is due at detected_at +
 * 72 h, GDPR Art. 33), soonest first. An incident whose tasks are not known
 * yet, or a data-breach one without that task, still gets GDPR's 72 h to the
 * regulator from detected_at: the one clock that is never optional.
 */
import type { Incident, Task } from '../api/types';
import { formatDuration, secondsUntil, toDate } from '../lib/format';

/** Under this many seconds left a clock is shown as urgent (red). */
export const URGENT_SECONDS = 12 * 3600;

const GDPR_SECONDS = 72 * 3600;

export interface LegalClock {
  /** "72 h to the regulator". */
  label: string;
  dueAt: string;
  /** The task it comes from (none for the GDPR fallback). */
  title: string;
}

/** Who a legal task's deadline is towards, from its title. */
function towards(title: string): string {
  if (/supervisory authority|regulator|art\.? ?33/i.test(title)) return 'to the regulator';
  if (/affected individuals|art\.? ?34/i.test(title)) return 'to tell the affected people';
  if (/state/i.test(title)) return 'for the US state notices';
  return `for “${title}”`;
}

function regulatorFirst(title: string): number {
  return towards(title) === 'to the regulator' ? 0 : 1;
}

/** The span from detection to a due date, as the runbook wrote it: "72 h", "30 d". */
function span(detectedAt: string, dueAt: string): string {
  const from = toDate(detectedAt);
  const to = toDate(dueAt);
  if (!from || !to) return '';
  const hours = Math.round((to.getTime() - from.getTime()) / 3_600_000);
  return hours >= 24 * 7 && hours % 24 === 0 ? `${hours / 24} d` : `${hours} h`;
}

/** The open legal deadlines, soonest first. */
export function legalClocks(incident: Pick<Incident, 'detected_at' | 'runbook'>, tasks: readonly Task[] | undefined): LegalClock[] {
  const open = (tasks ?? [])
    .filter((t) => t.kind === 'legal' && t.status === 'open' && t.due_at)
    // Soonest first; on a tie the regulator's clock leads (GDPR's Art. 33 and 34 tasks are both due at 72 h).
    .sort((a, b) => a.due_at!.localeCompare(b.due_at!) || regulatorFirst(a.title) - regulatorFirst(b.title));
  const clocks = open.map((t) => ({
    label: `${span(incident.detected_at, t.due_at!)} ${towards(t.title)}`.trim(),
    dueAt: t.due_at!,
    title: t.title,
  }));
  const hasRegulator = clocks.some((c) => c.label.endsWith('to the regulator'));
  const regulatorDone = (tasks ?? []).some((t) => t.kind === 'legal' && t.status === 'done' && towards(t.title) === 'to the regulator');
  if (!hasRegulator && !regulatorDone && (tasks === undefined || incident.runbook === 'data-breach')) {
    const detected = toDate(incident.detected_at);
    if (detected) {
      clocks.push({
        label: '72 h to the regulator',
        dueAt: new Date(detected.getTime() + GDPR_SECONDS * 1000).toISOString(),
        title: 'GDPR Art. 33: notify the supervisory authority within 72 hours of awareness',
      });
      clocks.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    }
  }
  return clocks;
}

/** "61 h left", "3 h 5 min left", "overdue by 2 h"; urgent under 12 h or past due. */
export function clockReading(dueAt: string, now: Date): { text: string; urgent: boolean; overdue: boolean } {
  const left = secondsUntil(dueAt, now) ?? 0;
  if (left <= 0) return { text: `overdue by ${formatDuration(-left)}`, urgent: true, overdue: true };
  const text = left >= 24 * 3600 ? `${Math.floor(left / 3600)} h left` : `${formatDuration(left)} left`;
  return { text, urgent: left < URGENT_SECONDS, overdue: false };
}
