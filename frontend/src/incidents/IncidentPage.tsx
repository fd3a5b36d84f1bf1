import { useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Incident, Runbook } from '../api/types';
import { useCan } from '../auth/can';
import { isPausable, useCampaign } from '../campaigns/api';
import { PauseReadout } from '../campaigns/PauseReadout';
import { formatDateTime, formatDuration, formatTime, humanize } from '../lib/format';
import { Badge } from '../shell/Badge';
import { Dialog } from '../shell/Dialog';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { useDirectory, useIncident, useIncidentActions, useRunbook, useRunbooks } from './api';
import { AssessmentPanel } from './AssessmentPanel';
import { Checklist } from './Checklist';
import { describeTrigger, incidentTitle, severityTone, SOURCE_LABELS } from './describe';
import { EscalationCountdown } from './EscalationCountdown';
import { OwnerOptions } from './OwnerSelect';
import { StepActions } from './StepActions';
import { StepStrip } from './StepStrip';
import { stepNumber, stepTitle } from './steps';
import { TaskBoard } from './TaskBoard';
import { Timeline } from './Timeline';

/** /incidents/:id — one incident through steps 1–4, live while open. */
export function IncidentPage() {
  const { id = '' } = useParams();
  const incident = useIncident(id);

  if (incident.isPending) return <Loading label="Loading the incident…" />;
  if (incident.isError) {
    return (
      <>
        <PageHeader title="Incident" />
        <ErrorNotice error={incident.error} title="Could not load the incident" onRetry={() => void incident.refetch()} />
        <p>
          <Link to="/incidents">Back to incidents</Link>
        </p>
      </>
    );
  }
  return <IncidentView incident={incident.data} />;
}

function IncidentView({ incident }: { incident: Incident }) {
  const runbook = useRunbook(incident.runbook);
  const campaign = useCampaign(incident.campaign_id);
  const open = incident.status === 'open';
  const current = incident.current_step;
  const checklist = current && runbook.data ? (runbook.data.checklists[current] ?? []) : [];

  return (
    <div className="incident-page">
      <PageHeader title={incidentTitle(incident)} />
      <div className="incident-meta">
        {open ? <Badge tone="danger">Open</Badge> : <Badge tone="muted">Resolved</Badge>}
        <Badge tone={severityTone(incident.severity)}>{incident.severity}</Badge>
        <span>
          Runbook <strong>{runbook.data?.title ?? humanize(incident.runbook)}</strong>
        </span>
        <span>
          Campaign{' '}
          <Link to={`/campaigns/${incident.campaign_id}`}>{campaign.data?.name ?? 'open campaign'}</Link>
        </span>
        <span>
          Opened {formatDateTime(incident.detected_at)} from the <strong>{SOURCE_LABELS[incident.source] ?? incident.source}</strong>
          {incident.trigger ? ` — ${describeTrigger(incident.trigger)}` : ''}
        </span>
      </div>

      {!open ? (
        <p className="banner banner--done" role="status">
          Resolved {formatDateTime(incident.resolved_at)}. The record below stays as it was.
        </p>
      ) : null}

      <StepStrip incident={incident} />

      <div className="panel-grid">
        <section className="panel" aria-labelledby="own-heading">
          <h2 className="panel-title" id="own-heading">
            1 · Own it
          </h2>
          <OwnerPanel incident={incident} runbook={runbook.data} />
        </section>
        <section className="panel" aria-labelledby="stop-heading">
          <h2 className="panel-title" id="stop-heading">
            2 · Stop the fire
          </h2>
          <StopPanel incident={incident} />
        </section>
      </div>

      {open && current ? (
        <section className="panel" aria-labelledby="checklist-heading">
          <h2 className="panel-title" id="checklist-heading">
            Checklist for step {stepNumber(current)}: {stepTitle(current)}
          </h2>
          {runbook.isError ? (
            <ErrorNotice error={runbook.error} title="Could not load the runbook" />
          ) : runbook.isPending ? (
            <Loading label="Loading the runbook…" />
          ) : (
            <Checklist incidentId={incident.id} step={current} items={checklist} />
          )}
          <StepActions key={current} incident={incident} />
        </section>
      ) : null}

      <section className="panel" aria-labelledby="assess-heading">
        <h2 className="panel-title" id="assess-heading">
          3 · Assess
        </h2>
        <AssessmentPanel incidentId={incident.id} open={open} />
      </section>

      <section className="panel" aria-labelledby="plan-heading">
        <h2 className="panel-title" id="plan-heading">
          4 · Plan
        </h2>
        <TaskBoard incidentId={incident.id} open={open} />
      </section>

      <div className="panel-grid">
        <section className="panel" aria-labelledby="runbook-heading">
          <h2 className="panel-title" id="runbook-heading">
            Runbook
          </h2>
          <RunbookPanel incident={incident} runbook={runbook.data} />
        </section>
        <section className="panel" aria-labelledby="resolve-heading">
          <h2 className="panel-title" id="resolve-heading">
            Resolve
          </h2>
          <ResolvePanel incident={incident} />
        </section>
      </div>

      <section className="panel" aria-labelledby="timeline-heading">
        <h2 className="panel-title" id="timeline-heading">
          Timeline
        </h2>
        <Timeline incidentId={incident.id} open={open} />
      </section>
    </div>
  );
}

