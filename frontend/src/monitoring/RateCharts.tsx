import type { Monitoring } from '../api/types';
import { LazyBarChart } from '../charts/LazyBarChart';
import { formatRate } from '../lib/format';
import { RATES } from './describe';

const SERIES = [
  { key: 'baseline', label: 'Baseline', color: '#8a9ba3' },
  { key: 'now', label: 'Now', color: '#0d6e6e' },
] as const;

/** An axis tick as a percentage: 0.012 → "1.2 %". */
function percent(v: number): string {
  return `${Number((v * 100).toFixed(2))} %`;
}

/**
 * One small chart per rate: the brand's baseline against its sends in the
 * window so far, with the alert threshold drawn as a line (open rate has
 * none). The figure's label says the same numbers in words.
 */
export function RateCharts({ monitoring }: { monitoring: Monitoring }) {
  return (
    <div className="rate-charts">
      {RATES.map((r) => {
        const baseline = monitoring.baseline[r.key];
        const now = monitoring.current[r.key];
        const threshold = monitoring.thresholds.find((t) => t.metric === r.key);
        const label = `${r.label}: baseline ${formatRate(baseline)}, now ${formatRate(now)}${
          threshold ? `, threshold ${formatRate(threshold.threshold)}` : ', no threshold'
        }.`;
        return (
          <figure key={r.key} className="chart rate-chart" role="img" aria-label={label} data-metric={r.key}>
            <figcaption className="rate-chart-title">{r.label}</figcaption>
            <LazyBarChart
              data={[{ rate: r.label, baseline, now }]}
              xKey="rate"
              series={SERIES}
              height={200}
              formatValue={percent}
              minTop={0.01}
              maxBarSize={36}
              markers={threshold ? [{ value: threshold.threshold, label: `Threshold ${formatRate(threshold.threshold)}` }] : []}
            />
          </figure>
        );
      })}
    </div>
  );
}
