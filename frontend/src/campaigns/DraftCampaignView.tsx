import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { isApiError } from '../api/client';
import type { Campaign, CampaignPreflight } from '../api/types';
import { useCan } from '../auth/can';
import { ProblemList } from '../communications/ProblemList';
import { plural } from '../lib/format';
import { ConfirmDialog } from '../shell/Dialog';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { CampaignForm } from './CampaignForm';
import { CampaignPreview } from './CampaignPreview';
import { CampaignStatusBadge } from './CampaignStatusBadge';
import { CancelDialog } from './CancelDialog';
import { draftChanges, draftOf, fieldErrorsOf, type CampaignDraft } from './draft';
import { campaignProblemsByPlace, describeSendBuffer } from './describe';
import { draftKeys, useCampaignPreflight, useSendCampaign, useSendTest, useUpdateCampaign } from './draftApi';

/**
 * A draft campaign's page: the campaign form to edit it (PATCH only what
 * changed), the preflight of what is saved with each problem next to its
 * field, the rendered preview as a chosen recipient, a test to the signed-in
 * user, and Send — refused while the check fails, and confirmed with the
 * audience size first.
 */
export function DraftCampaignView({ campaign: c }: { campaign: Campaign }) {
  const can = useCan();
  const canEdit = can('campaign.create');
  const canSend = can('campaign.send');
  const queryClient = useQueryClient();
  const save = useUpdateCampaign(c.id);
  const preflight = useCampaignPreflight(c.id, c.updated_at, canEdit || canSend);
  const send = useSendCampaign(c.id);
  const test = useSendTest(c.id);
  const [draft, setDraft] = useState<CampaignDraft>(() => draftOf(c));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [recipientId, setRecipientId] = useState('');
  const [dialog, setDialog] = useState<'send' | 'cancel' | null>(null);
  const previewHeading = useId();

  const { patch, errors: numberErrors } = draftChanges(c, draft);
  const dirty = Object.keys(patch).length > 0 || Object.keys(numberErrors).length > 0;
  const check = preflight.data;
  const problems = campaignProblemsByPlace(check?.problems, { subject: c.subject, html: c.html ?? '', text: c.text ?? '' });
  const sendable = !dirty && !!check?.ok && !send.isPending;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!dirty || save.isPending) return;
    setLocalErrors(numberErrors);
    if (Object.keys(numberErrors).length > 0) return;
    save.mutate(patch, { onSuccess: (answer) => setDraft(draftOf(answer)) });
  }

  function confirmSend() {
    send.mutate(undefined, {
      onSettled: () => setDialog(null),
      onError: (err) => {
        // The server checked again and refused: show its problems in place.
        const refused = isApiError(err) && err.code === 'preflight_failed' ? (err.details.preflight as CampaignPreflight | undefined) : undefined;
        if (refused && Array.isArray(refused.problems)) queryClient.setQueryData(draftKeys.preflight(c.id, c.updated_at), refused);
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
      </form>

      <section className="panel" aria-labelledby={previewHeading}>
        <h2 className="panel-title" id={previewHeading}>
          Preview {dirty ? <span className="muted">(as saved)</span> : null}
        </h2>
        <CampaignPreview campaign={c} recipientId={recipientId} onRecipient={setRecipientId} />
      </section>

      {dialog === 'send' && check ? (
        <ConfirmDialog
          title={`Send to ${plural(check.audience, 'recipient')}?`}
          confirmLabel="Send now"
          pending={send.isPending}
          onConfirm={confirmSend}
          onClose={() => setDialog(null)}
        >
          <p>
            “{c.subject}” goes to {plural(check.audience, 'recipient')} in {c.segments.join(', ')}, minus anyone
            suppressed when the audience is taken. {describeSendBuffer(c.send_buffer_seconds)}
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog === 'cancel' ? <CancelDialog campaign={c} onClose={() => setDialog(null)} /> : null}
    </div>
  );
}

/** Why a send was refused, with what to do next. */
function SendRefusal({ error }: { error: unknown }) {
  const code = isApiError(error) ? error.code : '';
  return (
    <ErrorNotice error={error} title="Not sent">
      {code === 'preflight_failed' ? (
        <p className="notice-detail">Fix the problems marked above, save, and send again.</p>
      ) : code === 'unavailable' ? (
        <p className="notice-detail">Nothing was sent: the campaign is still a draft. Try again shortly.</p>
      ) : null}
    </ErrorNotice>
  );
}
