import { useState } from 'react';
import type { Communication } from '../api/types';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { useAffectedSample, usePreview } from './api';
import { EmailFrame } from './EmailFrame';

const WIDTHS = [
  { id: 'desktop', label: 'Desktop' },
  { id: 'phone', label: 'Phone' },
] as const;

/**
 * What one affected recipient would get (GET …/preview), for the content as
 * saved: subject, the branded HTML at desktop or phone width, and the text part.
 */
export function PreviewPanel({ communication }: { communication: Communication }) {
  const [recipientId, setRecipientId] = useState('');
  const preview = usePreview(communication.id, communication.content_hash, true, recipientId);
  const sample = useAffectedSample(communication.incident_id);
  const [width, setWidth] = useState<'desktop' | 'phone'>('desktop');
  const choices = (sample.data?.recipients ?? []).filter((r) => r.state !== 'held'); // held at SendGrid: never affected
  const picker =
    choices.length > 1 ? (
      <label className="field preview-recipient">
        <span>Show it as</span>
        <select value={recipientId} onChange={(e) => setRecipientId(e.target.value)}>
          <option value="">the first affected recipient</option>
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
    <div className="preview" role="group" aria-label="Preview">
      <p className="muted">
        Exactly what one affected recipient would receive, as last saved: the brand's template, their merge values and
        their unsubscribe link.
      </p>
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
