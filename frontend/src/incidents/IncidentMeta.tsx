import { Link } from 'react-router';
import type { Incident, Runbook } from '../api/types';
import { formatDateTime, humanize } from '../lib/format';
import { Badge } from '../shell/Badge';
import { describeTrigger, severityTone, SOURCE_LABELS } from './describe';

/**
 * The line under the incident's title: open or resolved, severity, runbook,
 * campaign (linked), and when and from where it was opened, with the rule
 * that fired. `runbook` and `campaignName` may still be loading: the runbook
 * id and "open campaign" stand in until they answer.
 */
export function IncidentMeta({
  incident,
  runbook,
  campaignName,
}: {
  incident: Incident;
  runbook: Runbook | undefined;
  campaignName: string | undefined;
}) {
  const open = incident.status === 'open';
  return (
    <div className="incident-meta">
      {open ? <Badge tone="danger">Open</Badge> : <Badge tone="muted">Resolved</Badge>}
      <Badge tone={severityTone(incident.severity)}>{incident.severity}</Badge>
      <span>
        Runbook <strong>{runbook?.title ?? humanize(incident.runbook)}</strong>
      </span>
      <span>
        Campaign{' '}
        <Link to={`/campaigns/${incident.campaign_id}`}>{campaignName ?? 'open campaign'}</Link>
      </span>
      <span>
        Opened {formatDateTime(incident.detected_at)} from the <strong>{SOURCE_LABELS[incident.source] ?? incident.source}</strong>
        {incident.trigger ? ` — ${describeTrigger(incident.trigger)}` : ''}
      </span>
    </div>
  );
}
