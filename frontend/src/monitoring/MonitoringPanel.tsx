import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { Incident, Monitoring, MonitoringSend } from '../api/types';
import { incidentKeys } from '../incidents/api';
import { formatCount, formatDateTime, formatDuration, formatRate, plural } from '../lib/format';
import { Badge, type BadgeTone } from '../shell/Badge';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { useMonitoring } from './api';
import { canaryLabel, metricLabel, MONITORING_STATUS, RATES } from './describe';
import { RateCharts } from './RateCharts';

/**
 * Step 6, "proceed with caution": once the incident is resolved, every send
 * of the brand in the watch window is compared with the brand's baseline.
 * Live while watching; when a new alert appears (the send is paused and the
 * incident reopened by the monitoring tick) the incident itself is read
 * again, so the page shows it open without a reload.
 */
export function MonitoringPanel({ incident }: { incident: Incident }) {
  const monitoring = useMonitoring(incident.id, incident.status === 'open');
  useRefreshOnAlert(incident, monitoring.data);

  if (monitoring.isPending) return <Loading label="Loading the watch window…" />;
  if (monitoring.isError) {
    return (
      <ErrorNotice error={monitoring.error} title="Could not load step 6" onRetry={() => void monitoring.refetch()} />
    );
  }
  const m = monitoring.data;
  return (
    <div className="monitoring">
      <StatusLine monitoring={m} />
      <BaselineLine monitoring={m} />
      <RateCharts monitoring={m} />
      <RateTable monitoring={m} />
      <Alerts monitoring={m} />
      <Sends sends={m.sends} watching={m.window !== null} />
    </div>
  );
}

/**
 * Reads the incident (and its timeline, and the campaigns) again when the
 * window gains an alert while the page is open, or when the window is in
 * alert but the incident on screen is still resolved: the alert reopened it.
 * Once per alert count, so an alert recorded on another incident does not
 * make it loop.
 */
function useRefreshOnAlert(incident: Incident, data: Monitoring | undefined) {
  const queryClient = useQueryClient();
  const seen = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (!data) return;
    const count = data.alerts.length;
    const first = seen.current === undefined;
    if (!first && count === seen.current) return;
    seen.current = count;
    if (first && !(data.status === 'alert' && incident.status === 'resolved')) return;
    void queryClient.invalidateQueries({ queryKey: incidentKeys.detail(incident.id) });
    void queryClient.invalidateQueries({ queryKey: incidentKeys.timeline(incident.id) });
    void queryClient.invalidateQueries({ queryKey: incidentKeys.list() });
    void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
  }, [data, incident.id, incident.status, queryClient]);
}

function StatusLine({ monitoring: m }: { monitoring: Monitoring }) {
  const s = MONITORING_STATUS[m.status];
  let text: string;
  switch (m.status) {
    case 'not_started':
      text = 'Starts when the incident is resolved: from then on, every send of the brand is compared with its baseline.';
      break;
    case 'watching':
      text = m.window
        ? `Watching every send of the brand from ${formatDateTime(m.window.start)} to ${formatDateTime(m.window.end)} — ${formatDuration(
            m.window.days_left * 86400,
          )} left.`
        : 'Watching every send of the brand.';
      break;
    case 'clear':
      text = `The watch window closed${m.window ? ` on ${formatDateTime(m.window.end)}` : ''} with no alert.`;
      break;
    case 'alert':
      text = `A send crossed a threshold${
        m.window ? ` in the watch window (${formatDateTime(m.window.start)} to ${formatDateTime(m.window.end)})` : ''
      }: it was paused and the incident reopened.`;
      break;
  }
  return (
    <p className={`monitoring-status monitoring-status--${m.status}`} role="status">
      <Badge tone={s.tone}>{s.label}</Badge> {text}
    </p>
  );
}

function BaselineLine({ monitoring: m }: { monitoring: Monitoring }) {
  const b = m.baseline;
  return (
    <div className="monitoring-baseline">
      <p>
        <strong>Baseline</strong> ({formatDateTime(b.from)} to {formatDateTime(b.to)}): {b.note}
      </p>
      {!b.enough_history ? (
        <p className="callout callout--warn" role="note">
          Too little history to compare with: a send alerts at the fixed floors (complaints 0.10 %, hard bounces 2.00 %,
          unsubscribes 1.00 %).
        </p>
      ) : null}
    </div>
  );
}

