import type { Communication, CommunicationDecision, CommunicationHistory, CommunicationVersion } from '../api/types';
import { formatDateTime, plural } from '../lib/format';
import { diffLines, hasChanges, type DiffLine } from './lineDiff';

/** Unchanged lines kept around each change; longer unchanged runs are folded. */
const CONTEXT = 2;

type Piece = DiffLine | { op: 'fold'; count: number };

/** The diff with long unchanged runs folded to "… n unchanged lines". */
export function fold(diff: readonly DiffLine[], context = CONTEXT): Piece[] {
  const keep = diff.map((l, i) => {
    if (l.op !== 'same') return true;
    for (let k = Math.max(0, i - context); k <= Math.min(diff.length - 1, i + context); k++) {
      if (diff[k]!.op !== 'same') return true;
    }
    return false;
  });
  const out: Piece[] = [];
  diff.forEach((l, i) => {
    if (keep[i]) out.push(l);
    else {
      const last = out.at(-1);
      if (last && last.op === 'fold') last.count++;
      else out.push({ op: 'fold', count: 1 });
    }
  });
  return out;
}

const MARK = { same: ' ', added: '+', removed: '−' } as const;
const SAID = { same: 'unchanged', added: 'added', removed: 'removed' } as const;

function FieldDiff({ label, before, after }: { label: string; before: string; after: string }) {
  const diff = diffLines(before, after);
  if (!hasChanges(diff)) {
    return (
      <p className="diff-same">
        <strong>{label}:</strong> unchanged
      </p>
    );
  }
  return (
    <figure className="diff" aria-label={`Changes to the ${label.toLowerCase()}`}>
      <figcaption>
        <strong>{label}</strong>
      </figcaption>
      <pre className="diff-lines">
        {fold(diff).map((p, i) =>
          p.op === 'fold' ? (
            <span key={i} className="diff-line diff-line--fold">
              … {plural(p.count, 'unchanged line')}
              {'\n'}
            </span>
          ) : (
            <span key={i} className={`diff-line diff-line--${p.op}`} data-op={p.op}>
              <span className="diff-mark" aria-label={SAID[p.op]}>
                {MARK[p.op]}
              </span>{' '}
              {p.op === 'added' ? <ins>{p.text}</ins> : p.op === 'removed' ? <del>{p.text}</del> : p.text}
              {'\n'}
            </span>
          ),
        )}
      </pre>
    </figure>
  );
}

/** The caller's latest decision on this communication, withdrawn or not. */
export function lastDecisionOf(history: CommunicationHistory, userId: string): CommunicationDecision | undefined {
  return history.decisions.filter((d) => d.user_id === userId).sort((a, b) => a.at.localeCompare(b.at)).at(-1);
}

/**
 * "What changed since you last saw it": the version the reviewer last
 * approved or rejected against the text in review now, as a line diff of the
 * subject, the text part and the HTML part. A reviewer who never decided is
 * told so: everything is new to them.
 */
export function ChangesSince({
  communication: c,
  history,
  userId,
}: {
  communication: Communication;
  history: CommunicationHistory;
  userId: string;
}) {
  const last = lastDecisionOf(history, userId);
  if (!last) {
    return <p className="muted">You have not approved or rejected this notice before: all of it is new to you.</p>;
  }
  const verb = last.decision === 'approved' ? 'approved' : 'rejected';
  const when = formatDateTime(last.at);
  if (last.content_hash === c.content_hash) {
    return (
      <p>
        Nothing changed since you {verb} it ({when}).
      </p>
    );
  }
  const seen: CommunicationVersion | undefined = history.versions.find((v) => v.content_hash === last.content_hash);
  if (!seen) {
    return <p className="muted">The version you {verb} on {when} is not in the history; read the whole text.</p>;
  }
  return (
    <div className="changes-since">
      <p>
        Since you {verb} it ({when}
        {last.decision === 'rejected' && last.comment ? <>: “{last.comment}”</> : null}):
      </p>
      <FieldDiff label="Subject" before={seen.subject} after={c.subject} />
      <FieldDiff label="Text part" before={seen.text} after={c.text} />
      <FieldDiff label="HTML part" before={seen.html} after={c.html} />
      {seen.reply_to !== c.reply_to ? (
        <p>
          <strong>Reply-to:</strong> {seen.reply_to || '(brand default)'} → {c.reply_to || '(brand default)'}
        </p>
      ) : null}
      {seen.scope !== c.scope || seen.segments.join(',') !== c.segments.join(',') || seen.include_previous !== c.include_previous ? (
        <p>
          <strong>Audience:</strong> who it goes to changed (scope {seen.scope} → {c.scope}
          {seen.segments.join(',') !== c.segments.join(',')
            ? `; segments ${seen.segments.join(', ') || 'all'} → ${c.segments.join(', ') || 'all'}`
            : ''}
          ).
        </p>
      ) : null}
    </div>
  );
}
