import { format, startOfMinute } from 'date-fns';
import type { EventRow } from '../api/types';
import { LazyBarChart } from '../charts/LazyBarChart';
import { toDate } from '../lib/format';

/** Event types in a sensible stacking order, with their colours; others are grouped under "other". */
const KNOWN: ReadonlyArray<{ event: string; label: string; color: string }> = [
  { event: 'processed', label: 'Processed', color: '#9fb2ba' },
  { event: 'delivered', label: 'Delivered', color: '#0d6e6e' },
  { event: 'open', label: 'Opened', color: '#5b8fb9' },
  { event: 'click', label: 'Clicked', color: '#3d5a80' },
  { event: 'deferred', label: 'Deferred', color: '#c2b280' },
  { event: 'bounce', label: 'Bounced', color: '#c28a1c' },
  { event: 'blocked', label: 'Blocked', color: '#8a6d1c' },
  { event: 'dropped', label: 'Dropped', color: '#6b4f1d' },
  { event: 'spamreport', label: 'Spam reports', color: '#a4262c' },
  { event: 'unsubscribe', label: 'Unsubscribes', color: '#7b3f8c' },
  { event: 'group_unsubscribe', label: 'Group unsubscribes', color: '#9b5fac' },
];

export interface MinuteBucket {
  minute: number;
  label: string;
  [event: string]: number | string;
}

/** Buckets events by the minute they occurred and by event type, oldest minute first. */
export function bucketByMinute(events: EventRow[]): { buckets: MinuteBucket[]; types: string[] } {
  const byMinute = new Map<number, MinuteBucket>();
  const types = new Set<string>();
  for (const e of events) {
    const at = toDate(e.occurred_at);
    if (!at) continue;
    const minute = startOfMinute(at).getTime();
    const type = KNOWN.some((k) => k.event === e.event) ? e.event : 'other';
    types.add(type);
    let bucket = byMinute.get(minute);
    if (!bucket) {
      bucket = { minute, label: format(minute, 'HH:mm') };
      byMinute.set(minute, bucket);
    }
    bucket[type] = ((bucket[type] as number | undefined) ?? 0) + 1;
  }
  const order = [...KNOWN.map((k) => k.event), 'other'];
  return {
    buckets: [...byMinute.values()].sort((a, b) => a.minute - b.minute),
    types: order.filter((t) => types.has(t)),
  };
}

export function EventsChart({ events }: { events: EventRow[] }) {
  const { buckets, types } = bucketByMinute(events);
  if (buckets.length === 0) {
    return <p className="empty-inline">No events from SendGrid yet. They appear here as SendGrid reports them.</p>;
  }
  const totals = types.map((t) => `${events.filter((e) => (t === 'other' ? !KNOWN.some((k) => k.event === e.event) : e.event === t)).length} ${labelOf(t)}`);
  return (
    <figure
      className="chart"
      role="img"
      aria-label={`Events per minute from ${buckets[0]!.label} to ${buckets[buckets.length - 1]!.label}: ${totals.join(', ')}.`}
    >
      <LazyBarChart
        data={buckets}
        xKey="label"
        series={types.map((t) => ({ key: t, label: labelOf(t), color: colorOf(t) }))}
        stacked
        height={280}
      />
      {events.length >= 1000 ? (
        <figcaption className="muted">Showing the latest 1,000 events.</figcaption>
      ) : null}
    </figure>
  );
}

function labelOf(type: string): string {
  return KNOWN.find((k) => k.event === type)?.label ?? 'Other';
}

function colorOf(type: string): string {
  return KNOWN.find((k) => k.event === type)?.color ?? '#4b5d68';
}
