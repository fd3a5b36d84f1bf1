import { useId, useState } from 'react';
import type { Incident, Runbook, Task } from '../api/types';
import { useCan } from '../auth/can';
import { useWhy } from '../auth/why';
import { formatDateTime, humanize } from '../lib/format';
import { ErrorNotice } from '../shell/ErrorNotice';
import { WhyText } from '../shell/WhyText';
import { useIncidentActions, useRunbooks, useTasks } from './api';
import { oldRunbookTasks, ReclassifyDialog } from './ReclassifyDialog';

/**
 * The incident's runbook: its title and description, the runbook the firing
 * rule suggests, every earlier reclassification, and (open incidents) a
 * form to reclassify to another runbook (POST …/runbook): incident.declare
 * holders use it; anyone else sees it disabled, saying whom to ask. When the
 * current runbook still has open tasks, a confirmation lists them and asks
 * whether to keep them or close them as no longer needed (ReclassifyDialog).
 */
export function RunbookPanel({ incident, runbook }: { incident: Incident; runbook: Runbook | undefined }) {
  const runbooks = useRunbooks();
  const can = useCan();
  const { reclassify } = useIncidentActions(incident.id);
  const [target, setTarget] = useState('');
  // The old runbook's open tasks as listed when the confirmation opened (null: not asking).
  const [asking, setAsking] = useState<Task[] | null>(null);
  const tasks = useTasks(incident.id, incident.status === 'open');
  const oldTasks = oldRunbookTasks(tasks.data, runbook);
  const selectId = useId();
  const history = incident.runbook_history ?? [];
  const why = useWhy(
    can('incident.declare') ? null : 'Only marketers and admins can reclassify an incident; ask the owner or a marketer to.',
  );

  return (
    <div className="runbook">
      <p>
        <strong>{runbook?.title ?? humanize(incident.runbook)}</strong>
      </p>
      {runbook?.description ? <p className="muted">{runbook.description}</p> : null}
      {incident.trigger?.suggests ? (
        <p className="callout">The rule that fired suggests runbook {humanize(incident.trigger.suggests)}.</p>
      ) : null}
      {history.length > 0 ? (
        <ul className="plain-list">
          {history.map((h, i) => (
            <li key={i}>
              {formatDateTime(h.at)}: {humanize(h.from)} → {humanize(h.to)} by {h.by}
            </li>
          ))}
        </ul>
      ) : null}
      {incident.status === 'open' ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!target) return;
            if (oldTasks.length > 0) setAsking(oldTasks);
            else reclassify.mutate({ runbook: target }, { onSuccess: () => setTarget('') });
          }}
        >
          <label htmlFor={selectId}>Reclassify to</label>
          <select id={selectId} value={target} onChange={(e) => setTarget(e.target.value)} {...why.props}>
            <option value="">Choose a runbook…</option>
            {(runbooks.data ?? [])
              .filter((r) => r.id !== incident.runbook)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.title} ({r.id})
                </option>
              ))}
          </select>
          <button
            type="submit"
            className="button button--secondary"
            {...why.props}
            disabled={why.props.disabled || !target || reclassify.isPending}
            title={why.why ?? (!target ? 'Choose a runbook to reclassify to first.' : undefined)}
          >
            {reclassify.isPending ? 'Reclassifying…' : 'Reclassify'}
          </button>
          <WhyText id={why.id} why={why.why} />
        </form>
      ) : null}
      {asking && target ? (
        <ReclassifyDialog
          incident={incident}
          target={runbooks.data?.find((r) => r.id === target) ?? { id: target }}
          openTasks={asking}
          onDone={() => {
            setAsking(null);
            setTarget('');
          }}
          onClose={() => setAsking(null)}
        />
      ) : null}
      {reclassify.error ? <ErrorNotice error={reclassify.error} title="Not reclassified" /> : null}
      {runbooks.error ? <ErrorNotice error={runbooks.error} title="Could not load the runbooks" /> : null}
    </div>
  );
}