function OwnerPanel({ incident, runbook }: { incident: Incident; runbook: Runbook | undefined }) {
  const can = useCan();
  const directory = useDirectory();
  const { acknowledge } = useIncidentActions(incident.id);
  const [pick, setPick] = useState('');
  const pickId = useId();
  const open = incident.status === 'open';
  const me = directory.me;
  const mayAck = open && can('incident.acknowledge');
  const owned = !!incident.acknowledged_at && !!incident.owner;
  // The API's rule: the owner (any role), incident.acknowledge holders, admins.
  const mayReassign = open && owned && ((!!me && incident.owner === me.id) || can('incident.acknowledge'));

  return (
    <div className="owner">
      {incident.owner ? (
        <p>
          Owner: <strong>{directory.nameOf(incident.owner)}</strong>
          {incident.acknowledged_at ? (
            <span className="muted">
              {' '}
              · acknowledged {formatTime(incident.acknowledged_at)}
              {incident.time_to_acknowledge_seconds !== null
                ? ` (${formatDuration(incident.time_to_acknowledge_seconds)} after detection)`
                : ''}
            </span>
          ) : null}
        </p>
      ) : (
        <p>
          <strong className="text-danger">Nobody owns this incident yet.</strong>
        </p>
      )}
      <EscalationCountdown incident={incident} runbook={runbook} />
      {acknowledge.error ? <ErrorNotice error={acknowledge.error} title="Not acknowledged" /> : null}
      {mayAck && !owned && me ? (
        <button
          type="button"
          className="button button--primary"
          onClick={() => acknowledge.mutate(me.id)}
          disabled={acknowledge.isPending}
        >
          {acknowledge.isPending ? 'Acknowledging…' : 'Acknowledge'}
        </button>
      ) : null}
      {mayAck && !owned ? (
        <div className="inline-form">
          <label htmlFor={pickId}>Assign owner</label>
          <select id={pickId} value={pick} onChange={(e) => setPick(e.target.value)}>
            <option value="">Choose…</option>
            <OwnerOptions users={directory.pickable} meId={me?.id} nameOf={directory.nameOf} allowNone={false} />
          </select>
          <button
            type="button"
            className="button button--secondary"
            disabled={!pick || acknowledge.isPending}
            onClick={() => acknowledge.mutate(pick)}
          >
            Assign
          </button>
        </div>
      ) : null}
      {mayReassign ? <ReassignForm incident={incident} /> : null}
      {open && !incident.acknowledged_at && runbook && runbook.acknowledge.escalation.length > 0 ? (
        <p className="muted">
          Escalates to{' '}
          {runbook.acknowledge.escalation
            .map((t) => (t.slack ? 'Slack' : t.email ? t.email : t.role ? `every ${t.role}` : ''))
            .filter(Boolean)
            .join(', ')}
          , then every {formatDuration(runbook.acknowledge.repeat_seconds)} until someone acknowledges.
        </p>
      ) : null}
    </div>
  );
}

