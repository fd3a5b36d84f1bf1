import { Link, useParams } from 'react-router';
import type { Communication, Report } from '../api/types';
import { KIND_LABEL, STATUS_LABEL } from '../communications/describe';
import { useDirectory } from '../incidents/api';
import { describeEntry, incidentTitle } from '../incidents/describe';
import { SegmentTable } from '../incidents/SegmentTable';
import { formatCents, formatCount, formatDateTime, formatDuration, formatRate, humanize } from '../lib/format';
import { metricLabel, MONITORING_STATUS } from '../monitoring/describe';
import { Badge } from '../shell/Badge';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { reportMarkdownHref, useReport } from './api';

/**
 * /incidents/:id/report — the postmortem, laid out to be read and printed:
 * summary, how fast each step happened, the blast radius, the cost, the tasks
 * and who owned them, every communication with its approvals and counts, the
 * watch window's outcome, and the whole timeline. Print hides the app's
 * navigation (styles.css); the Markdown is the same report for a wiki or a ticket.
 */
export function ReportPage() {
  const { id = '' } = useParams();
  const report = useReport(id);
  if (report.isPending) return <Loading label="Loading the report…" />;
  if (report.isError) {
    return (
      <>
        <PageHeader title="Incident report" />
        <ErrorNotice error={report.error} title="Could not load the report" onRetry={() => void report.refetch()} />
        <p>
          <Link to={`/incidents/${encodeURIComponent(id)}`}>Back to the incident</Link>
        </p>
      </>
    );
  }
  return <ReportView report={report.data} />;
}

