import { useId, useMemo, useState } from 'react';
import type { DurationStats, ResponseMetrics } from '../api/types';
import { LazyBarChart } from '../charts/LazyBarChart';
import { formatCount, formatDateTime, formatDuration, humanize } from '../lib/format';
import { EmptyState } from '../shell/EmptyState';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { PERIODS, periodStart, useResponseMetrics, type PeriodDays } from './api';

const MEASURES = [
  { key: 'to_acknowledge', label: 'To acknowledge', color: '#5b8fb9' },
  { key: 'to_pause', label: 'To pause', color: '#c28a1c' },
  { key: 'to_resolve', label: 'To resolve', color: '#0d6e6e' },
] as const;

const STATS: ReadonlyArray<{ key: keyof DurationStats; label: string }> = [
  { key: 'count', label: 'Count' },
  { key: 'median_seconds', label: 'Median' },
  { key: 'p90_seconds', label: 'p90' },
  { key: 'max_seconds', label: 'Max' },
];

function stat(s: DurationStats, key: keyof DurationStats): string {
  const v = s[key];
  if (key === 'count') return formatCount(v);
  return v === null ? '—' : formatDuration(v);
}

function shortDuration(seconds: number): string {
  return formatDuration(seconds);
}

/**
 * /response-metrics — how fast incidents were handled: time from detection to
 * acknowledge (MTTA), to pause and to resolve, per runbook and severity, over
 * the last 30, 90 or 365 days, with the medians charted. Medians and p90 are
 * values some incident really took (the server's percentile_disc).
 */
export function ResponseMetricsPage() {
  const [days, setDays] = useState<PeriodDays>(30);
  const from = useMemo(() => periodStart(days), [days]);
  const metrics = useResponseMetrics(from);
  const pickerId = useId();

  return (
    <>
      <PageHeader title="Response times">
        How long incidents took from detection to acknowledge, to pause and to resolve, by runbook and severity.
      </PageHeader>
      <div className="period-picker" role="radiogroup" aria-labelledby={pickerId}>
        <span id={pickerId} className="period-picker-label">
          Period
        </span>
        {PERIODS.map((d) => (
          <label key={d} className={`period-option${d === days ? ' period-option--on' : ''}`}>
            <input type="radio" name="period" value={d} checked={d === days} onChange={() => setDays(d)} />
            Last {d} days
          </label>
        ))}
      </div>
      {metrics.isPending ? <Loading label="Loading response times…" /> : null}
      {metrics.isError ? (
        <ErrorNotice error={metrics.error} title="Could not load response times" onRetry={() => void metrics.refetch()} />
      ) : null}
      {metrics.data ? <MetricsView metrics={metrics.data} /> : null}
    </>
  );
}

function MetricsView({ metrics: m }: { metrics: ResponseMetrics }) {
  if (m.total.incidents === 0) {
    return (
      <EmptyState title="No incident in this period">
        Incidents detected from {formatDateTime(m.from)} to {formatDateTime(m.to)} are counted here.
      </EmptyState>
    );
  }
  const groupName = (g: { runbook: string; severity: string }) => `${humanize(g.runbook)} · ${g.severity}`;
  const chartData = m.groups.map((g) => ({
    group: groupName(g),
    to_acknowledge: g.to_acknowledge.median_seconds ?? 0,
    to_pause: g.to_pause.median_seconds ?? 0,
    to_resolve: g.to_resolve.median_seconds ?? 0,
  }));
  const chartLabel = `Bar chart of median times by runbook and severity: ${m.groups
    .map(
      (g) =>
        `${groupName(g)}: acknowledge ${stat(g.to_acknowledge, 'median_seconds')}, pause ${stat(g.to_pause, 'median_seconds')}, resolve ${stat(
          g.to_resolve,
          'median_seconds',
        )}`,
    )
    .join('; ')}.`;
  return (
    <>
      <p className="summary-line">
        {formatCount(m.total.incidents)} {m.total.incidents === 1 ? 'incident' : 'incidents'} detected from{' '}
        {formatDateTime(m.from)} to {formatDateTime(m.to)}.
      </p>
      <figure className="chart" role="img" aria-label={chartLabel}>
        <LazyBarChart data={chartData} xKey="group" series={MEASURES} formatValue={shortDuration} />
      </figure>
      <div className="table-wrap">
        <table className="data-table metrics-table">
          <caption>Time from detection, per runbook and severity; “—” where it never happened</caption>
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>
                Runbook
              </th>
              <th scope="col" rowSpan={2}>
                Severity
              </th>
              <th scope="col" rowSpan={2} className="num">
                Incidents
              </th>
              {MEASURES.map((x) => (
                <th scope="colgroup" colSpan={STATS.length} key={x.key} className="metrics-group">
                  {x.label}
                </th>
              ))}
            </tr>
            <tr>
              {MEASURES.flatMap((x) =>
                STATS.map((s) => (
                  <th scope="col" className="num" key={`${x.key}-${s.key}`}>
                    {s.label}
                  </th>
                )),
              )}
            </tr>
          </thead>
          <tbody>
            {m.groups.map((g) => (
              <tr key={`${g.runbook}/${g.severity}`}>
                <th scope="row" data-label="Runbook">
                  {humanize(g.runbook)}
                </th>
                <td data-label="Severity">{g.severity}</td>
                <td className="num" data-label="Incidents">
                  {formatCount(g.incidents)}
                </td>
                {MEASURES.flatMap((x) =>
                  STATS.map((s) => (
                    <td className="num" key={`${x.key}-${s.key}`} data-label={`${x.label} ${s.label.toLowerCase()}`}>
                      {stat(g[x.key], s.key)}
                    </td>
                  )),
                )}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" data-label="Runbook">
                All incidents
              </th>
              <td data-label="Severity">all</td>
              <td className="num" data-label="Incidents">
                {formatCount(m.total.incidents)}
              </td>
              {MEASURES.flatMap((x) =>
                STATS.map((s) => (
                  <td className="num" key={`${x.key}-${s.key}`} data-label={`${x.label} ${s.label.toLowerCase()}`}>
                    {stat(m.total[x.key], s.key)}
                  </td>
                )),
              )}
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}
