import { useId, useState } from 'react';
import type { Campaign, CampaignSendRequest } from '../api/types';
import { plural } from '../lib/format';
import { Dialog } from '../shell/Dialog';
import { describeCautionCanary } from './CautionNotice';
import { describeSendBuffer } from './describe';

/**
 * The confirmation before a draft is sent: how many recipients, the send
 * buffer, and — when the brand is watched after an incident — that it goes
 * out as a canary. An admin may tick "Send without the canary"; the reason is
 * then required (the server audits it) and goes as override_caution_reason.
 */
export function SendDialog({
  campaign: c,
  audience,
  mayOverride,
  pending,
  onConfirm,
  onClose,
}: {
  campaign: Campaign;
  audience: number;
  /** The caller is an admin: the only role the server lets send without the canary. */
  mayOverride: boolean;
  pending: boolean;
  onConfirm: (body?: CampaignSendRequest) => void;
  onClose: () => void;
}) {
  const [override, setOverride] = useState(false);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const hintId = useId();
  const caution = c.caution;
  const overriding = !!caution && mayOverride && override;
  const missingReason = overriding && reason.trim() === '';

  function confirm() {
    if (missingReason) return;
    onConfirm(overriding ? { override_caution_reason: reason.trim() } : undefined);
  }

  return (
    <Dialog title={`Send to ${plural(audience, 'recipient')}?`} onClose={onClose} closeDisabled={pending}>
      <div className="dialog-body">
        <p>
          “{c.subject}” goes to {plural(audience, 'recipient')} in {c.segments.join(', ')}, minus anyone suppressed when
          the audience is taken. {describeSendBuffer(c.send_buffer_seconds)}
        </p>
        {caution ? (
          <div className="send-caution">
            <p className={overriding ? 'muted' : undefined}>
              <strong>Watched after an incident:</strong> it goes out as a {describeCautionCanary(caution)}. {caution.reason}
            </p>
            {mayOverride ? (
              <>
                <label className="checkbox">
                  <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} />
                  Send without the canary
                </label>
                {override ? (
                  <div className="field">
                    <label htmlFor={reasonId}>Why it may go out without the canary (required)</label>
                    <textarea
                      id={reasonId}
                      rows={3}
                      value={reason}
                      maxLength={2000}
                      aria-describedby={hintId}
                      onChange={(e) => setReason(e.target.value)}
                    />
                    <p className="field-hint" id={hintId}>
                      Everyone is handed over at once. The reason and your name go on the campaign and the incident's
                      timeline.
                    </p>
                  </div>
                ) : null}
              </>
            ) : null}
          </div>
        ) : null}
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button--secondary" onClick={onClose} disabled={pending}>
          Back
        </button>
        <button
          type="button"
          className="button button--primary"
          onClick={confirm}
          disabled={pending || missingReason}
          data-autofocus={caution && mayOverride ? undefined : true}
        >
          {pending ? 'Working…' : overriding ? 'Send without the canary now' : 'Send now'}
        </button>
      </div>
    </Dialog>
  );
}
