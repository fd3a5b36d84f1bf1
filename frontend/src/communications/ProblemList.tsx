import { plural } from '../lib/format';

/**
 * One preflight problem of either check: a communication's (CommunicationProblem,
 * with its severity) or a campaign's (Problem: every one blocks the send, so it
 * has no severity and counts as blocking).
 */
export interface ProblemItem {
  code: string;
  message: string;
  count: number;
  examples: readonly string[];
  severity?: 'blocking' | 'warning';
}

/**
 * The preflight's problems about one field, shown under it: what is wrong in
 * words, whether it blocks the send, how many recipients it touches (merge
 * tags) and its examples. Nothing when the field has none.
 */
export function ProblemList({ id, label, problems }: { id?: string; label: string; problems: readonly ProblemItem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul id={id} className="problems" aria-label={label}>
      {problems.map((p, i) => (
        <li key={`${p.code}-${i}`} className={`problem problem--${p.severity ?? 'blocking'}`} data-code={p.code}>
          <span className="problem-head">
            <span className="problem-severity">{p.severity === 'warning' ? 'Warning' : 'Blocks sending'}</span>{' '}
            <span className="problem-message">{p.message}</span>{' '}
            <code className="problem-code">{p.code}</code>
          </span>
          {p.code === 'unresolved_merge_tag' ? (
            <span className="problem-count">Touches {plural(p.count, 'recipient')}</span>
          ) : null}
          {p.examples.length > 0 ? (
            <span className="problem-examples">
              {p.code === 'unresolved_merge_tag' ? 'For example: ' : 'Found: '}
              {p.examples.map((e, j) => (
                <q key={j}>{e}</q>
              ))}
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
