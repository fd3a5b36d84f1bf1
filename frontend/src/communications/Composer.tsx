import { useId, useState, type FormEvent } from 'react';
import { isApiError } from '../api/client';
import {
  COMMUNICATION_SCOPES,
  type Communication,
  type CommunicationPatch,
  type CommunicationPreflight,
  type CommunicationScope,
} from '../api/types';
import { useCan } from '../auth/can';
import { plural } from '../lib/format';
import { ConfirmDialog } from '../shell/Dialog';
import { ApprovalStatus, RejectionNotice, roleList } from '../reviews/ApprovalStatus';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useCommunicationActions } from './api';
import { AudienceNumbers } from './AudienceNumbers';
import { KIND_LABEL, problemsFor, SCOPE_LABEL } from './describe';
import { LazyCodeEditor } from './LazyCodeEditor';
import { PreviewPanel } from './PreviewPanel';
import { ProblemList } from './ProblemList';

interface Draft {
  subject: string;
  html: string;
  text: string;
  reply_to: string;
  scope: CommunicationScope;
  segments: string[];
  include_previous: boolean;
}

function draftOf(c: Communication): Draft {
  return { subject: c.subject, html: c.html, text: c.text, reply_to: c.reply_to, scope: c.scope, segments: [...c.segments], include_previous: c.include_previous };
}

/** The fields that differ from what is saved: what a PATCH sends. */
function changes(saved: Communication, d: Draft): CommunicationPatch {
  const patch: CommunicationPatch = {};
  if (d.subject !== saved.subject) patch.subject = d.subject;
  if (d.html !== saved.html) patch.html = d.html;
  if (d.text !== saved.text) patch.text = d.text;
  if (d.reply_to !== saved.reply_to) patch.reply_to = d.reply_to;
  if (d.scope !== saved.scope) patch.scope = d.scope;
  const a = [...d.segments].sort();
  const b = [...saved.segments].sort();
  if (a.length !== b.length || a.some((s, i) => s !== b[i])) patch.segments = d.segments;
  if (d.include_previous !== saved.include_previous) patch.include_previous = d.include_previous;
  return patch;
}

/** The preflight a send refused with (422 preflight_failed carries it in details.preflight). */
function refusedPreflight(err: unknown): CommunicationPreflight | null {
  if (!isApiError(err) || err.code !== 'preflight_failed') return null;
  const p = err.details.preflight as CommunicationPreflight | undefined;
  return p && Array.isArray(p.problems) ? p : null;
}

/**
 * A communication before it is sent: subject, HTML and text bodies (CodeMirror),
 * reply-to, scope and segments; Save (PATCH) counts the audience again and runs
 * the preflight, whose problems appear next to the field they refer to; the
 * preview shows what a recipient gets; Send asks "Send to N people?" first.
 * Marketers and admins edit and send; every other role reads.
 */
