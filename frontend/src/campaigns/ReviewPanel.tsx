import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { isApiError } from '../api/client';
import type { Campaign, CampaignReview, CampaignReviewReason } from '../api/types';
import { useCan } from '../auth/can';
import { useSession } from '../auth/session';
import { formatDateTime } from '../lib/format';
import { ErrorNotice } from '../shell/ErrorNotice';
import { campaignKeys } from './api';
import { useApproveCampaign } from './draftApi';

/** Whether the review holds an approval for exactly the draft's current content (what send needs). */
export function isApproved(review: CampaignReview | null): boolean {
  return !!review?.approval && review.approval.content_hash === review.content_hash;
}

/** The reasons a draft needs a second pair of eyes, in the server's words. */
export function ReviewReasons({ reasons, label }: { reasons: readonly CampaignReviewReason[]; label: string }) {
  if (reasons.length === 0) return null;
  return (
    <ul className="review-reasons" aria-label={label}>
      {reasons.map((r) => (
        <li key={`${r.code}:${r.detail}`}>{r.detail}</li>
      ))}
    </ul>
  );
}

/**
 * "Needs a second pair of eyes": the brand wants another marketer (or an
 * admin) to approve drafts like this one before send — why (the reasons), and
 * the approval if there is one for this exact content. Someone other than the
 * creator may approve; the approval is bound to the content_hash shown, so a
 * draft that changed meanwhile (409 content_changed) is read again first. Any
 * saved edit withdraws the approval (the server drops it).
 */
export function ReviewPanel({ campaign: c, dirty }: { campaign: Campaign; dirty: boolean }) {
  const review = c.review;
  const can = useCan();
  const { data: session } = useSession();
  const queryClient = useQueryClient();
  const approve = useApproveCampaign(c.id);
  const [comment, setComment] = useState('');
  const [stale, setStale] = useState(false);
  const headingId = useId();
  const commentId = useId();
  if (!review) return null;

  const me = session?.user;
  const mine = !!me && !!c.created_by && c.created_by === me.id;
  const mayApprove = can('campaign.send') && !mine;
  const approval = isApproved(review) ? review.approval : null;

  function doApprove() {
    if (!review) return;
    setStale(false);
    const text = comment.trim();
    approve.mutate(text ? { content_hash: review.content_hash, comment: text } : { content_hash: review.content_hash }, {
      onSuccess: () => setComment(''),
      onError: (err) => {
        if (!isApiError(err)) return;
        if (err.code === 'content_changed') setStale(true);
        if (['content_changed', 'review_not_required', 'not_draft'].includes(err.code)) {
          void queryClient.invalidateQueries({ queryKey: campaignKeys.detail(c.id) });
        }
      },
    });
  }

  return (
    <section className="panel review-panel" aria-labelledby={headingId}>
      <h2 className="panel-title" id={headingId}>
        Needs a second pair of eyes
      </h2>
      <p>
        {review.mode === 'watch_window'
          ? 'The brand is watched after an incident, so a second marketer approves drafts like this one before they are sent:'
          : 'The brand asks a second marketer to approve drafts like this one before they are sent:'}
      </p>
      <ReviewReasons reasons={review.reasons} label="Why it needs a review" />

      {approval ? (
        <div className="review-approved" role="status">
          <p>
            <strong>
              Approved by {approval.name} at {formatDateTime(approval.at)}
            </strong>{' '}
            for this content.
          </p>
          {approval.comment ? <blockquote className="review-comment">{approval.comment}</blockquote> : null}
          <p className="field-hint">
            {dirty
              ? 'Saving your changes withdraws this approval: the changed draft needs approving again.'
              : 'Any edit withdraws this approval: the changed draft needs approving again.'}
          </p>
        </div>
      ) : (
        <>
          {stale ? (
            <p className="callout callout--stop" role="alert">
              The draft changed while you were reading it, so nothing was approved. The new version is shown now: review
              it again.
            </p>
          ) : approve.error ? (
            <ErrorNotice error={approve.error} title="Not approved" />
          ) : null}
          {mine ? (
            <p className="muted">
              You created this draft, so someone else must approve it: another marketer or an admin. Send stays off until
              they do.
            </p>
          ) : mayApprove ? (
            <div className="review-approve">
              <p className="muted">
                Read the draft and its preview. Your approval counts for this content only
                {dirty ? '; it is for the draft as saved, not your unsaved changes' : ''}.
              </p>
              <div className="field">
                <label htmlFor={commentId}>Comment (optional)</label>
                <textarea
                  id={commentId}
                  rows={2}
                  value={comment}
                  maxLength={2000}
                  onChange={(e) => setComment(e.target.value)}
                />
              </div>
              <div className="action-bar">
                <button
                  type="button"
                  className="button button--primary"
                  disabled={approve.isPending || dirty}
                  onClick={doApprove}
                >
                  {approve.isPending ? 'Approving…' : 'Approve for send'}
                </button>
              </div>
              {dirty ? <p className="field-hint">Save your changes first: an approval is for the draft as saved.</p> : null}
            </div>
          ) : (
            <p className="muted">A marketer or admin other than its creator approves it before it can be sent.</p>
          )}
        </>
      )}
    </section>
  );
}
