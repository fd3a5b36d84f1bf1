import type { CommunicationAudience } from '../api/types';
import { formatCount } from '../lib/format';

/**
 * Who this communication is for, counted live by the server: the affected,
 * those of them suppressed now (never mailed), those who already received it
 * (or an earlier one of its kind), and who a send would hand over now.
 */
export function AudienceNumbers({ audience, refreshing }: { audience: CommunicationAudience; refreshing?: boolean }) {
  return (
    <dl className="audience" aria-label="Audience" aria-busy={refreshing ? 'true' : undefined}>
      <div className="audience-number">
        <dt>Affected</dt>
        <dd>{formatCount(audience.affected)}</dd>
      </div>
      <div className="audience-number">
        <dt>Suppressed now</dt>
        <dd>{formatCount(audience.suppressed)}</dd>
      </div>
      <div className="audience-number">
        <dt>Already received</dt>
        <dd>{formatCount(audience.already_received)}</dd>
      </div>
      <div className="audience-number audience-number--total">
        <dt>Will receive</dt>
        <dd>{formatCount(audience.will_receive)}</dd>
      </div>
    </dl>
  );
}
