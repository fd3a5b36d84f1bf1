import { useId, useState } from 'react';
import type { Incident } from '../api/types';
import { formatDateTime } from '../lib/format';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useDirectory, useIncidentActions } from './api';

/** A data breach's legal sign-off: who confirmed and why, or a form for a legal user to give it. */
export function LegalConfirmationPanel({ incident, isLegal }: { incident: Incident; isLegal: boolean }) {
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