/** Hand an owned incident to someone else (POST …/owner): who and why, both required, on the timeline. */
function ReassignForm({ incident }: { incident: Incident }) {
  const directory = useDirectory();
  const { reassign } = useIncidentActions(incident.id);
  const [pick, setPick] = useState('');
  const [reason, setReason] = useState('');
  const pickId = useId();
  const reasonId = useId();
  const others = directory.pickable.filter((u) => u.id !== incident.owner);
  return (
    <form
      className="form"
      aria-label="Reassign"
      onSubmit={(e) => {
        e.preventDefault();
        if (!pick || !reason.trim()) return;
        reassign.mutate(
          { ownerId: pick, reason: reason.trim() },
          {
            onSuccess: () => {
              setPick('');
              setReason('');
            },
          },
        );
      }}
    >
      <div className="inline-form">
        <label htmlFor={pickId}>New owner</label>
        <select id={pickId} value={pick} onChange={(e) => setPick(e.target.value)}>
          <option value="">Choose…</option>
          <OwnerOptions users={others} meId={directory.me?.id} nameOf={directory.nameOf} allowNone={false} />
        </select>
      </div>
      <div className="field">
        <label htmlFor={reasonId}>Reason for the change</label>
        <input
          id={reasonId}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="e.g. going off shift; Sam takes over"
          maxLength={500}
        />
      </div>
      {reassign.error ? <ErrorNotice error={reassign.error} title="Not reassigned" /> : null}
      <button type="submit" className="button button--secondary" disabled={!pick || !reason.trim() || reassign.isPending}>
        {reassign.isPending ? 'Reassigning…' : 'Reassign'}
      </button>
    </form>
  );
}

function StopPanel({ incident }: { incident: Incident }) {
  const campaign = useCampaign(incident.campaign_id);
  const can = useCan();
  const { pause } = useIncidentActions(incident.id);
  if (campaign.isPending) return <Loading label="Loading the campaign…" />;
  if (campaign.isError) {
    return <ErrorNotice error={campaign.error} title="Could not load the campaign" onRetry={() => void campaign.refetch()} />;
  }
  const c = campaign.data;
  return (
    <div>
      <PauseReadout campaign={c} />
      {incident.status === 'open' && isPausable(c.status) && can('campaign.pause') ? (
        <button
          type="button"
          className="button button--danger"
          onClick={() => pause.mutate()}
          disabled={pause.isPending}
        >
          {pause.isPending ? 'Pausing…' : 'Pause the campaign now'}
        </button>
      ) : null}
      {pause.error ? <ErrorNotice error={pause.error} title="The pause did not go through" /> : null}
    </div>
  );
}

function RunbookPanel({ incident, runbook }: { incident: Incident; runbook: Runbook | undefined }) {
  const runbooks = useRunbooks();
  const can = useCan();
  const { reclassify } = useIncidentActions(incident.id);
  const [target, setTarget] = useState('');
  const selectId = useId();
  const history = incident.runbook_history ?? [];

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
      {incident.status === 'open' && can('incident.declare') ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (target) reclassify.mutate(target, { onSuccess: () => setTarget('') });
          }}
        >
          <label htmlFor={selectId}>Reclassify to</label>
          <select id={selectId} value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">Choose a runbook…</option>
            {(runbooks.data ?? [])
              .filter((r) => r.id !== incident.runbook)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.title} ({r.id})
                </option>
              ))}
          </select>
          <button type="submit" className="button button--secondary" disabled={!target || reclassify.isPending}>
            {reclassify.isPending ? 'Reclassifying…' : 'Reclassify'}
          </button>
        </form>
      ) : null}
      {reclassify.error ? <ErrorNotice error={reclassify.error} title="Not reclassified" /> : null}
      {runbooks.error ? <ErrorNotice error={runbooks.error} title="Could not load the runbooks" /> : null}
    </div>
  );
}

