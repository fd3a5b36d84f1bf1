import type { Incident } from '../api/types';
import { formatTime } from '../lib/format';
import { STEPS } from './steps';

/**
 * The six steps as a progress strip: done steps ticked with their time, the
 * current step highlighted (aria-current="step"); step 6 is "watching" once
 * the incident is resolved (resolving starts its watch window).
 */
export function StepStrip({ incident }: { incident: Pick<Incident, 'steps' | 'current_step' | 'status'> }) {
  return (
    <ol className="steps" aria-label="Response steps">
      {STEPS.map((def, i) => {
        const step = incident.steps.find((s) => s.name === def.name);
        const status = step?.status ?? 'pending';
        const current = incident.status === 'open' && incident.current_step === def.name;
        const watching = incident.status === 'resolved' && def.name === 'monitor' && status !== 'done' && status !== 'skipped';
        const classes = ['step', `step--${status}`];
        if (current) classes.push('step--current');
        return (
          <li key={def.name} className={classes.join(' ')} aria-current={current ? 'step' : undefined}>
            <span className="step-number" aria-hidden="true">
              {status === 'done' ? '✓' : i + 1}
            </span>
            <span className="step-text">
              <span className="step-title">
                <span className="visually-hidden">Step {i + 1}: </span>
                {def.title}
              </span>
              <span className="step-state">
                {current
                  ? 'Current step'
                  : watching
                    ? 'Watching'
                    : status === 'done'
                      ? `Done ${formatTime(step?.completed_at)}`
                      : status === 'skipped'
                        ? 'Skipped'
                        : 'To do'}
              </span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
