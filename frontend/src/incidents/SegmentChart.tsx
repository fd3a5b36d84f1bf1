import type { AssessmentSegment } from '../api/types';
import { LazyBarChart } from '../charts/LazyBarChart';

const SERIES = [
  { key: 'delivered', label: 'Delivered', color: '#0d6e6e' },
  { key: 'opened', label: 'Opened', color: '#5b8fb9' },
  { key: 'complained', label: 'Complained', color: '#a4262c' },
  { key: 'held', label: 'Held', color: '#c28a1c' },
] as const;

/** Delivered, opened, complained and held per segment; the table holds the same numbers in text. */
export function SegmentChart({ segments }: { segments: AssessmentSegment[] }) {
  if (segments.length === 0) return null;
  const label = `Bar chart by segment of delivered, opened, complained and held: ${segments
    .map((s) => `${s.segment} ${s.delivered} delivered, ${s.opened} opened, ${s.complained} complained, ${s.held} held`)
    .join('; ')}.`;
  return (
    <figure className="chart" role="img" aria-label={label}>
      <LazyBarChart data={segments} xKey="segment" series={SERIES} />
    </figure>
  );
}