function ResolvePanel({ incident }: { incident: Incident }) {
  const can = useCan();
  const directory = useDirectory();
  const [confirming, setConfirming] = useState(false);
  if (incident.status === 'resolved') {
    return <p>Resolved {formatDateTime(incident.resolved_at)}.</p>;
  }
  const me = directory.me;
  const isOwner = !!me && incident.owner === me.id;
  const isAdmin = can('user.manage');
  // Admin alone is not legal: only the role itself confirms.
  const isLegal = !!me && me.roles.includes('legal');
  const legalMissing = incident.legal_confirmation_required && !incident.legal_confirmation;
  return (
    <div>
      {incident.legal_confirmation_required ? <LegalConfirmationPanel incident={incident} isLegal={isLegal} /> : null}
      {!isOwner && !isAdmin ? (
        <p className="muted">
          Only the incident's owner or an admin can resolve it.
          {can('incident.acknowledge') ? ' Reassign it to yourself first.' : ''}
        </p>
      ) : (
        <>
          <p className="muted">Close the incident once the plan is done. Steps left open stay on the record.</p>
          {legalMissing && !isLegal ? (
            <p className="callout">A data breach is resolved only after someone from legal confirms it.</p>
          ) : null}
          <button
            type="button"
            className="button button--secondary"
            onClick={() => setConfirming(true)}
            disabled={legalMissing && !isLegal}
          >
            Resolve incident
          </button>
          {confirming ? (
            <ResolveDialog incident={incident} legalByMe={legalMissing && isLegal} onClose={() => setConfirming(false)} />
          ) : null}
        </>
      )}
    </div>
  );
}

/**
 * Resolve → Confirm. While steps are unfinished the API wants a reason (422
 * steps_pending otherwise), so the dialog asks for one and sends it.
 */
function ResolveDialog({ incident, legalByMe, onClose }: { incident: Incident; legalByMe: boolean; onClose: () => void }) {
  const { resolve } = useIncidentActions(incident.id);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const hintId = useId();
  const unfinished = incident.steps.filter((s) => s.status === 'pending' || s.status === 'active');
  const needsReason = unfinished.length > 0;
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
          if (needsReason && !reason.trim()) return;
          resolve.mutate(reason.trim() || undefined, { onSuccess: onClose });
        }}
      >
        <div className="dialog-body">
          <p>
            Resolving closes the incident for good: no more tasks, assessment edits or escalations.
            {needsReason
              ? ` Steps not finished (${unfinished.map((s) => stepTitle(s.name)).join(', ')}) stay as they are on the record.`
              : ''}
          </p>
          {legalByMe ? <p className="callout">You hold the legal role: your resolve counts as legal's confirmation.</p> : null}
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
              data-autofocus
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
          <button
            type="submit"
            className="button button--primary"
            disabled={resolve.isPending || (needsReason && !reason.trim())}
            data-autofocus={needsReason ? undefined : true}
          >
            {resolve.isPending ? 'Working…' : 'Resolve'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A data breach's legal sign-off: who confirmed and why, or a form for a legal user to give it. */
function LegalConfirmationPanel({ incident, isLegal }: { incident: Incident; isLegal: boolean }) {
  const directory = useDirectory();
  const { confirmLegal } = useIncidentActions(incident.id);
  const [comment, setComment] = useState('');
  const commentId = useId();
  const c = incident.legal_confirmation;
  return (
    <div className="legal-confirmation" role="group" aria-label="Legal confirmation">
      {c ? (
        <p>
          Legal confirmed: <strong>{directory.nameOf(c.by)}</strong>, {formatDateTime(c.at)} — “{c.comment}”
        </p>
      ) : (
        <p>
          <strong>Waiting for legal:</strong> someone holding the legal role must confirm before this incident is
          resolved.
        </p>
      )}
      {isLegal ? (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (comment.trim()) confirmLegal.mutate(comment.trim(), { onSuccess: () => setComment('') });
          }}
        >
          <div className="field">
            <label htmlFor={commentId}>What legal checked or decided</label>
            <textarea
              id={commentId}
              rows={2}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder="e.g. supervisory authority notified on day 2, reference 88-1"
              maxLength={1000}
            />
          </div>
          {confirmLegal.error ? <ErrorNotice error={confirmLegal.error} title="Not confirmed" /> : null}
          <button type="submit" className="button button--secondary" disabled={!comment.trim() || confirmLegal.isPending}>
            {confirmLegal.isPending ? 'Confirming…' : c ? 'Confirm again' : 'Confirm for legal'}
          </button>
        </form>
      ) : null}
    </div>
  );
}