function ReportView({ report: r }: { report: Report }) {
  const inc = r.incident;
  const directory = useDirectory();
  return (
    <article className="report">
      <PageHeader title={`Report: ${incidentTitle(inc)}`} />
      <div className="report-actions no-print">
        <button type="button" className="button button--primary" onClick={() => window.print()}>
          Print
        </button>
        <a className="button button--secondary" href={reportMarkdownHref(inc.id)} download={`incident-${inc.id}.md`}>
          Download Markdown
        </a>
        <Link to={`/incidents/${inc.id}`}>Back to the incident</Link>
      </div>

      <section className="report-section" aria-labelledby="report-summary">
        <h2 id="report-summary">Summary</h2>
        <p>{r.summary}</p>
        <dl className="report-facts">
          <div>
            <dt>Runbook</dt>
            <dd>{humanize(inc.runbook)}</dd>
          </div>
          <div>
            <dt>Severity</dt>
            <dd>{inc.severity}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>{inc.status === 'open' ? 'Open' : `Resolved ${formatDateTime(inc.resolved_at)}`}</dd>
          </div>
          <div>
            <dt>Owner</dt>
            <dd>{directory.nameOf(inc.owner)}</dd>
          </div>
          <div>
            <dt>Detected</dt>
            <dd>{formatDateTime(inc.detected_at)}</dd>
          </div>
          <div>
            <dt>Report generated</dt>
            <dd>{formatDateTime(r.generated_at)}</dd>
          </div>
        </dl>
      </section>

      <section className="report-section" aria-labelledby="report-times">
        <h2 id="report-times">Response times</h2>
        <dl className="report-facts report-times">
          <Duration label="To acknowledge" seconds={r.durations.to_acknowledge_seconds} />
          <Duration label="To pause" seconds={r.durations.to_pause_seconds} />
          <Duration label="To resolve" seconds={r.durations.to_resolve_seconds} />
        </dl>
        <p className="muted">From detection ({formatDateTime(inc.detected_at)}).</p>
      </section>

      <section className="report-section" aria-labelledby="report-blast">
        <h2 id="report-blast">Blast radius and cost</h2>
        {r.assessment && r.assessment.totals ? (
          <>
            <SegmentTable segments={r.assessment.by_segment} totals={r.assessment.totals} />
            <dl className="report-facts">
              <div>
                <dt>Cause</dt>
                <dd>{r.assessment.cause || 'Not recorded'}</dd>
              </div>
              <div>
                <dt>Personal data exposed</dt>
                <dd>
                  {r.assessment.data_categories_exposed.length > 0
                    ? r.assessment.data_categories_exposed.map(humanize).join(', ')
                    : 'None'}
                </dd>
              </div>
              <div>
                <dt>Cost</dt>
                <dd>
                  {formatCents(r.assessment.cost_estimate_cents)}
                  {r.assessment.cost_parts.responder_hours > 0 || r.assessment.cost_parts.send_cost_cents > 0 ? (
                    <span className="row-sub">
                      {r.assessment.cost_parts.responder_hours} responder hours ×{' '}
                      {formatCents(r.assessment.cost_parts.hourly_rate_cents)} +{' '}
                      {formatCents(r.assessment.cost_parts.send_cost_cents)} send cost
                    </span>
                  ) : null}
                </dd>
              </div>
            </dl>
          </>
        ) : (
          <p className="muted">The blast radius was never computed.</p>
        )}
      </section>

      <section className="report-section" aria-labelledby="report-tasks">
        <h2 id="report-tasks">Tasks</h2>
        {r.tasks.length === 0 ? (
          <p className="muted">No tasks.</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table" aria-labelledby="report-tasks">
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Due</th>
                  <th scope="col">Done</th>
                </tr>
              </thead>
              <tbody>
                {r.tasks.map((t) => (
                  <tr key={t.id}>
                    <th scope="row" data-label="Task">
                      {t.title}
                    </th>
                    <td data-label="Kind">{t.kind}</td>
                    <td data-label="Owner">{t.owner_id ? directory.nameOf(t.owner_id) : `Unassigned${t.owner_role ? ` (for a ${t.owner_role})` : ''}`}</td>
                    <td data-label="Due">{formatDateTime(t.due_at)}</td>
                    <td data-label="Done">
                      {t.status === 'done'
                        ? formatDateTime(t.completed_at)
                        : t.status === 'cancelled'
                          ? 'No longer needed (reclassified)'
                          : 'Open'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="report-section" aria-labelledby="report-comms">
        <h2 id="report-comms">Communications</h2>
        {r.communications.length === 0 ? (
          <p className="muted">No communication was drafted.</p>
        ) : (
          r.communications.map((c) => <CommunicationRecord key={c.id} communication={c} nameOf={directory.nameOf} />)
        )}
      </section>

      <section className="report-section" aria-labelledby="report-watch">
        <h2 id="report-watch">Step 6: the watch window</h2>
        <WatchOutcome report={r} />
      </section>

      <section className="report-section" aria-labelledby="report-timeline">
        <h2 id="report-timeline">Timeline</h2>
        <ol className="timeline report-timeline">
          {r.timeline.map((e, i) => (
            <li key={`${e.at}-${i}`} className="timeline-entry">
              <time dateTime={e.at} className="timeline-time">
                {formatDateTime(e.at)}
              </time>
              <span className="timeline-actor">{e.actor}</span>
              <span className="timeline-what">{describeEntry(e)}</span>
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

function Duration({ label, seconds }: { label: string; seconds: number | null }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{seconds === null ? 'Not yet' : formatDuration(seconds)}</dd>
    </div>
  );
}

function CommunicationRecord({ communication: c, nameOf }: { communication: Communication; nameOf: (id: string | null | undefined) => string }) {
  const status = STATUS_LABEL[c.status];
  const counts = c.counts;
  return (
    <div className="report-comm" aria-label={`${KIND_LABEL[c.kind]}: ${c.subject}`} role="group">
      <h3>
        {KIND_LABEL[c.kind]}: “{c.subject}” <Badge tone={status.tone}>{status.label}</Badge>
      </h3>
      <p className="muted">
        Drafted by {nameOf(c.author_id)} {formatDateTime(c.created_at)}
        {c.sent_at ? `; sent ${formatDateTime(c.sent_at)}` : ''}.
      </p>
      <p>
        Approvals:{' '}
        {c.approvals.length === 0
          ? c.required_approvals.length === 0
            ? 'none needed'
            : `none yet (needs ${c.required_approvals.join(' and ')})`
          : c.approvals
              .map((a) => `${a.decision} as ${a.role} by ${nameOf(a.user_id)} ${formatDateTime(a.at)}${a.comment ? ` (“${a.comment}”)` : ''}`)
              .join('; ')}
      </p>
      <p>
        {formatCount(counts.handed_to_esp)} handed over, {formatCount(counts.delivered)} delivered, {formatCount(counts.opened)}{' '}
        opened, {formatCount(counts.bounced)} bounced, {formatCount(counts.complained)} complaints,{' '}
        {formatCount(counts.unsubscribed)} unsubscribes; {formatCount(counts.skipped_suppressed)} skipped as suppressed.
      </p>
    </div>
  );
}

function WatchOutcome({ report: r }: { report: Report }) {
  const m = r.monitoring;
  const status = MONITORING_STATUS[m.status];
  return (
    <>
      <p>
        <Badge tone={status.tone}>{status.label}</Badge>{' '}
        {m.window
          ? `Window ${formatDateTime(m.window.start)} to ${formatDateTime(m.window.end)}; ${plural(m.current.sends)} of the brand watched, ${formatCount(m.current.delivered)} delivered.`
          : 'The window starts when the incident is resolved.'}
      </p>
      <p>{m.baseline.note}</p>
      {m.alerts.length > 0 ? (
        <ul className="report-alerts">
          {m.alerts.map((a) => (
            <li key={`${a.send_id}/${a.metric}`}>
              {formatDateTime(a.at)}: {metricLabel(a.metric)} of {a.send_kind} “{a.send_name}” {formatRate(a.value)} ≥{' '}
              {formatRate(a.threshold)} (baseline {formatRate(a.baseline)}, {formatCount(a.delivered)} delivered)
            </li>
          ))}
        </ul>
      ) : m.window ? (
        <p>No alert.</p>
      ) : null}
    </>
  );
}

function plural(n: number): string {
  return n === 1 ? '1 send' : `${formatCount(n)} sends`;
}
