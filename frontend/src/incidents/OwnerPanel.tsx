import { useId, useState } from 'react';
import type { Incident, Runbook } from '../api/types';
import { useCan } from '../auth/can';
import { useWhy } from '../auth/why';
import { formatDuration, formatTime } from '../lib/format';
import { ErrorNotice } from '../shell/ErrorNotice';
import { WhyText } from '../shell/WhyText';
import { useDirectory, useIncidentActions } from './api';
import { EscalationCountdown } from './EscalationCountdown';
import { OwnerOptions } from './OwnerSelect';
import { ReassignForm } from './ReassignForm';

/**
 * Step 1, "Own it": who owns the incident and since when, the escalation
 * countdown and whom it escalates to while nobody does, Acknowledge (the
 * signed-in user) or Assign (anyone) for incident.acknowledge holders, and,
 * once owned, the reassign form. The first owner comes only from acknowledge;
 * later changes go through POST …/owner with a reason.
 */
export function OwnerPanel({ incident, runbook }: { incident: Incident; runbook: Runbook | undefined }) {
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
  // Shown disabled, with the reason, to everyone else.
  const ackWhy = useWhy('Only marketers and admins can acknowledge an incident or assign its owner.');
  const reassignWhy = useWhy("Only the incident's owner, marketers and admins can reassign it.");

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
      {open && !owned && !can('incident.acknowledge') ? (
        <div>
          <button type="button" className="button button--primary" {...ackWhy.props}>
            Acknowledge
          </button>
          <WhyText id={ackWhy.id} why={ackWhy.why} />
        </div>
      ) : null}
      {mayReassign ? <ReassignForm incident={incident} /> : null}
      {open && owned && !mayReassign ? (
        <div>
          <button type="button" className="button button--secondary" {...reassignWhy.props}>
            Reassign
          </button>
          <WhyText id={reassignWhy.id} why={reassignWhy.why} />
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