export function Composer({ communication: c, campaignSegments }: { communication: Communication; campaignSegments: readonly string[] }) {
  const can = useCan();
  const canEdit = can('communication.draft');
  const canSend = can('campaign.send');
  const needsApproval = c.required_approvals.length > 0;
  // A communication that needs approvals is sent only once approved; until then it is submitted.
  const sendable = !needsApproval || c.status === 'approved';
  const actions = useCommunicationActions(c.id);
  const [draft, setDraft] = useState<Draft>(() => draftOf(c));
  const [preflight, setPreflight] = useState<CommunicationPreflight | null>(null);
  const [showPreview, setShowPreview] = useState(false);
  const [confirmSend, setConfirmSend] = useState(false);
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const ids = {
    subject: useId(),
    subjectProblems: useId(),
    html: useId(),
    bodyProblems: useId(),
    text: useId(),
    replyTo: useId(),
    replyProblems: useId(),
  };

  const patch = changes(c, draft);
  const dirty = Object.keys(patch).length > 0;
  const problems = preflight?.problems;
  const subjectProblems = problemsFor(problems, 'subject');
  const bodyProblems = problemsFor(problems, 'body');
  const replyProblems = problemsFor(problems, 'reply_to');
  const brandProblems = problemsFor(problems, 'brand');
  const otherProblems = problemsFor(problems, 'other');
  const blocking = (list: typeof subjectProblems) => list.some((p) => p.severity === 'blocking');
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  function check() {
    actions.preflight.mutate(undefined, { onSuccess: setPreflight });
  }

  // Saving a changed text of a communication in review or approved withdraws every
  // approval and returns it to draft: the author confirms that first.
  const reviewed = needsApproval && (c.status === 'in_review' || c.status === 'approved');

  function save(event?: FormEvent) {
    event?.preventDefault();
    if (!dirty || actions.save.isPending) return;
    if (reviewed && !confirmWithdraw) {
      setConfirmWithdraw(true);
      return;
    }
    actions.save.mutate(patch, { onSuccess: check, onSettled: () => setConfirmWithdraw(false) });
  }

  function submit() {
    actions.submit.reset();
    actions.submit.mutate();
  }

  function send() {
    actions.send.reset();
    actions.send.mutate(undefined, {
      onSettled: () => setConfirmSend(false),
      onError: (err) => {
        const refused = refusedPreflight(err);
        if (refused) setPreflight(refused);
      },
    });
  }

  const sendError = actions.send.error;
  const willReceive = c.audience.will_receive;

  return (
    <form className="composer" aria-label={`${KIND_LABEL[c.kind]} composer`} onSubmit={save}>
      {!canEdit ? (
        <p className="muted">You can read this draft and its preview; marketers and admins edit and send it.</p>
      ) : null}
      <ProblemList label="Brand warnings" problems={brandProblems} />

      <div className="field">
        <label htmlFor={ids.subject}>Subject</label>
        <input
          id={ids.subject}
          value={draft.subject}
          onChange={(e) => set('subject', e.target.value)}
          readOnly={!canEdit}
          aria-invalid={blocking(subjectProblems) || undefined}
          aria-describedby={subjectProblems.length ? ids.subjectProblems : undefined}
        />
        <ProblemList id={ids.subjectProblems} label="Problems with the subject" problems={subjectProblems} />
      </div>

      <div className="field">
        <span className="field-label" id={ids.html}>
          HTML body
        </span>
        <span className="field-hint">
          Goes inside the brand's template (logo, colour, footer, address, unsubscribe). Merge tags such as{' '}
          <code>{'{{first_name|there}}'}</code> are filled in for each recipient.
        </span>
        <LazyCodeEditor
          label="HTML body"
          language="html"
          value={draft.html}
          onChange={(v) => set('html', v)}
          readOnly={!canEdit}
          invalid={blocking(bodyProblems)}
          describedBy={bodyProblems.length ? ids.bodyProblems : undefined}
        />
        <ProblemList id={ids.bodyProblems} label="Problems with the body" problems={bodyProblems} />
      </div>

      <div className="field">
        <span className="field-label" id={ids.text}>
          Text body
        </span>
        <LazyCodeEditor
          label="Text body"
          language="text"
          value={draft.text}
          onChange={(v) => set('text', v)}
          readOnly={!canEdit}
        />
      </div>

      <div className="field-row composer-audience-fields">
        <div className="field">
          <label htmlFor={ids.replyTo}>Reply-to</label>
          <input
            id={ids.replyTo}
            type="email"
            value={draft.reply_to}
            onChange={(e) => set('reply_to', e.target.value)}
            readOnly={!canEdit}
            placeholder="the brand's reply-to"
            aria-invalid={blocking(replyProblems) || undefined}
            aria-describedby={replyProblems.length ? ids.replyProblems : undefined}
          />
          <ProblemList id={ids.replyProblems} label="Problems with the reply-to" problems={replyProblems} />
        </div>
        <fieldset className="checkbox-group field">
          <legend>Who counts as affected</legend>
          {COMMUNICATION_SCOPES.map((scope) => (
            <label key={scope} className="checkbox">
              <input
                type="radio"
                name={`scope-${c.id}`}
                value={scope}
                checked={draft.scope === scope}
                disabled={!canEdit}
                onChange={() => set('scope', scope)}
              />
              <span>
                {SCOPE_LABEL[scope].label} <span className="muted">— {SCOPE_LABEL[scope].hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
      </div>

      {campaignSegments.length > 0 ? (
        <fieldset className="checkbox-group field">
          <legend>Only these segments (none ticked: all of the campaign's)</legend>
          <div className="checkbox-grid">
            {campaignSegments.map((segment) => (
              <label key={segment} className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.segments.includes(segment)}
                  disabled={!canEdit}
                  onChange={(e) =>
                    set('segments', e.target.checked ? [...draft.segments, segment] : draft.segments.filter((s) => s !== segment))
                  }
                />
                <span>{segment}</span>
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}

      <label className="checkbox field">
        <input
          type="checkbox"
          checked={draft.include_previous}
          disabled={!canEdit}
          onChange={(e) => set('include_previous', e.target.checked)}
        />
        <span>
          Also send it to those who already got an earlier {KIND_LABEL[c.kind].toLowerCase()} about this incident{' '}
          <span className="muted">— by default they are left out, so nobody gets two</span>
        </span>
      </label>

      <section className="composer-audience" aria-label="Who it goes to">
        <h4 className="subheading">Who it goes to {dirty ? <span className="muted">(as saved)</span> : null}</h4>
        <AudienceNumbers audience={c.audience} refreshing={actions.save.isPending} />
      </section>

      <ProblemList label="Other problems" problems={otherProblems} />
      {preflight ? (
        <p className={preflight.ok ? 'preflight-ok' : 'field-error'} role="status">
          {preflight.ok
            ? problems && problems.length > 0
              ? 'The check found only warnings: it can be sent.'
              : 'The check found no problems.'
            : `The check found ${plural(problems?.filter((p) => p.severity === 'blocking').length ?? 0, 'problem')} that block sending.`}
        </p>
      ) : null}
      {needsApproval ? (
        <section className="composer-review" aria-label="Review">
          <h4 className="subheading">Review by {roleList(c.required_approvals)}</h4>
          {c.status === 'draft' ? (
            <>
              <RejectionNotice communication={c} />
              <p>
                Needs approval by {roleList(c.required_approvals)} before it can be sent: each a different person, neither
                of them its author. Submit it when the text is final.
              </p>
            </>
          ) : c.status === 'in_review' ? (
            <p className="callout" role="status">
              Waiting for {roleList(c.still_needed.length > 0 ? c.still_needed : c.required_approvals)}.
            </p>
          ) : (
            <p className="preflight-ok" role="status">
              Approved: it can be sent.
            </p>
          )}
          {c.status !== 'draft' ? <ApprovalStatus communication={c} /> : null}
          {reviewed && dirty ? (
            <p className="field-hint">Saving this change withdraws every approval and returns it to draft.</p>
          ) : null}
        </section>
      ) : null}

      {actions.save.error ? <ErrorNotice error={actions.save.error} title="Not saved" /> : null}
      {actions.preflight.error ? <ErrorNotice error={actions.preflight.error} title="The check did not run" /> : null}
      {actions.submit.error ? <ErrorNotice error={actions.submit.error} title="Not submitted" /> : null}
      {sendError ? <SendRefusal error={sendError} /> : null}

      <div className="action-bar">
        {canEdit ? (
          <button type="submit" className="button button--secondary" disabled={!dirty || actions.save.isPending}>
            {actions.save.isPending ? 'Saving…' : dirty ? 'Save draft' : 'Saved'}
          </button>
        ) : null}
        <button type="button" className="button button--secondary" onClick={check} disabled={actions.preflight.isPending}>
          {actions.preflight.isPending ? 'Checking…' : 'Check'}
        </button>
        <button
          type="button"
          className="button button--secondary"
          aria-expanded={showPreview}
          onClick={() => setShowPreview((v) => !v)}
        >
          {showPreview ? 'Hide preview' : 'Preview'}
        </button>
        {canEdit && needsApproval && c.status === 'draft' ? (
          <button type="button" className="button button--primary" disabled={dirty || actions.submit.isPending} onClick={submit}>
            {actions.submit.isPending ? 'Submitting…' : 'Submit for review'}
          </button>
        ) : null}
        {canSend && sendable ? (
          <button
            type="button"
            className="button button--primary"
            disabled={dirty || actions.send.isPending}
            onClick={() => {
              actions.send.reset();
              setConfirmSend(true);
            }}
          >
            Send…
          </button>
        ) : null}
      </div>
      {canSend && sendable && dirty ? <p className="field-hint">Save your changes before sending.</p> : null}
      {canEdit && needsApproval && c.status === 'draft' && dirty ? (
        <p className="field-hint">Save your changes before submitting.</p>
      ) : null}

      {showPreview ? <PreviewPanel communication={c} /> : null}

      {confirmWithdraw ? (
        <ConfirmDialog
          title={c.status === 'approved' ? 'Withdraw the approvals?' : 'Take it out of review?'}
          confirmLabel="Save and withdraw"
          pending={actions.save.isPending}
          onConfirm={() => save()}
          onClose={() => setConfirmWithdraw(false)}
        >
          <p>
            {c.status === 'approved'
              ? `${roleList(c.required_approvals)} approved the text as it is saved now. Saving this change withdraws their approvals and returns it to draft: it must be submitted and approved again before it can be sent.`
              : 'It is waiting for review. Saving this change withdraws any approval given so far and returns it to draft: submit it again when it is final.'}
          </p>
        </ConfirmDialog>
      ) : null}
      {confirmSend ? (
        <ConfirmDialog
          title={`Send to ${plural(willReceive, 'person', 'people')}?`}
          confirmLabel="Send now"
          pending={actions.send.isPending}
          onConfirm={send}
          onClose={() => setConfirmSend(false)}
        >
          <p>
            “{c.subject}” goes to {plural(willReceive, 'person', 'people')} affected by this incident. Anyone suppressed
            before their batch is handed over is skipped, and nobody gets it twice. You can pause or cancel it while it
            goes out.
          </p>
        </ConfirmDialog>
      ) : null}
    </form>
  );
}

/** Why a send was refused, in words, with what to do next. */
function SendRefusal({ error }: { error: unknown }) {
  const code = isApiError(error) ? error.code : '';
  return (
    <ErrorNotice error={error} title="Not sent">
      {code === 'preflight_failed' ? (
        <p className="notice-detail">Fix the problems marked above, save, and send again.</p>
      ) : code === 'approval_required' ? (
        <p className="notice-detail">It needs every required approval for the text as it is now: submit it for review.</p>
      ) : null}
    </ErrorNotice>
  );
}
