import { useId, useState } from 'react';
import type { Incident } from '../api/types';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useDirectory, useIncidentActions } from './api';
import { OwnerOptions } from './OwnerSelect';

/** Hand an owned incident to someone else (POST …/owner): who and why, both required, on the timeline. */
export function ReassignForm({ incident }: { incident: Incident }) {
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
