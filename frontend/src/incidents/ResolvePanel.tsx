import { useState } from 'react';
import type { Incident } from '../api/types';
import { useCan } from '../auth/can';
import { useWhy } from '../auth/why';
import { formatDateTime } from '../lib/format';
import { WhyText } from '../shell/WhyText';
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
  const me = directory.me;
  const isOwner = !!me && incident.owner === me.id;
  const isAdmin = can('user.manage');
  // Admin alone is not legal: only the role itself confirms.
  const isLegal = !!me && me.roles.includes('legal');
  const legalMissing = incident.legal_confirmation_required && !incident.legal_confirmation;
  const mayResolve = isOwner || isAdmin;
  const why = useWhy(
    !mayResolve
      ? `Only the incident's owner or an admin can resolve it.${can('incident.acknowledge') ? ' Reassign it to yourself first.' : ''}`
      : legalMissing && !isLegal
        ? 'A data breach is resolved only after someone from legal confirms it.'
        : null,
  );
  if (incident.status === 'resolved') {
    return <p>Resolved {formatDateTime(incident.resolved_at)}.</p>;
  }
  return (
    <div>
      {incident.legal_confirmation_required ? <LegalConfirmationPanel incident={incident} isLegal={isLegal} /> : null}
      {mayResolve ? <p className="muted">Close the incident once the plan is done. Steps left open stay on the record.</p> : null}
      <button type="button" className="button button--secondary" onClick={() => setConfirming(true)} {...why.props}>
        Resolve incident
      </button>
      <WhyText id={why.id} why={why.why} />
      {confirming && mayResolve ? (
        <ResolveDialog incident={incident} legalByMe={legalMissing && isLegal} onClose={() => setConfirming(false)} />
      ) : null}
    </div>
  );
}
