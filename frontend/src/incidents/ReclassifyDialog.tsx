import { useId, useState } from 'react';
import type { Incident, Runbook, Task } from '../api/types';
import { humanize, plural } from '../lib/format';
import { Dialog } from '../shell/Dialog';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useIncidentActions, type OldTasks } from './api';

/**
 * The old runbook's open tasks, as the API decides them (domain
 * incident.OldRunbookTasks): open tasks that came from a runbook and whose
 * title is one of `runbook`'s task titles. Tasks someone added are never
 * among them. Unknown runbook or tasks: none (reclassifying then keeps them).
 */
export function oldRunbookTasks(tasks: readonly Task[] | undefined, runbook: Runbook | undefined): Task[] {
  if (!tasks || !runbook) return [];
  const titles = new Set(runbook.tasks.map((t) => t.title));
  return tasks.filter((t) => t.from_runbook && t.status === 'open' && titles.has(t.title));
}

/**
 * Reclassify → confirm, when the current runbook still has open tasks: it
 * lists them and asks whether to keep them or close them as no longer needed
 * (old_tasks; keep is the default, as it was before anyone asked). Closing
 * them never marks them done, and they can be reopened from the plan.
 */
export function ReclassifyDialog({
  incident,
  target,
  openTasks,
  onDone,
  onClose,
}: {
  incident: Incident;
  target: Runbook | { id: string; title?: string };
  openTasks: Task[];
  onDone: () => void;
  onClose: () => void;
}) {
  const { reclassify } = useIncidentActions(incident.id);
  const [choice, setChoice] = useState<OldTasks>('keep');
  const name = useId();
  const one = openTasks.length === 1;
  const from = humanize(incident.runbook);
  const close = () => {
    reclassify.reset();
    onClose();
  };
  return (
    <Dialog title={`Reclassify to ${target.title ?? humanize(target.id)}?`} onClose={close} closeDisabled={reclassify.isPending}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          reclassify.mutate({ runbook: target.id, oldTasks: choice }, { onSuccess: onDone });
        }}
      >
        <div className="dialog-body">
          <p>
            The incident follows the {humanize(target.id)} runbook from now on, and its tasks are added to the plan. The
            history is kept.
          </p>
          <h3 className="resolve-open-title">
            The {from} runbook&apos;s {plural(openTasks.length, 'open task')}:
          </h3>
          <ul className="resolve-list" aria-label={`Open tasks of the ${from} runbook`}>
            {openTasks.map((t) => (
              <li key={t.id}>{t.title}</li>
            ))}
          </ul>
          <fieldset className="checkbox-group field">
            <legend>What should happen to {one ? 'it' : 'them'}?</legend>
            <label className="checkbox">
              <input type="radio" name={name} value="keep" checked={choice === 'keep'} onChange={() => setChoice('keep')} data-autofocus />
              <span>
                {one ? 'Keep it' : 'Keep them'} <span className="muted">— {one ? 'it stays' : 'they stay'} open on the plan</span>
              </span>
            </label>
            <label className="checkbox">
              <input type="radio" name={name} value="cancel" checked={choice === 'cancel'} onChange={() => setChoice('cancel')} />
              <span>
                {one ? 'Close it as no longer needed' : 'Close them as no longer needed'}{' '}
                <span className="muted">
                  — marked &ldquo;No longer needed&rdquo;, not done; {one ? 'it' : 'each'} can be reopened from the plan
                </span>
              </span>
            </label>
          </fieldset>
          <p className="muted">Tasks someone added by hand stay as they are.</p>
        </div>
        {reclassify.error ? <ErrorNotice error={reclassify.error} title="Not reclassified" /> : null}
        <div className="dialog-actions">
          <button type="button" className="button button--secondary" onClick={close} disabled={reclassify.isPending}>
            Back
          </button>
          <button type="submit" className="button button--primary" disabled={reclassify.isPending}>
            {reclassify.isPending ? 'Reclassifying…' : 'Reclassify'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
