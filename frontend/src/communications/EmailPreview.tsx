import { useState, type ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { EmailFrame } from './EmailFrame';

const WIDTHS = [
  { id: 'desktop', label: 'Desktop' },
  { id: 'phone', label: 'Phone' },
] as const;

/** A rendered message: what both previews (a communication's, a campaign's) answer. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Someone the preview may be shown as. */
export interface PreviewChoice {
  recipient_id: string;
  email: string;
}

/**
 * A rendered email as one recipient gets it: the "Show it as" choice of
 * recipient (when there is more than one to choose from), the subject, the
 * HTML at desktop or phone width in the CSP-safe EmailFrame, and the text
 * part. Shared by step 5's PreviewPanel and the campaign preview; each reads
 * its own endpoint and hands the query here.
 */
export function EmailPreview({
  preview,
  intro,
  choices,
  recipientId,
  onRecipient,
  firstLabel,
}: {
  preview: UseQueryResult<RenderedEmail>;
  intro: ReactNode;
  choices: readonly PreviewChoice[];
  recipientId: string;
  onRecipient: (recipientId: string) => void;
  /** The choice for "whoever the server picks" (the empty recipient id). */
  firstLabel: string;
}) {
  const [width, setWidth] = useState<'desktop' | 'phone'>('desktop');
  const picker =
    choices.length > 1 ? (
      <label className="field preview-recipient">
        <span>Show it as</span>
        <select value={recipientId} onChange={(e) => onRecipient(e.target.value)}>
          <option value="">{firstLabel}</option>
          {choices.map((r) => (
            <option key={r.recipient_id} value={r.recipient_id}>
              {r.email}
            </option>
          ))}
        </select>
      </label>
    ) : null;
  if (preview.isPending) return <Loading label="Rendering the preview…" />;
  if (preview.isError) {
    return (
      <div className="preview" role="group" aria-label="Preview">
        {picker}
        <ErrorNotice error={preview.error} title="No preview" onRetry={() => void preview.refetch()} />
      </div>
    );
  }
  const p = preview.data;
  return (
    <div className="preview" role="group" aria-label="Preview" aria-busy={preview.isFetching ? 'true' : undefined}>
      <p className="muted">{intro}</p>
      {picker}
      <p className="preview-subject">
        <span className="muted">Subject: </span>
        <strong>{p.subject}</strong>
      </p>
      <div className="segmented" role="group" aria-label="Show at">
        {WIDTHS.map((w) => (
          <button
            key={w.id}
            type="button"
            className={`button button--small ${width === w.id ? 'button--primary' : 'button--secondary'}`}
            aria-pressed={width === w.id}
            onClick={() => setWidth(w.id)}
          >
            {w.label}
          </button>
        ))}
      </div>
      <EmailFrame html={p.html} width={width} title={`Email preview at ${width} width`} />
      <h4 className="subheading">Text part</h4>
      <pre className="preview-text" aria-label="Text part">
        {p.text}
      </pre>
    </div>
  );
}
