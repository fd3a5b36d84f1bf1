import { Link } from 'react-router';
import { useCan } from '../auth/can';
import { formatCount, formatDateTime, humanize } from '../lib/format';
import { Badge } from '../shell/Badge';
import { EmptyState } from '../shell/EmptyState';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { BREACH_REGISTER_CSV_HREF, useBreachRegister } from './api';

/**
 * /breach-register — every data-breach incident, notified or not, as GDPR
 * Art. 33(5) asks a controller to document them: the facts, the data and
 * people concerned, the effects, what was done, and legal's decision. Legal
 * and admins only (permission breach.register); the CSV is the same list for
 * the DPO's records.
 */
export function BreachRegisterPage() {
  const can = useCan();
  const allowed = can('breach.register');
  const register = useBreachRegister(allowed);
  return (
    <>
      <PageHeader title="Breach register">
        Every data-breach incident, notified or not (GDPR Art. 33(5)), oldest first.
      </PageHeader>
      {!allowed ? (
        <p className="callout" role="note">
          Only legal and admins can read the breach register.
        </p>
      ) : (
        <>
          <p className="page-actions">
            <a className="button button--secondary" href={BREACH_REGISTER_CSV_HREF} download="breach-register.csv">
              Download CSV
            </a>
          </p>
          {register.isPending ? <Loading label="Loading the register…" /> : null}
          {register.isError ? (
            <ErrorNotice error={register.error} title="Could not load the register" onRetry={() => void register.refetch()} />
          ) : null}
          {register.data && register.data.length === 0 ? (
            <EmptyState title="No data breach recorded">A data-breach incident is listed here from the moment it is opened.</EmptyState>
          ) : null}
          {register.data && register.data.length > 0 ? (
            <div className="table-wrap">
              <table className="data-table breach-table">
                <caption className="visually-hidden">Data-breach incidents, oldest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Incident</th>
                    <th scope="col">Data</th>
                    <th scope="col" className="num">
                      Subjects
                    </th>
                    <th scope="col">Effects</th>
                    <th scope="col">Remedial action</th>
                    <th scope="col">Notified</th>
                    <th scope="col">Decision</th>
                  </tr>
                </thead>
                <tbody>
                  {register.data.map((r) => (
                    <tr key={r.incident_id}>
                      <th scope="row" data-label="Incident">
                        <Link to={`/incidents/${r.incident_id}`}>{r.summary || 'Data breach'}</Link>
                        <span className="row-sub">
                          {r.status === 'open' ? <Badge tone="danger">Open</Badge> : <Badge tone="muted">Resolved</Badge>} detected{' '}
                          {formatDateTime(r.detected_at)}
                          {r.resolved_at ? `, resolved ${formatDateTime(r.resolved_at)}` : ''}
                        </span>
                      </th>
                      <td data-label="Data">{r.data_categories.length > 0 ? r.data_categories.map(humanize).join(', ') : 'Not assessed'}</td>
                      <td className="num" data-label="Subjects">
                        {formatCount(r.subjects)}
                      </td>
                      <td data-label="Effects">{r.effects || '—'}</td>
                      <td data-label="Remedial action">{r.remedial_action || '—'}</td>
                      <td data-label="Notified">{r.notified ? 'Yes: a breach notice was sent' : 'No'}</td>
                      <td data-label="Decision">
                        {r.decision || <span className="muted">No decision yet</span>}
                        {r.decided_at ? (
                          <span className="row-sub">
                            {r.decided_by ? `${r.decided_by}, ` : ''}
                            {formatDateTime(r.decided_at)}
                          </span>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      )}
    </>
  );
}
