import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useApi } from '../api/ApiProvider';
import type { Communication, CommunicationPreflight } from '../api/types';
import { useSession } from '../auth/session';
import { communicationKeys, useCommunication } from '../communications/api';
import { AudienceNumbers } from '../communications/AudienceNumbers';
import { KIND_LABEL, STATUS_LABEL } from '../communications/describe';
import { PreviewPanel } from '../communications/PreviewPanel';
import { ProblemList } from '../communications/ProblemList';
import { useIncident, useTasks } from '../incidents/api';
import { incidentTitle } from '../incidents/describe';
import { plural } from '../lib/format';
import { Badge } from '../shell/Badge';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { reviewKeys, suppressedCsvUrl, useHistory } from './api';
import { ApprovalStatus, RejectionNotice, roleList } from './ApprovalStatus';
import { ChangesSince } from './ChangesSince';
import { legalClocks } from './legalClock';
import { LegalClockView } from './LegalClockView';
import { ReviewDecision } from './ReviewDecision';

/**
 * /reviews/:cid — everything a reviewer needs to approve or reject one notice:
 * the rendered email (desktop and phone) and its text part, who it goes to
 * (and how many affected people are suppressed, so must be told another way,
 * with their CSV), the preflight, what changed since the reviewer's last
 * decision, who approved and who is still needed, and the decision itself.
 * Notifications link here.
 */
export function ReviewPage() {
  const { cid = '' } = useParams();
  const comm = useCommunication(cid);
  if (comm.isPending) return <Loading label="Loading the notice…" />;
  if (comm.isError) {
    return <ErrorNotice error={comm.error} title="Could not load the notice" onRetry={() => void comm.refetch()} />;
  }
  return <Review communication={comm.data} />;
}

function Review({ communication: c }: { communication: Communication }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const { data: session } = useSession();
  const me = session?.user;
  const incident = useIncident(c.incident_id);
  const tasks = useTasks(c.incident_id, false);
  const history = useHistory(c.id, c.content_hash);
  const preflight = useQuery({
    queryKey: ['communications', 'preflight', c.id, c.content_hash],
    queryFn: () => api.post<CommunicationPreflight>(`/api/v1/communications/${encodeURIComponent(c.id)}/preflight`, {}),
  });
  const clocks = incident.data ? legalClocks(incident.data, tasks.data) : [];
  const holdsRequired = !!me && c.required_approvals.some((r) => me.roles.includes(r as (typeof me.roles)[number]));
  const isAuthor = !!me && me.id === c.author_id;

  function reload() {
    void queryClient.invalidateQueries({ queryKey: communicationKeys.detail(c.id) });
    void queryClient.invalidateQueries({ queryKey: reviewKeys.history(c.id) });
  }

  const status = STATUS_LABEL[c.status];
  return (
    <>
      <PageHeader title={`Review: ${c.subject || 'no subject'}`}>
        {KIND_LABEL[c.kind]} for{' '}
        {incident.data ? <Link to={`/incidents/${c.incident_id}`}>{incidentTitle(incident.data)}</Link> : 'its incident'}.{' '}
        <Badge tone={status.tone}>{status.label}</Badge>
      </PageHeader>

      {clocks.length > 0 ? (
        <ul className="legal-clocks" aria-label="Legal clocks">
          {clocks.map((k) => (
            <li key={`${k.label}-${k.dueAt}`}>
              <LegalClockView clock={k} />
            </li>
          ))}
        </ul>
      ) : null}

      <RejectionNotice communication={c} />
      {c.status !== 'in_review' ? (
        <p className="callout" role="note">
          {c.status === 'draft'
            ? 'This notice is back with its author (a draft): there is nothing to decide until it is submitted again.'
            : c.status === 'approved'
              ? 'Every required role approved this text; it waits for the marketer to send it.'
              : `This notice is ${status.label.toLowerCase()}: there is nothing to decide.`}
        </p>
      ) : null}

      <section className="panel" aria-labelledby="review-approvals">
        <h2 className="panel-title" id="review-approvals">
          Approvals
        </h2>
        <p className="muted">Needs {roleList(c.required_approvals)}, each a different person who did not write it.</p>
        <ApprovalStatus communication={c} />
        {c.status === 'in_review' && isAuthor ? <p className="muted">You wrote this notice, so you cannot approve it.</p> : null}
      </section>

      <section className="panel" aria-labelledby="review-changes">
        <h2 className="panel-title" id="review-changes">
          What changed since you last saw it
        </h2>
        {history.isPending ? <Loading label="Loading the history…" /> : null}
        {history.isError ? (
          <ErrorNotice error={history.error} title="Could not load the history" onRetry={() => void history.refetch()} />
        ) : null}
        {history.data && me ? <ChangesSince communication={c} history={history.data} userId={me.id} /> : null}
      </section>

      <section className="panel" aria-labelledby="review-notice">
        <h2 className="panel-title" id="review-notice">
          The notice
        </h2>
        <PreviewPanel communication={c} />
      </section>

      <section className="panel" aria-labelledby="review-audience">
        <h2 className="panel-title" id="review-audience">
          Who it goes to
        </h2>
        <AudienceNumbers audience={c.audience} />
        {c.audience.suppressed > 0 ? (
          <p className="callout callout--warn" role="note">
            {plural(c.audience.suppressed, 'affected person is', 'affected people are')} suppressed and must be told another
            way.{' '}
            <a href={suppressedCsvUrl(c.id)} download>
              Download CSV
            </a>
          </p>
        ) : (
          <p className="muted">Nobody affected is suppressed: everyone affected can be told by email.</p>
        )}
      </section>

      <section className="panel" aria-labelledby="review-preflight">
        <h2 className="panel-title" id="review-preflight">
          Preflight
        </h2>
        {preflight.isPending ? <Loading label="Checking the notice…" /> : null}
        {preflight.isError ? (
          <ErrorNotice error={preflight.error} title="The check did not run" onRetry={() => void preflight.refetch()} />
        ) : null}
        {preflight.data ? (
          <>
            <p className={preflight.data.ok ? 'preflight-ok' : 'field-error'} role="status">
              {preflight.data.ok
                ? preflight.data.problems.length > 0
                  ? 'The check found only warnings: it can be sent.'
                  : 'The check found no problems.'
                : `The check found ${plural(preflight.data.problems.filter((p) => p.severity === 'blocking').length, 'problem')} that block sending.`}
            </p>
            <ProblemList label="Preflight problems" problems={preflight.data.problems} />
          </>
        ) : null}
      </section>


      {c.status === 'in_review' && holdsRequired && !isAuthor ? (
        <section className="panel" aria-labelledby="review-decide">
          <h2 className="panel-title" id="review-decide">
            Approve or reject
          </h2>
          <p className="muted">Your decision is for exactly the text above; any later edit withdraws it.</p>
          <ReviewDecision communication={c} onStale={reload} />
        </section>
      ) : null}
    </>
  );
}
