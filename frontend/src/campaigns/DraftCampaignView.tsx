import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { isApiError } from '../api/client';
import type { Campaign, CampaignPreflight, CampaignReview, CampaignSendRequest } from '../api/types';
import { useCan } from '../auth/can';
import { ProblemList } from '../communications/ProblemList';
import { plural } from '../lib/format';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { CampaignForm } from './CampaignForm';
import { CampaignPreview } from './CampaignPreview';
import { CampaignStatusBadge } from './CampaignStatusBadge';
import { CancelDialog } from './CancelDialog';
import { CautionNotice } from './CautionNotice';
import { draftChanges, draftOf, fieldErrorsOf, type CampaignDraft } from './draft';
import { campaignProblemsByPlace } from './describe';
import { campaignKeys } from './api';
import { draftKeys, useCampaignPreflight, useSendCampaign, useSendTest, useUpdateCampaign } from './draftApi';
import { isApproved, ReviewPanel, ReviewReasons } from './ReviewPanel';
import { SendDialog } from './SendDialog';

/**
 * A draft campaign's page: the campaign form to edit it (PATCH only what
 * changed), the preflight of what is saved with each problem next to its
 * field, the rendered preview as a chosen recipient, a test to the signed-in
 * user, and Send — refused while the check fails or while the brand's second
 * pair of eyes has not approved this content (ReviewPanel), and confirmed with
 * the audience size first. When the brand is watched after an incident the
 * page says so (CautionNotice) and an admin may send without the canary.
 */
