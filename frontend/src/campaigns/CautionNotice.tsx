import { Link } from 'react-router';
import type { Campaign, CampaignCaution } from '../api/types';
import { formatDateTime, formatDuration } from '../lib/format';
import { Badge } from '../shell/Badge';

/** "10 % canary held 1 h": the canary the watch imposes, in words. */
export function describeCautionCanary(caution: CampaignCaution): string {
  const hold = caution.canary_hold_seconds > 0 ? ` held ${formatDuration(caution.canary_hold_seconds)}` : '';
  return `${caution.canary_percent} % canary${hold}`;
}

/**
 * Step 6 on a campaign's page: the brand is watched after an incident (its
 * watch window is open), so the campaign goes out cautiously. On a draft it
 * says what Send will do; once sent, what it did: sent as a canary, or the
 * admin who overrode the canary and why. The reason itself is the server's
 * words; the incident is one click away.
 */
export function CautionNotice({ campaign: c }: { campaign: Campaign }) {
  const caution = c.caution;
  if (!caution) return null;
  const draft = c.status === 'draft';
  // A campaign cancelled before it was sent did neither: it only says why it was watched.
  const sent = !draft && !!c.send_started_at;
  const until = formatDateTime(caution.window_end);
  return (
    <section className="callout callout--warn caution" aria-labelledby={`caution-${c.id}`}>
      <h2 className="caution-title" id={`caution-${c.id}`}>
        {!sent ? 'Watched after an incident' : caution.overridden ? 'Sent without the canary' : 'Sent as a canary'}
      </h2>
      {!sent ? (
        <>
          <p>{caution.reason}</p>
          {draft ? (
            <p>
              This send goes out as a {describeCautionCanary(caution)}: the rest is handed over only after the hold, and
              only if the campaign has not been paused by then. The watch ends {until}.
            </p>
          ) : null}
        </>
      ) : caution.overridden ? (
        <>
          <p>
            <strong>Canary overridden by {caution.overridden_by || 'an admin'}</strong>
            {caution.overridden_at ? ` (${formatDateTime(caution.overridden_at)})` : ''}: {caution.override_reason}
          </p>
          <p className="muted">Without the override: {caution.reason}</p>
        </>
      ) : (
        <p>
          Sent as a canary because the brand is watched after an incident: {caution.reason}
        </p>
      )}
      <p>
        <Link to={`/incidents/${caution.incident_id}`}>See the incident</Link>
      </p>
    </section>
  );
}

/** The campaign list's small mark for a campaign whose brand is watched after an incident. */
export function WatchedBadge({ caution }: { caution: CampaignCaution | null }) {
  if (!caution) return null;
  return (
    <span className="watched-badge" title={caution.reason}>
      <Badge tone="warn">watched</Badge>
      <span className="visually-hidden"> after an incident: {caution.reason}</span>
    </span>
  );
}
