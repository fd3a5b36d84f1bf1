import { useState } from 'react';
import type { Incident } from '../api/types';
import { useCan } from '../auth/can';
import { formatDateTime } from '../lib/format';
import { useDirectory } from './api';
import { LegalConfirmationPanel } from './LegalConfirmationPanel';
import { ResolveDialog } from './ResolveDialog';

/**
 * Closing the incident: the owner or an admin may resolve (through
 * {@link ResolveDialog}); a data breach waits for legal's confirmation
 * ({@link LegalConfirmationPanel}) unless the resolver holds the legal role.
 * A resolved incident shows only when it was resolved.
 */
export function ResolvePanel({ incident }: { incident: Incident }) {
  const can = useCan();
  const directory = useDirectory();
  const [confirming, setConfirming] = useState(false);
  if (incident.status === 'resolved') {
    return <p>Resolved {formatDateTime(incident.resolved_at)}.</p>;
  }
  const me = directory.me;
  const isOwner = !!me && incident.owner === me.id;
  const isAdmin = can('user.manage');
  // Admin alone is not legal: only the role itself confirms.
  const isLegal = !!me && me.roles.includes('legal');
  const legalMissing = incident.legal_confirmation_required && !incident.legal_confirmation;
  return (
    <div>
      {incident.legal_confirmation_required ? <LegalConfirmationPanel incident={incident} isLegal={isLegal} /> : null}
      {!isOwner && !isAdmin ? (
        <p className="muted">
          Only the incident's owner or an admin can resolve it.
          {can('incident.acknowledge') ? ' Reassign it to yourself first.' : ''}
        </p>
      ) : (
        <>
          <p className="muted">Close the incident once the plan is done. Steps left open stay on the record.</p>
          {legalMissing && !isLegal ? (
            <p className="callout">A data breach is resolved only after someone from legal confirms it.</p>
          ) : null}
          <button
            type="button"
            className="button button--secondary"
            onClick={() => setConfirming(true)}
            disabled={legalMissing && !isLegal}
          >
            Resolve incident
          </button>
          {confirming ? (
            <ResolveDialog incident={incident} legalByMe={legalMissing && isLegal} onClose={() => setConfirming(false)} />
          ) : null}
        </>
      )}
    </div>
  );
}
