import { useId, useState } from 'react';
import { isApiError } from '../api/client';
import type { Communication } from '../api/types';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useReviewActions } from './api';

/**
 * Approve (an optional comment) or Reject (a reason, required: the button
 * stays disabled until one is written). Both send the content_hash of the
 * text this page displayed; when it changed meanwhile the API answers 409
 * content_changed, the page says so and `onStale` loads the new text.
 */
export function ReviewDecision({ communication: c, onStale }: { communication: Communication; onStale: () => void }) {
  const { approve, reject } = useReviewActions(c.id);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [stale, setStale] = useState(false);
  const ids = { comment: useId(), reason: useId() };
  const pending = approve.isPending || reject.isPending;
  const error = approve.error ?? reject.error;

  function onError(err: unknown) {
    if (isApiError(err) && err.code === 'content_changed') {
      setStale(true);
      onStale();
    }
  }

  function doApprove() {
    reject.reset();
    setStale(false);
    const body = comment.trim() ? { comment: comment.trim(), content_hash: c.content_hash } : { content_hash: c.content_hash };
    approve.mutate(body, { onError, onSuccess: () => setComment('') });
  }

  function doReject() {
    approve.reset();
    setStale(false);
    reject.mutate({ reason: reason.trim(), content_hash: c.content_hash }, { onError, onSuccess: () => setReason('') });
  }

  return (
    <div className="review-decision" role="group" aria-label="Your decision">
      {stale ? (
        <p className="callout callout--stop" role="alert">
          The text changed while you were reading it, so nothing was recorded. The new version is shown now: read it (the
          changes are listed above) and decide again.
        </p>
      ) : error ? (
        <ErrorNotice error={error} title="Not recorded" />
      ) : null}
      <div className="review-decision-columns">
        <div className="field">
          <label htmlFor={ids.comment}>Comment (optional)</label>
          <textarea id={ids.comment} rows={3} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={4000} />
          <button type="button" className="button button--primary" disabled={pending} onClick={doApprove}>
            {approve.isPending ? 'Approving…' : 'Approve this text'}
          </button>
        </div>
        <div className="field">
          <label htmlFor={ids.reason}>Reason for rejecting (required)</label>
          <textarea
            id={ids.reason}
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={4000}
            placeholder="What must change before you approve it"
          />
          <button type="button" className="button button--danger" disabled={pending || reason.trim() === ''} onClick={doReject}>
            {reject.isPending ? 'Rejecting…' : 'Reject'}
          </button>
        </div>
      </div>
    </div>
  );
}
