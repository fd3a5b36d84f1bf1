import { useQueries } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useApi } from '../api/ApiProvider';
import type { Communication, Incident, Task } from '../api/types';
import { useSession } from '../auth/session';
import { KIND_LABEL } from '../communications/describe';
import { incidentKeys, useDirectory } from '../incidents/api';
import { incidentTitle } from '../incidents/describe';
import { formatDuration, secondsSince } from '../lib/format';
import { useNow } from '../lib/useNow';
import { EmptyState } from '../shell/EmptyState';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { useApprovalQueue } from './api';
import { roleList } from './ApprovalStatus';
import { legalClocks } from './legalClock';
import { LegalClockView } from './LegalClockView';

const incidentPath = (id: string, rest = '') => `/api/v1/incidents/${encodeURIComponent(id)}${rest}`;

/**
 * The incidents (and their legal tasks) behind a queue, one query each, shared
 * with the incident page's cache.
 */
function useIncidentsOf(queue: readonly Communication[]) {
  const api = useApi();
  const ids = [...new Set(queue.map((c) => c.incident_id))];
  const incidents = useQueries({
    queries: ids.map((id) => ({
      queryKey: incidentKeys.detail(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<Incident>(incidentPath(id), { signal }),
    })),
  });
  const tasks = useQueries({
    queries: ids.map((id) => ({
      queryKey: incidentKeys.tasks(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.getAll<Task>(incidentPath(id, '/tasks'), { signal }),
    })),
  });
  const byId = new Map(ids.map((id, i) => [id, { incident: incidents[i]?.data, tasks: tasks[i]?.data }]));
  return (id: string) => byId.get(id) ?? { incident: undefined, tasks: undefined };
}

/**
 * /reviews — the signed-in reviewer's queue (GET /api/v1/approvals): what waits
 * for a role they hold, oldest first, with how long it has waited, who wrote
 * it, which of their roles it needs, and its incident's nearest legal clock.
 */
export function ReviewsPage() {
  const queue = useApprovalQueue();
  const { data: session } = useSession();
  const myRoles = session?.user.roles ?? [];
  const directory = useDirectory();
  const now = useNow(30_000);
  const of = useIncidentsOf(queue.data ?? []);

  return (
    <>
      <PageHeader title="Reviews">
        Notices waiting for your approval. Each approval is bound to the exact text you read: any later edit withdraws it.
      </PageHeader>
      {queue.isPending ? <Loading label="Loading your reviews…" /> : null}
      {queue.isError ? (
        <ErrorNotice error={queue.error} title="Could not load your reviews" onRetry={() => void queue.refetch()} />
      ) : null}
      {queue.data && queue.data.length === 0 ? (
        <EmptyState title="Nothing waits for you">
          When a marketer submits a notice that needs your role, it appears here (and you get an email).
        </EmptyState>
      ) : null}
      {queue.data && queue.data.length > 0 ? (
        <div className="table-wrap">
          <table className="data-table reviews-table" aria-label="Waiting for review">
            <thead>
              <tr>
                <th scope="col">Notice</th>
                <th scope="col">Incident</th>
                <th scope="col">Submitted</th>
                <th scope="col">Needs you as</th>
                <th scope="col">Legal clock</th>
              </tr>
            </thead>
            <tbody>
              {queue.data.map((c) => {
                const { incident, tasks } = of(c.incident_id);
                const clock = incident ? legalClocks(incident, tasks)[0] : undefined;
                const mine = c.still_needed.filter((r) => myRoles.includes(r as (typeof myRoles)[number]));
                const waited = secondsSince(c.submitted_at ?? c.updated_at, now) ?? 0;
                return (
                  <tr key={c.id} data-communication-id={c.id}>
                    <th scope="row" data-label="Notice">
                      <span className="muted">{KIND_LABEL[c.kind]}</span>
                      <br />
                      <Link to={`/reviews/${c.id}`}>{c.subject || '(no subject)'}</Link>
                    </th>
                    <td data-label="Incident">
                      {incident ? <Link to={`/incidents/${incident.id}`}>{incidentTitle(incident)}</Link> : '…'}
                    </td>
                    <td data-label="Submitted">
                      by {directory.nameOf(c.author_id)}
                      <br />
                      <span className="muted">waiting {formatDuration(waited)}</span>
                    </td>
                    <td data-label="Needs you as">{roleList(mine.length > 0 ? mine : c.still_needed)}</td>
                    <td data-label="Legal clock">
                      {clock ? <LegalClockView clock={clock} /> : incident ? <span className="muted">No legal deadline</span> : '…'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
