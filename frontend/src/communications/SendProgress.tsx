import { useState } from 'react';
import type { Communication } from '../api/types';
import { useCan } from '../auth/can';
import { formatCount, formatDateTime, formatRate } from '../lib/format';
import { ConfirmDialog } from '../shell/Dialog';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useCommunicationActions } from './api';

/**
 * A communication on its way out: how many of its audience were handed to
 * SendGrid, and what SendGrid reported (delivered, bounced, complained,
 * unsubscribed), those skipped as suppressed at their batch's handoff, and
 * Pause / Resume / Cancel as its status allows. The counts come from the
 * communication (polled while it moves).
 */
export function SendProgress({ communication: c }: { communication: Communication }) {
  const can = useCan();
  const actions = useCommunicationActions(c.id);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const { counts } = c;
  const audience = counts.audience;
  const busy = actions.pause.isPending || actions.resume.isPending || actions.cancel.isPending;
  const error = actions.pause.error ?? actions.resume.error ?? (confirmCancel ? null : actions.cancel.error);

  return (
    <div className="progress-view" role="group" aria-label="Send progress">
      <p className="progress-line">
        <strong>{statusSentence(c)}</strong>
        {c.sent_at ? <span className="muted"> Started {formatDateTime(c.sent_at)}.</span> : null}
      </p>
      <div className="progress-bar-row">
        <progress
          className="progress-bar"
          aria-label="Handed over"
          max={Math.max(audience, 1)}
          value={Math.min(counts.handed_to_esp + counts.skipped_suppressed, Math.max(audience, 1))}
        />
        <span>
          {formatCount(counts.handed_to_esp)} of {formatCount(audience)} handed over
        </span>
      </div>
      <dl className="audience progress-numbers" aria-label="Progress">
        <Count label="Audience" value={audience} />
        <Count label="Handed over" value={counts.handed_to_esp} />
        <Count label="Delivered" value={counts.delivered} of={counts.handed_to_esp} />
        <Count label="Bounced" value={counts.bounced} of={counts.handed_to_esp} />
        <Count label="Complained" value={counts.complained} of={counts.delivered} />
        <Count label="Unsubscribed" value={counts.unsubscribed} of={counts.delivered} />
        <Count label="Skipped as suppressed" value={counts.skipped_suppressed} />
      </dl>
      {c.esp_state === 'failed' ? (
        <p className="alert alert--error" role="alert">
          SendGrid refused the last request for this batch{c.esp_error ? `: ${c.esp_error}` : ''}. Firebreak retries it in
          the background.
        </p>
      ) : null}
      <div className="action-bar">
        {c.status === 'sending' && can('campaign.pause') ? (
          <button type="button" className="button button--pause" disabled={busy} onClick={() => actions.pause.mutate()}>
            {actions.pause.isPending ? 'Pausing…' : 'Pause'}
          </button>
        ) : null}
        {c.status === 'paused' && can('campaign.resume') ? (
          <button type="button" className="button button--primary" disabled={busy} onClick={() => actions.resume.mutate()}>
            {actions.resume.isPending ? 'Resuming…' : 'Resume'}
          </button>
        ) : null}
        {(c.status === 'sending' || c.status === 'paused') && can('campaign.cancel') ? (
          <button type="button" className="button button--danger" disabled={busy} onClick={() => setConfirmCancel(true)}>
            Cancel sending
          </button>
        ) : null}
      </div>
      {error ? <ErrorNotice error={error} title="That did not work" /> : null}
      {confirmCancel ? (
        <ConfirmDialog
          title="Cancel this communication?"
          confirmLabel="Cancel it for good"
          tone="danger"
          pending={actions.cancel.isPending}
          error={actions.cancel.error ? <ErrorNotice error={actions.cancel.error} title="Not cancelled" /> : null}
          onConfirm={() => actions.cancel.mutate(undefined, { onSuccess: () => setConfirmCancel(false) })}
          onClose={() => setConfirmCancel(false)}
        >
          <p>
            Nobody still waiting gets it: {formatCount(Math.max(audience - counts.handed_to_esp - counts.skipped_suppressed, 0))}{' '}
            not yet handed over are dropped, and SendGrid discards what it still holds. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function Count({ label, value, of }: { label: string; value: number; of?: number }) {
  return (
    <div className="audience-number">
      <dt>{label}</dt>
      <dd>
        {formatCount(value)}
        {of !== undefined && of > 0 ? <span className="muted"> {formatRate(value / of)}</span> : null}
      </dd>
    </div>
  );
}

function statusSentence(c: Communication): string {
  switch (c.status) {
    case 'sending':
      return 'Sending: Firebreak hands it to SendGrid in batches, checking the suppression list before each one.';
    case 'paused':
      if (c.halted_at && c.halt_reason) {
        return `Halted by Firebreak: ${c.halt_reason} Check what went wrong before you resume.`;
      }
      return c.esp_state === 'paused'
        ? 'Paused in Firebreak and at SendGrid: nothing more goes out until you resume.'
        : 'Paused in Firebreak: nothing more is handed over. Waiting for SendGrid to hold what it has.';
    case 'sent':
      return 'Sent: everyone in its audience was handed over. SendGrid’s reports keep coming in.';
    case 'cancelled':
      return 'Cancelled: nobody else gets it.';
    default:
      return '';
  }
}
