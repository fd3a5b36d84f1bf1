import { useId, useState, type FormEvent } from 'react';
import type { Brand, SecondReviewMention } from '../api/types';
import { SECOND_REVIEW_MENTIONS } from '../api/types';
import { describedBy, FieldError } from '../campaigns/FieldError';
import { fieldErrorsOf } from '../campaigns/draft';
import { ErrorNotice } from '../shell/ErrorNotice';
import { describeRule, MENTION_LABELS, useUpdateBrand, WATCH_WINDOW_RULE } from './api';

/**
 * An admin's form for a brand's second pair of eyes: on or off, the audience
 * size above which a draft needs a second marketer's approval, and what its
 * content may mention that needs one too. Saved with PATCH /brands/{id}.
 */
export function SecondReviewForm({ brand: b, onDone }: { brand: Brand; onDone: (saved: Brand | null) => void }) {
  const save = useUpdateBrand(b.id);
  const [enabled, setEnabled] = useState(b.second_review.enabled);
  const [audienceOver, setAudienceOver] = useState(String(b.second_review.audience_over));
  const [mentions, setMentions] = useState<SecondReviewMention[]>(b.second_review.mentions);
  const [localError, setLocalError] = useState('');
  const ids = { title: useId(), audience: useId(), audienceHint: useId(), audienceError: useId(), watch: useId() };
  const serverErrors = fieldErrorsOf(save.error);
  const audienceError =
    localError ||
    Object.entries(serverErrors).find(([k]) => k.endsWith('audience_over'))?.[1] ||
    undefined;

  function toggle(m: SecondReviewMention, on: boolean) {
    setMentions((list) => SECOND_REVIEW_MENTIONS.filter((x) => (x === m ? on : list.includes(x))));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (save.isPending) return;
    const n = Number(audienceOver);
    if (audienceOver.trim() === '' || !Number.isInteger(n) || n < 0) {
      setLocalError('Enter a whole number of recipients, 0 or more.');
      return;
    }
    setLocalError('');
    save.mutate(
      { second_review: { enabled, audience_over: n, mentions } },
      { onSuccess: (saved) => onDone(saved) },
    );
  }

  return (
    <form className="panel second-review-form" aria-labelledby={ids.title} onSubmit={submit} noValidate>
      <h2 className="panel-title" id={ids.title}>
        Second pair of eyes for {b.name}
      </h2>
      {b.second_review_active === 'watch_window' ? (
        <p className="callout callout--warn" id={ids.watch}>
          {b.name} is watched after an incident: until the watch ends, its drafts need a second marketer’s approval with
          the defaults ({describeRule(WATCH_WINDOW_RULE)}), whatever is set here.
        </p>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Drafts need a second marketer’s approval before they are sent
      </label>
      <div className="field">
        <label htmlFor={ids.audience}>When the audience is over (recipients)</label>
        <input
          id={ids.audience}
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          value={audienceOver}
          onChange={(e) => setAudienceOver(e.target.value)}
          aria-invalid={audienceError ? true : undefined}
          aria-describedby={describedBy(ids.audienceHint, audienceError && ids.audienceError)}
        />
        <p className="field-hint" id={ids.audienceHint}>
          0: every draft needs it.
        </p>
        <FieldError id={ids.audienceError} message={audienceError} />
      </div>
      <fieldset className="checkbox-group field">
        <legend>Or when the subject or content mentions</legend>
        <div className="checkbox-grid">
          {SECOND_REVIEW_MENTIONS.map((m) => (
            <label key={m} className="checkbox">
              <input type="checkbox" checked={mentions.includes(m)} onChange={(e) => toggle(m, e.target.checked)} />
              <span>
                {MENTION_LABELS[m].label} <span className="muted">({MENTION_LABELS[m].hint})</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {save.error ? <ErrorNotice error={save.error} title="Not saved" /> : null}
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button button--secondary" onClick={() => onDone(null)} disabled={save.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