export function DraftCampaignView({ campaign: c }: { campaign: Campaign }) {
  const can = useCan();
  const canEdit = can('campaign.create');
  const canSend = can('campaign.send');
  // Only admins may send without the watch's canary; user.manage is admin-only (as in ResolvePanel).
  const isAdmin = can('user.manage');
  const queryClient = useQueryClient();
  const save = useUpdateCampaign(c.id);
  const preflight = useCampaignPreflight(c.id, c.updated_at, canEdit || canSend);
  const send = useSendCampaign(c.id);
  const test = useSendTest(c.id);
  const [draft, setDraft] = useState<CampaignDraft>(() => draftOf(c));
  const [base, setBase] = useState(c);
  if (base.updated_at !== c.updated_at) {
    // The saved draft changed under the form (someone else's save, read again after a
    // 409 content_changed): show the new version unless there are unsaved edits here.
    const edited = draftChanges(base, draft);
    if (Object.keys(edited.patch).length === 0 && Object.keys(edited.errors).length === 0) setDraft(draftOf(c));
    setBase(c);
  }
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [recipientId, setRecipientId] = useState('');
  const [dialog, setDialog] = useState<'send' | 'cancel' | null>(null);
  const previewHeading = useId();

  const { patch, errors: numberErrors } = draftChanges(c, draft);
  const dirty = Object.keys(patch).length > 0 || Object.keys(numberErrors).length > 0;
  const check = preflight.data;
  const problems = campaignProblemsByPlace(check?.problems, { subject: c.subject, html: c.html ?? '', text: c.text ?? '' });
  const awaitingReview = !!c.review && !isApproved(c.review);
  const sendable = !dirty && !!check?.ok && !awaitingReview && !send.isPending;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!dirty || save.isPending) return;
    setLocalErrors(numberErrors);
    if (Object.keys(numberErrors).length > 0) return;
    save.mutate(patch, { onSuccess: (answer) => setDraft(draftOf(answer)) });
  }

  function confirmSend(body?: CampaignSendRequest) {
    send.mutate(body, {
      onSettled: () => setDialog(null),
      onError: (err) => {
        // The server checked again and refused: show its problems in place.
        const refused = isApiError(err) && err.code === 'preflight_failed' ? (err.details.preflight as CampaignPreflight | undefined) : undefined;
        if (refused && Array.isArray(refused.problems)) queryClient.setQueryData(draftKeys.preflight(c.id, c.updated_at), refused);
        // It needs a second pair of eyes (the brand's setting, or a watch window that began meanwhile): show the panel now.
        const review = reviewOf(err);
        if (review) queryClient.setQueryData<Campaign>(campaignKeys.detail(c.id), (old) => (old ? { ...old, review } : old));
      },
    });
  }

  return (
    <div className="campaign-page">
      <PageHeader title={c.name}>
        A draft: check it, preview it, send yourself a test, then send it.
      </PageHeader>
      <div className="incident-meta">
        <CampaignStatusBadge status={c.status} />
      </div>
      <CautionNotice campaign={c} />
      <ReviewPanel campaign={c} dirty={dirty} />

      <form className="composer" aria-label="Campaign draft" onSubmit={submit} noValidate>
        {!canEdit ? <p className="muted">You can read this draft and its preview; marketers and admins edit and send it.</p> : null}
        <CampaignForm
          draft={draft}
          onChange={setDraft}
          readOnly={!canEdit}
          errors={{ ...fieldErrorsOf(save.error), ...localErrors }}
          problems={problems}
        />
        <ProblemList label="Other problems" problems={problems.other} />
        {preflight.isPending && preflight.fetchStatus !== 'idle' ? <Loading label="Checking the campaign…" /> : null}
        {preflight.isError ? (
          <ErrorNotice error={preflight.error} title="The check did not run" onRetry={() => void preflight.refetch()} />
        ) : null}
        {check ? (
          <p className={check.ok ? 'preflight-ok' : 'field-error'} role="status">
            {check.ok
              ? `The check found no problems: it can be sent to ${plural(check.audience, 'recipient')}.`
              : `The check found ${plural(check.problems.length, 'problem')} that ${check.problems.length === 1 ? 'blocks' : 'block'} sending.`}
            {dirty ? ' (As saved: save your changes to check them.)' : null}
          </p>
        ) : null}
        {save.error ? <ErrorNotice error={save.error} title="Not saved" /> : null}
        {send.error ? <SendRefusal error={send.error} /> : null}
        {test.error ? <ErrorNotice error={test.error} title="No test sent" /> : null}
        {test.data ? (
          <p className="preflight-ok" role="status">
            Test sent to {test.data.to}.
          </p>
        ) : null}

        <div className="action-bar">
          {canEdit ? (
            <button type="submit" className="button button--secondary" disabled={!dirty || save.isPending}>
              {save.isPending ? 'Saving…' : dirty ? 'Save draft' : 'Saved'}
            </button>
          ) : null}
          {canSend ? (
            <>
              <button
                type="button"
                className="button button--secondary"
                disabled={test.isPending}
                onClick={() => test.mutate(recipientId)}
              >
                {test.isPending ? 'Sending the test…' : 'Send test to me'}
              </button>
              <button
                type="button"
                className="button button--primary"
                disabled={!sendable}
                onClick={() => {
                  send.reset();
                  setDialog('send');
                }}
              >
                Send…
              </button>
            </>
          ) : null}
          {can('campaign.cancel') ? (
            <button type="button" className="button button--secondary" onClick={() => setDialog('cancel')}>
              Cancel campaign
            </button>
          ) : null}
        </div>
        {canSend && dirty ? <p className="field-hint">Save your changes before sending.</p> : null}
        {canSend && !dirty && check && !check.ok ? (
          <p className="field-hint">Send stays off until the check passes: fix the problems marked above and save.</p>
        ) : null}
        {canSend && awaitingReview ? (
          <p className="field-hint">
            Send stays off until someone other than its creator approves this content (“Needs a second pair of eyes”,
            above).
          </p>
        ) : null}
      </form>

      <section className="panel" aria-labelledby={previewHeading}>
        <h2 className="panel-title" id={previewHeading}>
          Preview {dirty ? <span className="muted">(as saved)</span> : null}
        </h2>
        <CampaignPreview campaign={c} recipientId={recipientId} onRecipient={setRecipientId} />
      </section>

      {dialog === 'send' && check ? (
        <SendDialog
          campaign={c}
          audience={check.audience}
          mayOverride={isAdmin}
          pending={send.isPending}
          onConfirm={confirmSend}
          onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog === 'cancel' ? <CancelDialog campaign={c} onClose={() => setDialog(null)} /> : null}
    </div>
  );
}

/** The CampaignReview a 409 review_required carries in details.review, if it is one. */
function reviewOf(err: unknown): CampaignReview | undefined {
  if (!isApiError(err) || err.code !== 'review_required') return undefined;
  const review = err.details.review as CampaignReview | undefined;
  return review && Array.isArray(review.reasons) ? review : undefined;
}

/** Why a send was refused, with what to do next. */
function SendRefusal({ error }: { error: unknown }) {
  const code = isApiError(error) ? error.code : '';
  const review = reviewOf(error);
  return (
    <ErrorNotice error={error} title="Not sent">
      {code === 'preflight_failed' ? (
        <p className="notice-detail">Fix the problems marked above, save, and send again.</p>
      ) : code === 'unavailable' ? (
        <p className="notice-detail">Nothing was sent: the campaign is still a draft. Try again shortly.</p>
      ) : code === 'review_required' ? (
        <>
          <p className="notice-detail">
            Nothing was sent: another marketer or an admin must approve this content first, because:
          </p>
          {review ? <ReviewReasons reasons={review.reasons} label="Why it was not sent" /> : null}
        </>
      ) : code === 'caution_override_forbidden' ? (
        <p className="notice-detail">Nothing was sent: only an admin may send without the canary. Send it with the canary.</p>
      ) : null}
    </ErrorNotice>
  );
}
