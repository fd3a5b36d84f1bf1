import { Fragment } from 'react';

const TAG = /\{\{\s*([^{}|]+?)\s*(?:\|([^{}]*))?\}\}/g;

/**
 * A subject as people read it: each merge tag ({{first_name|Friend}}) becomes
 * a marked placeholder ("first name", "Friend" when missing) instead of the
 * raw braces. Malformed tags stay as written, so a broken one is still seen.
 */
export function SubjectLine({ subject }: { subject: string }) {
  const parts: Array<string | { field: string; fallback?: string }> = [];
  let last = 0;
  for (const m of subject.matchAll(TAG)) {
    if (m.index > last) parts.push(subject.slice(last, m.index));
    parts.push({ field: (m[1] ?? '').replace(/_/g, ' '), fallback: m[2]?.trim() || undefined });
    last = m.index + m[0].length;
  }
  if (last < subject.length) parts.push(subject.slice(last));
  return (
    <span className="subject-line">
      <span className="muted">Subject: </span>
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          <Fragment key={i}>{p}</Fragment>
        ) : (
          <span
            className="merge-chip"
            key={i}
            title={`Each recipient’s ${p.field}${p.fallback ? `; “${p.fallback}” when it is empty` : ''} (merge tag)`}
          >
            {p.field}
            {p.fallback ? <span className="visually-hidden"> (or “{p.fallback}”)</span> : null}
          </span>
        ),
      )}
    </span>
  );
}
