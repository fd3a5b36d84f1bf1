import { useId, useState, type FormEvent } from 'react';
import type { Campaign } from '../api/types';
import { Dialog } from '../shell/Dialog';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useCampaign, usePauseCampaign } from './api';
import { PauseReadout, StoppabilityText } from './PauseReadout';

/**
 * Pause → Confirm: one dialog asks for the reason, pauses both planes and then
 * shows, in place, what the pause achieved and where the incident is.
 */
export function PauseDialog({ campaign, onClose }: { campaign: Campaign; onClose: () => void }) {
  const pause = usePauseCampaign();
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const hintId = useId();
  // After the pause the readout follows the live campaign (SendGrid retries, counts).
  const live = useCampaign(pause.isSuccess ? campaign.id : undefined);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pause.isPending) return;
    pause.mutate({ id: campaign.id, reason: reason.trim() });
  }

  if (pause.isSuccess) {
    const current = live.data ?? pause.data.campaign;
    return (
      <Dialog title={`Paused “${campaign.name}”`} onClose={onClose}>
        <div className="dialog-body">
          <PauseReadout campaign={current} incidentId={pause.data.incident_id} />
        </div>
        <div className="dialog-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={`Pause “${campaign.name}”?`} onClose={onClose} tone="danger" closeDisabled={pause.isPending}>
      <form className="form" onSubmit={submit}>
        <div className="dialog-body">
          <p>
            Firebreak stops handing messages to SendGrid at once and asks SendGrid to hold what it already has. An
            incident opens with you as its owner.
          </p>
          <p className="callout">
            <StoppabilityText campaign={campaign} />
          </p>
        </div>
        <div className="field">
          <label htmlFor={reasonId}>Reason</label>
          <textarea
            id={reasonId}
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="e.g. wrong price in the subject line"
            aria-describedby={hintId}
            maxLength={500}
            data-autofocus
          />
          <p className="field-hint" id={hintId}>
            Goes on the incident so whoever picks it up knows why. You can leave it empty in a hurry.
          </p>
        </div>
        {pause.error ? <ErrorNotice error={pause.error} title="The pause did not go through" /> : null}
        <div className="dialog-actions">
          <button type="button" className="button button--secondary" onClick={onClose} disabled={pause.isPending}>
            Keep sending
          </button>
          <button type="submit" className="button button--danger" disabled={pause.isPending}>
            {pause.isPending ? 'Pausing…' : 'Confirm pause'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
