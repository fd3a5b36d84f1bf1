import { Link } from 'react-router';
import { useCan } from '../auth/can';
import { useCampaigns } from '../campaigns/api';
import { formatDuration, humanize, secondsSince } from '../lib/format';
import { useNow } from '../lib/useNow';
import { Badge } from '../shell/Badge';
import { EmptyState } from '../shell/EmptyState';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { useDirectory, useIncidents } from './api';
import { describeTrigger, incidentTitle, severityTone, SOURCE_LABELS } from './describe';
import { stepTitle } from './steps';

/** /incidents — open first, live: a webhook-opened incident appears without a reload. */
export function IncidentsPage() {
  const incidents = useIncidents();
  const campaigns = useCampaigns();
  const directory = useDirectory();
  const now = useNow(15_000);
  const can = useCan();
  const campaignName = new Map((campaigns.data ?? []).map((c) => [c.id, c.name]));
  const openCount = incidents.data?.filter((i) => i.status === 'open').length ?? 0;

  return (
    <>
      <PageHeader title="Incidents">Every incident, its owner and where it stands in its runbook.</PageHeader>
      {can('breach.register') ? (
        <p className="page-actions">
          <Link to="/breach-register">Breach register</Link>
          <span className="muted"> — every data-breach incident, notified or not, with a CSV download</span>
        </p>
      ) : null}

      {incidents.isPending ? <Loading label="Loading incidents…" /> : null}
      {incidents.isError ? (
        <ErrorNotice error={incidents.error} title="Could not load incidents" onRetry={() => void incidents.refetch()} />
      ) : null}
      {incidents.data && incidents.data.length === 0 ? (
        <EmptyState title="No incidents — all quiet">
          When a campaign goes wrong, its incident opens here — from the dashboard, the API or a SendGrid alert.
        </EmptyState>
      ) : null}

      {incidents.data && incidents.data.length > 0 ? (
        <>
          <p className="summary-line" role="status">
            {openCount === 0 ? 'No open incidents.' : `${openCount} open ${openCount === 1 ? 'incident' : 'incidents'}.`}{' '}
            <span className="muted">Refreshes every few seconds.</span>
          </p>
          <div className="table-wrap">
            <table className="data-table incidents-table">
              <caption className="visually-hidden">Incidents, open first</caption>
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Campaign</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Age</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {incidents.data.map((i) => {
                  const age = secondsSince(i.detected_at, i.resolved_at ? new Date(i.resolved_at) : now) ?? 0;
                  return (
                    <tr key={i.id} data-incident-id={i.id} className={i.status === 'open' ? 'row--open' : 'row--closed'}>
                      <th scope="row" data-label="Incident">
                        <Link to={`/incidents/${i.id}`} className="row-title">
                          {incidentTitle(i)}
                        </Link>
                        <span className="row-sub">
                          {i.status === 'open' ? (
                            <Badge tone="danger">Open</Badge>
                          ) : (
                            <Badge tone="muted">Resolved</Badge>
                          )}{' '}
                          {humanize(i.runbook)}
                          {i.status === 'open' && i.current_step ? ` · ${stepTitle(i.current_step)}` : ''}
                        </span>
                      </th>
                      <td data-label="Severity">
                        <Badge tone={severityTone(i.severity)}>{i.severity}</Badge>
                      </td>
                      <td data-label="Campaign">
                        <Link to={`/campaigns/${i.campaign_id}`}>{campaignName.get(i.campaign_id) ?? 'Campaign'}</Link>
                      </td>
                      <td data-label="Owner">
                        {i.owner ? directory.nameOf(i.owner) : <span className="text-danger">Unowned</span>}
                      </td>
                      <td data-label="Age">
                        {i.status === 'open' ? formatDuration(age) : `resolved after ${formatDuration(age)}`}
                      </td>
                      <td data-label="Source">
                        <span className="source">{SOURCE_LABELS[i.source] ?? i.source}</span>
                        {i.trigger ? <span className="row-sub">{describeTrigger(i.trigger)}</span> : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </>
  );
}
