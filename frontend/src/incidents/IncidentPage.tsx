import { useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Incident, Runbook } from '../api/types';
import { useCan } from '../auth/can';
import { isPausable, useCampaign } from '../campaigns/api';
import { PauseReadout } from '../campaigns/PauseReadout';
import { formatDateTime, formatDuration, formatTime, humanize } from '../lib/format';
import { Badge } from '../shell/Badge';
import { ConfirmDialog } from '../shell/Dialog';
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
      {mayAck && me && incident.owner !== me.id ? (
        <button
          type="button"
          className="button button--primary"
          onClick={() => acknowledge.mutate(me.id)}
          disabled={acknowledge.isPending}
        >
          {acknowledge.isPending ? 'Acknowledging…' : incident.owner ? 'Take over as owner' : 'Acknowledge'}
        </button>
      ) : null}
      {mayAck ? (
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
  const { resolve } = useIncidentActions(incident.id);
  const [confirming, setConfirming] = useState(false);
  if (incident.status === 'resolved') {
    return <p>Resolved {formatDateTime(incident.resolved_at)}.</p>;
  }
  const isOwner = !!directory.me && incident.owner === directory.me.id;
  const isAdmin = can('user.manage');
  if (!isOwner && !isAdmin) {
    return (
      <p className="muted">
        Only the incident's owner or an admin can resolve it.
        {can('incident.acknowledge') ? ' Take over as owner first.' : ''}
      </p>
    );
  }
  const unfinished = incident.steps.filter((s) => s.status === 'pending' || s.status === 'active');
  return (
    <div>
      <p className="muted">Close the incident once the plan is done. Steps left open stay on the record.</p>
      <button type="button" className="button button--secondary" onClick={() => setConfirming(true)}>
        Resolve incident
      </button>
      {confirming ? (
        <ConfirmDialog
          title="Resolve this incident?"
          confirmLabel="Resolve"
          pending={resolve.isPending}
          error={resolve.error ? <ErrorNotice error={resolve.error} title="Not resolved" /> : undefined}
          onClose={() => {
            setConfirming(false);
            resolve.reset();
          }}
          onConfirm={() => resolve.mutate(undefined, { onSuccess: () => setConfirming(false) })}
        >
          <p>
            Resolving closes the incident for good: no more tasks, assessment edits or escalations.
            {unfinished.length > 0
              ? ` Steps not finished (${unfinished.map((s) => stepTitle(s.name)).join(', ')}) stay as they are on the record.`
              : ''}
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
