import type { Communication } from '../api/types';
import { useDirectory } from '../incidents/api';
import { formatDateTime } from '../lib/format';

/** "legal and security", "legal, security and brand". */
export function roleList(roles: readonly string[]): string {
  if (roles.length <= 1) return roles.join('');
  return `${roles.slice(0, -1).join(', ')} and ${roles.at(-1)}`;
}

/**
 * The current round of a communication that needs approvals: who approved
 * (name, role, time, comment) and which roles are still needed. A rejection is
 * shown by RejectionNotice instead.
 */
export function ApprovalStatus({ communication: c }: { communication: Communication }) {
  const directory = useDirectory();
  if (c.required_approvals.length === 0) return null;
  const approved = c.approvals.filter((a) => a.decision === 'approved');
  return (
    <div className="approval-status" role="group" aria-label="Approvals">
      {approved.length > 0 ? (
        <ul className="approval-list">
          {approved.map((a) => (
            <li key={`${a.role}-${a.user_id}`}>
              Approved by <strong>{directory.nameOf(a.user_id)}</strong> ({a.role}),{' '}
              <time dateTime={a.at}>{formatDateTime(a.at)}</time>
              {a.comment ? <>: “{a.comment}”</> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Nobody has approved this text yet.</p>
      )}
      {c.still_needed.length > 0 ? (
        <p>
          Still needed: <strong>{roleList(c.still_needed)}</strong>
        </p>
      ) : (
        <p className="preflight-ok">Every required role ({roleList(c.required_approvals)}) has approved this text.</p>
      )}
    </div>
  );
}

/** The round's rejection, prominently: "Rejected by Lee (legal): …". */
export function RejectionNotice({ communication: c }: { communication: Communication }) {
  const directory = useDirectory();
  const rejection = c.approvals.find((a) => a.decision === 'rejected');
  if (!rejection) return null;
  return (
    <div className="callout callout--stop rejection" role="alert" aria-label="Rejected">
      <p>
        <strong>
          Rejected by {directory.nameOf(rejection.user_id)} ({rejection.role})
        </strong>
        , <time dateTime={rejection.at}>{formatDateTime(rejection.at)}</time>: {rejection.comment}
      </p>
    </div>
  );
}
