import { useId, useState } from 'react';
import type { Incident } from '../api/types';
import { Dialog } from '../shell/Dialog';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useIncidentActions } from './api';
import { stepTitle } from './steps';

/**
 * Resolve → Confirm. While steps are unfinished the API wants a reason (422
 * steps_pending otherwise), so the dialog asks for one and sends it.
 */
export function ResolveDialog({ incident, legalByMe, onClose }: { incident: Incident; legalByMe: boolean; onClose: () => void }) {
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
