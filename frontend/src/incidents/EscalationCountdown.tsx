import type { Incident, Runbook } from '../api/types';
import { formatClock, secondsUntil } from '../lib/format';
import { useNow } from '../lib/useNow';

/**
 * Until someone acknowledges: the time left before the runbook escalates
 * (detected_at + acknowledge.deadline_seconds), then how long it is overdue.
 */
export function EscalationCountdown({ incident, runbook }: { incident: Incident; runbook: Runbook | undefined }) {
  const now = useNow(1000);
  if (incident.status !== 'open' || incident.acknowledged_at || !runbook) return null;
  const deadline = new Date(new Date(incident.detected_at).getTime() + runbook.acknowledge.deadline_seconds * 1000);
  const left = secondsUntil(deadline.toISOString(), now) ?? 0;
  if (left > 0) {
    return (
      <p className="countdown" role="timer">
        Escalates in <strong>{formatClock(left)}</strong> unless someone acknowledges.
      </p>
    );
  }
  return (
    <p className="countdown countdown--late" role="timer">
      Acknowledge deadline passed <strong>{formatClock(left)}</strong> ago
      {incident.escalations > 0
        ? ` — escalated ${incident.escalations} ${incident.escalations === 1 ? 'time' : 'times'}.`
        : ' — escalating.'}
    </p>
  );
}
