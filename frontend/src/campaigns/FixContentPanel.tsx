import { useId, useState, type FormEvent } from 'react';
import type { Campaign, CampaignFix } from '../api/types';
import { ProblemList } from '../communications/ProblemList';
import { formatDateTime, plural } from '../lib/format';
import { ErrorNotice } from '../shell/ErrorNotice';
import { CampaignPreview } from './CampaignPreview';
import { ContentFields } from './ContentFields';
import { contentChanges, fieldErrorsOf } from './draft';
import { campaignProblemsByPlace, type CampaignContent } from './describe';
import { useUpdateCampaign } from './draftApi';

const FIELD_LABEL: Record<CampaignFix['fields'][number], string> = { subject: 'the subject', html: 'the HTML body', text: 'the text body' };

/**
 * "Fix content" of a paused campaign: its subject and bodies, corrected and
 * saved (PATCH) before Resume. The answer's `fix` says what Resume will then
 * do, and its preflight of the corrected content is shown next to the fields;
 * a 422 shows its field errors there too. Nothing reaches a recipient until
 * the campaign is resumed.
 */
export function FixContentPanel({ campaign: c, onClose }: { campaign: Campaign; onClose: () => void }) {
  const save = useUpdateCampaign(c.id);
  const saved: CampaignContent = { subject: c.subject, html: c.html ?? '', text: c.text ?? '' };
  const [content, setContent] = useState<CampaignContent>(saved);
  const [showPreview, setShowPreview] = useState(false);
  const [recipientId, setRecipientId] = useState('');
  const headingId = useId();
  const patch = contentChanges(c, content);
  const dirty = Object.keys(patch).length > 0;
  const preflight = c.fix?.preflight;
  const problems = campaignProblemsByPlace(preflight?.problems, saved);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!dirty || save.isPending) return;
    save.mutate(patch, {
      onSuccess: (answer) => setContent({ subject: answer.subject, html: answer.html ?? '', text: answer.text ?? '' }),
    });
  }

  return (
    <section className="panel fix-content" aria-labelledby={headingId}>
      <h2 className="panel-title" id={headingId}>
        Fix content
      </h2>
      <p className="muted">
        Correct what is wrong (a price, a broken merge tag) while the campaign is paused. Nothing reaches anyone until
        you resume: then the messages SendGrid holds with the old content are withdrawn and handed over again with this
        one.
      </p>
      <form className="composer" aria-label="Fix content" onSubmit={submit}>
        <ContentFields
          value={content}
          onChange={(key, value) => setContent((d) => ({ ...d, [key]: value }))}
          errors={fieldErrorsOf(save.error)}
          problems={problems}
        />
        <ProblemList label="Other problems" problems={problems.other} />
        {preflight ? (
          <p className={preflight.ok ? 'preflight-ok' : 'field-error'} role="status">
            {preflight.ok
              ? 'The corrected content passes the check.'
              : `The corrected content has ${plural(preflight.problems.length, 'problem')}: Firebreak refuses to resume until ${preflight.problems.length === 1 ? 'it is' : 'they are'} fixed.`}
          </p>
        ) : null}
        {save.error ? <ErrorNotice error={save.error} title="Not saved" /> : null}
        <div className="action-bar">
          <button type="submit" className="button button--primary" disabled={!dirty || save.isPending}>
            {save.isPending ? 'Saving…' : dirty ? 'Save correction' : 'Saved'}
          </button>
          <button type="button" className="button button--secondary" aria-expanded={showPreview} onClick={() => setShowPreview((v) => !v)}>
            {showPreview ? 'Hide preview' : 'Preview'}
          </button>
          <button type="button" className="button button--secondary" onClick={onClose}>
            Close
          </button>
        </div>
        {showPreview ? <CampaignPreview campaign={c} recipientId={recipientId} onRecipient={setRecipientId} /> : null}
      </form>
    </section>
  );
}

/** "Corrected content waiting": what was changed, by whom, and that Resume will use it. */
export function FixNotice({ fix }: { fix: CampaignFix }) {
  const fields = fix.fields.map((f) => FIELD_LABEL[f]);
  const what = fields.length > 1 ? `${fields.slice(0, -1).join(', ')} and ${fields[fields.length - 1]}` : (fields[0] ?? 'the content');
  return (
    <p className="callout callout--warn" role="note">
      Corrected content waiting: {fix.changed_by} changed {what} at {formatDateTime(fix.changed_at)}. Resume withdraws
      what SendGrid holds with the old content and hands it over again corrected.
    </p>
  );
}