/** The same numbers as the charts, as a table: rate, baseline, now, the threshold and how it is made. */
function RateTable({ monitoring: m }: { monitoring: Monitoring }) {
  return (
    <div className="table-wrap">
      <table className="data-table rate-table">
        <caption>
          Rates of the brand&apos;s sends in the window ({plural(m.current.sends, 'send')}, {formatCount(m.current.delivered)}{' '}
          delivered) against its baseline ({plural(m.baseline.sends, 'send')}, {formatCount(m.baseline.delivered)}{' '}
          delivered). Each send is judged once it has {formatCount(m.thresholds[0]?.min_delivered ?? 200)} delivered.
        </caption>
        <thead>
          <tr>
            <th scope="col">Rate</th>
            <th scope="col" className="num">
              Baseline
            </th>
            <th scope="col" className="num">
              Now
            </th>
            <th scope="col" className="num">
              Alert at
            </th>
          </tr>
        </thead>
        <tbody>
          {RATES.map((r) => {
            const t = m.thresholds.find((x) => x.metric === r.key);
            return (
              <tr key={r.key}>
                <th scope="row" data-label="Rate">
                  {r.label}
                  <span className="row-sub">{r.per}</span>
                </th>
                <td className="num" data-label="Baseline">
                  {formatRate(m.baseline[r.key])}
                </td>
                <td className="num" data-label="Now">
                  {formatRate(m.current[r.key])}
                </td>
                <td className="num" data-label="Alert at">
                  {t ? (
                    <>
                      {formatRate(t.threshold)}
                      <span className="row-sub">
                        {m.baseline.enough_history
                          ? `max(${formatRate(t.floor)}, ${t.multiple} × baseline)`
                          : `the floor alone`}
                      </span>
                    </>
                  ) : (
                    <span className="muted">no alert</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function sendLink(kind: string, id: string, name: string) {
  return kind === 'campaign' ? <Link to={`/campaigns/${id}`}>{name}</Link> : <>{name}</>;
}

function Alerts({ monitoring: m }: { monitoring: Monitoring }) {
  if (m.alerts.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="data-table alert-table" aria-label="Step 6 alerts">
        <caption>Alerts: each paused its send</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Metric</th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col" className="num">
              Threshold
            </th>
            <th scope="col" className="num">
              Baseline
            </th>
            <th scope="col">Send</th>
          </tr>
        </thead>
        <tbody>
          {m.alerts.map((a) => (
            <tr key={`${a.send_kind}/${a.send_id}/${a.metric}`} className="row--alert">
              <td data-label="When">{formatDateTime(a.at)}</td>
              <th scope="row" data-label="Metric">
                {metricLabel(a.metric)}
              </th>
              <td className="num" data-label="Value">
                {formatRate(a.value)}
              </td>
              <td className="num" data-label="Threshold">
                {formatRate(a.threshold)}
              </td>
              <td className="num" data-label="Baseline">
                {formatRate(a.baseline)}
              </td>
              <td data-label="Send">
                {sendLink(a.send_kind, a.send_id, a.send_name)}{' '}
                <span className="row-sub">
                  {a.send_kind} · {formatCount(a.delivered)} delivered
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const SEND_TONES: Record<string, BadgeTone> = {
  sending: 'info',
  sent: 'good',
  paused: 'warn',
  cancelled: 'muted',
  failed: 'danger',
};

function capitalize(word: string): string {
  return word ? word[0]!.toUpperCase() + word.slice(1).replaceAll('_', ' ') : word;
}

function Sends({ sends, watching }: { sends: MonitoringSend[]; watching: boolean }) {
  if (!watching) return null;
  if (sends.length === 0) {
    return <p className="muted">No send of the brand in the watch window yet.</p>;
  }
  return (
    <div className="table-wrap">
      <table className="data-table send-table" aria-label="Sends in the watch window">
        <caption>The brand&apos;s sends in the watch window, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Send</th>
            <th scope="col">Status</th>
            <th scope="col">Canary</th>
            <th scope="col">Started</th>
            <th scope="col" className="num">
              Delivered
            </th>
            <th scope="col" className="num">
              Hard bounces
            </th>
            <th scope="col" className="num">
              Complaints
            </th>
            <th scope="col" className="num">
              Unsubscribes
            </th>
          </tr>
        </thead>
        <tbody>
          {sends.map((s) => (
            <tr key={`${s.kind}/${s.id}`} data-send-id={s.id}>
              <th scope="row" data-label="Send">
                {sendLink(s.kind, s.id, s.name)}
                <span className="row-sub">{s.kind}</span>
              </th>
              <td data-label="Status">
                <Badge tone={SEND_TONES[s.status] ?? 'neutral'}>{capitalize(s.status)}</Badge>
              </td>
              <td data-label="Canary">{s.kind === 'campaign' ? canaryLabel(s.canary) : '—'}</td>
              <td data-label="Started">{formatDateTime(s.started_at)}</td>
              <td className="num" data-label="Delivered">
                {formatCount(s.delivered)}
              </td>
              <td className="num" data-label="Hard bounces">
                {formatRate(s.bounce_rate)}
              </td>
              <td className="num" data-label="Complaints">
                {formatRate(s.complaint_rate)}
              </td>
              <td className="num" data-label="Unsubscribes">
                {formatRate(s.unsubscribe_rate)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
