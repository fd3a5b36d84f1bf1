import { useId, useState } from 'react';
import { Link } from 'react-router';
import type { Incident, Task } from '../api/types';
import { useCampaign } from '../campaigns/api';
import { formatClock, formatDateTime, secondsUntil } from '../lib/format';
import { useNow } from '../lib/useNow';
import { Dialog } from '../shell/Dialog';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useDirectory, useIncidentActions, useTasks } from './api';
import { stepTitle } from './steps';

/** The longest closing summary the API takes (POST …/resolve, summary). */
const MAX_SUMMARY = 4000;

/**
 * Resolve → Confirm. Before anything closes, the dialog shows what is still
 * open: the open tasks (legal-clock ones first and marked), the unfinished
 * steps and the campaign's state (a paused campaign stays paused: resolving
 * does nothing to it). It asks for a closing summary (kept on the resolve's
 * timeline entry and at the end of the report's summary) and, while steps are
 * unfinished, a reason (the API answers 422 steps_pending without one).
 */
export function ResolveDialog({ incident, legalByMe, onClose }: { incident: Incident; legalByMe: boolean; onClose: () => void }) {
  const { resolve } = useIncidentActions(incident.id);
  const tasks = useTasks(incident.id, true);
  const campaign = useCampaign(incident.campaign_id);
  const [reason, setReason] = useState('');
  const [summary, setSummary] = useState('');
  const reasonId = useId();
  const hintId = useId();
  const summaryId = useId();
  const summaryHintId = useId();
  const unfinished = incident.steps.filter((s) => (s.status === 'pending' || s.status === 'active') && s.name !== 'monitor');
  const needsReason = unfinished.length > 0;
  const missing = !summary.trim() || (needsReason && !reason.trim());
  const close = () => {
    resolve.reset();
    onClose();
  };
  return (
    <Dialog title="Resolve this incident?" onClose={close} closeDisabled={resolve.isPending}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (missing) return;
          resolve.mutate({ reason: reason.trim() || undefined, summary: summary.trim() }, { onSuccess: onClose });
        }}
      >
        <div className="dialog-body">
          <p>Resolving closes the incident for good: no more tasks, assessment edits or escalations.</p>
          {legalByMe ? <p className="callout">You hold the legal role: your resolve counts as legal's confirmation.</p> : null}
          <section className="resolve-open" aria-label="Still open">
            <OpenTasks tasks={tasks.data} loading={tasks.isPending} failed={tasks.isError} />
            {needsReason ? (
              <div>
                <h3 className="resolve-open-title">Steps not finished ({unfinished.length})</h3>
                <p className="muted">They stay as they are on the record.</p>
                <ul className="resolve-list" aria-label="Steps not finished">
                  {unfinished.map((s) => (
                    <li key={s.name}>{stepTitle(s.name)}</li>
                  ))}
                </ul>
              </div>
            ) : (
              <p className="muted">Every step is done or skipped.</p>
            )}
            {campaign.data ? (
              campaign.data.status === 'paused' ? (
                <p className="callout callout--warn" role="note" aria-label="Campaign">
                  The campaign <Link to={`/campaigns/${incident.campaign_id}`}>{campaign.data.name}</Link> is still
                  paused: resolving leaves it paused. Resume or cancel it from the campaign page.
                </p>
              ) : (
                <p className="muted" role="note" aria-label="Campaign">
                  The campaign <Link to={`/campaigns/${incident.campaign_id}`}>{campaign.data.name}</Link> is{' '}
                  {campaign.data.status}: resolving does not change it.
                </p>
              )
            ) : null}
          </section>
        </div>
        <div className="field">
          <label htmlFor={summaryId}>Closing summary</label>
          <textarea
            id={summaryId}
            rows={3}
            value={summary}
            onChange={(e) => setSummary(e.target.value)}
            aria-describedby={summaryHintId}
            maxLength={MAX_SUMMARY}
            required
            data-autofocus
          />
          <p className="field-hint" id={summaryHintId}>
            What was done and what is left. It goes on the timeline and at the end of the report's summary.
          </p>
        </div>
        {needsReason ? (
          <div className="field">
            <label htmlFor={reasonId}>Reason</label>
            <textarea
              id={reasonId}
              rows={3}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-describedby={hintId}
              maxLength={1000}
              required
            />
            <p className="field-hint" id={hintId}>
              Required while steps are unfinished: say why the incident closes anyway. It goes on the timeline.
            </p>
          </div>
        ) : null}
        {resolve.error ? <ErrorNotice error={resolve.error} title="Not resolved" /> : null}
        <div className="dialog-actions">
          <button type="button" className="button button--secondary" onClick={close} disabled={resolve.isPending}>
            Back
          </button>
          <button type="submit" className="button button--primary" disabled={resolve.isPending || missing}>
            {resolve.isPending ? 'Working…' : 'Resolve'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The open tasks: legal-clock ones first (highlighted with their clock), then by due date. */
function OpenTasks({ tasks, loading, failed }: { tasks: Task[] | undefined; loading: boolean; failed: boolean }) {
  const directory = useDirectory();
  const now = useNow(1000);
  if (loading) return <p className="muted">Loading the open tasks…</p>;
  if (failed || !tasks) return <p className="muted">The open tasks could not be loaded: check the plan before resolving.</p>;
  const open = tasks
    .filter((t) => t.status === 'open') // neither done nor closed as no longer needed
    .sort((a, b) => {
      if ((a.kind === 'legal') !== (b.kind === 'legal')) return a.kind === 'legal' ? -1 : 1;
      return (a.due_at ?? '\uffff').localeCompare(b.due_at ?? '\uffff');
    });
  if (open.length === 0) return <p className="muted">No open tasks.</p>;
  return (
    <div>
      <h3 className="resolve-open-title">Open tasks ({open.length})</h3>
      <p className="muted">They stay open on the record; nobody can finish them once the incident is resolved.</p>
      <ul className="resolve-list" aria-label="Open tasks">
        {open.map((t) => {
          const legal = t.kind === 'legal';
          const left = secondsUntil(t.due_at, now);
          return (
            <li key={t.id} className={legal ? 'resolve-task resolve-task--legal' : 'resolve-task'} aria-label={t.title}>
              <strong>{t.title}</strong>
              <span className="muted">
                {' · '}
                {t.owner_id ? directory.nameOf(t.owner_id) : t.owner_role ? `unassigned (for ${t.owner_role})` : 'unassigned'}
                {' · '}
                {t.due_at ? `due ${formatDateTime(t.due_at)}` : 'no due date'}
              </span>
              {legal && left !== null ? (
                <span className={`legal-clock ${left < 0 ? 'legal-clock--passed' : ''}`}>
                  {left >= 0 ? `Legal clock: ${formatClock(left)} left` : `Legal deadline passed ${formatClock(left)} ago`}
                </span>
              ) : legal ? (
                <span className="legal-clock">Legal task</span>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
