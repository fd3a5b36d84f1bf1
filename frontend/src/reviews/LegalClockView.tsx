import { useNow } from '../lib/useNow';
import { clockReading, type LegalClock } from './legalClock';

/**
 * One legal deadline, counting down: "72 h to the regulator: 61 h left", red
 * under 12 h or once overdue.
 */
export function LegalClockView({ clock }: { clock: LegalClock }) {
  const now = useNow(30_000);
  const reading = clockReading(clock.dueAt, now);
  return (
    <span
      className={`legal-clock${reading.urgent ? ' legal-clock--urgent' : ''}`}
      data-urgent={reading.urgent ? 'true' : undefined}
      title={clock.title}
    >
      {clock.label}: <strong>{reading.text}</strong>
    </span>
  );
}
