import { format } from 'date-fns';
import type { EventSeries, EventSeriesCounts } from '../api/types';
import { LazyBarChart } from '../charts/LazyBarChart';
import { formatCount } from '../lib/format';

type Outcome = keyof EventSeriesCounts;

/** The outcomes in a sensible stacking order, with the counters' labels and their colours. */
export const OUTCOMES: ReadonlyArray<{ key: Outcome; label: string; color: string }> = [
  { key: 'delivered', label: 'Delivered', color: '#0d6e6e' },
  { key: 'opened', label: 'Opened', color: '#5b8fb9' },
  { key: 'clicked', label: 'Clicked', color: '#3d5a80' },
  { key: 'deferred', label: 'Deferred', color: '#c2b280' },
  { key: 'bounced', label: 'Bounced', color: '#c28a1c' },
  { key: 'blocked', label: 'Blocked', color: '#8a6d1c' },
  { key: 'dropped', label: 'Dropped', color: '#6b4f1d' },
  { key: 'complained', label: 'Complained', color: '#a4262c' },
  { key: 'unsubscribed', label: 'Unsubscribed', color: '#7b3f8c' },
];

const BUCKET_WORDS: Record<EventSeries['bucket'], string> = {
  '1m': 'minute',
  '5m': '5 minutes',
  '15m': '15 minutes',
  '1h': 'hour',
  '6h': '6 hours',
  '1d': 'day',
};

/**
 * The chart's rows: one per bucket, labelled by its start (the day too when
 * the campaign's span crosses midnight, the day alone for day buckets).
 */
export function chartRows(series: EventSeries): Array<{ label: string } & EventSeriesCounts> {
  const times = series.buckets.map((b) => new Date(b.at));
  const first = times[0];
  const last = times[times.length - 1];
  const oneDay = !!first && !!last && format(first, 'yyyy-MM-dd') === format(last, 'yyyy-MM-dd');
  const pattern = series.bucket === '1d' ? 'd MMM' : oneDay ? 'HH:mm' : 'd MMM HH:mm';
  return series.buckets.map((b, i) => {
    const { at: _at, ...counts } = b;
    return { label: format(times[i]!, pattern), ...counts };
  });
}

/**
 * The campaign's outcomes over its whole life, per time bucket, from the
 * server's counts (GET …/event-series): every recipient once per outcome, as
 * the counters count them, so the totals under the chart are the counters.
 */
export function EventsChart({ series }: { series: EventSeries }) {
  if (series.buckets.length === 0) {
    return <p className="empty-inline">No events from SendGrid yet. They appear here as SendGrid reports them.</p>;
  }
  const rows = chartRows(series);
  const shown = OUTCOMES.filter((o) => series.totals[o.key] > 0);
  const totals = shown.map((o) => `${formatCount(series.totals[o.key])} ${o.label.toLowerCase()}`);
  const per = BUCKET_WORDS[series.bucket];
  return (
    <figure
      className="chart"
      role="img"
      aria-label={`Outcomes per ${per} from ${rows[0]!.label} to ${rows[rows.length - 1]!.label}: ${totals.join(', ')}.`}
    >
      <LazyBarChart
        data={rows}
        xKey="label"
        series={shown.map((o) => ({ key: o.key, label: o.label, color: o.color }))}
        stacked
        height={280}
      />
      <figcaption className="muted chart-totals">
        Per {per}, over the whole campaign (each recipient once per outcome, as the counters count them):{' '}
        {shown.map((o, i) => (
          <span key={o.key} data-outcome={o.key}>
            {i > 0 ? ', ' : null}
            <strong>{formatCount(series.totals[o.key])}</strong> {o.label.toLowerCase()}
          </span>
        ))}
        .
      </figcaption>
    </figure>
  );
}
