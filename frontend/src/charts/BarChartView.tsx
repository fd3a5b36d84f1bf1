import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface Series {
  key: string;
  label: string;
  color: string;
}

/** A horizontal line across the chart at `value` (e.g. an alert threshold), labelled. */
export interface Marker {
  value: number;
  label: string;
  color?: string;
}

/**
 * A recharts bar chart (grouped, or stacked with `stacked`). Loaded on demand: see LazyBarChart.
 * `markers` draw reference lines (the axis grows to show them); `formatValue` formats the
 * axis ticks and tooltips (e.g. rates as percentages); `minTop` keeps the axis at least that tall
 * (so a chart of zeros does not scale to nothing); `maxBarSize` keeps bars narrow enough for a marker's label.
 */
export default function BarChartView({
  data,
  xKey,
  series,
  stacked = false,
  height = 260,
  markers = [],
  formatValue,
  minTop,
  maxBarSize,
}: {
  data: object[];
  xKey: string;
  series: readonly Series[];
  stacked?: boolean;
  height?: number;
  markers?: readonly Marker[];
  formatValue?: (value: number) => string;
  minTop?: number;
  maxBarSize?: number;
}) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data} margin={{ top: markers.length > 0 ? 20 : 8, right: 8, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#d5dee2" vertical={false} />
        <XAxis dataKey={xKey} tick={{ fontSize: 12 }} />
        <YAxis
          allowDecimals={!!formatValue}
          tick={{ fontSize: 12 }}
          width={formatValue ? 64 : 48}
          tickFormatter={formatValue ? (v: number) => formatValue(v) : undefined}
          domain={
            minTop === undefined && markers.length === 0
              ? undefined
              : [0, (dataMax: number) => niceCeil(Math.max(dataMax, minTop ?? 0, ...markers.map((m) => m.value)))]
          }
        />
        <Tooltip formatter={formatValue ? (v) => formatValue(Number(v)) : undefined} />
        <Legend wrapperStyle={{ fontSize: 13 }} />
        {series.map((s) => (
          <Bar
            key={s.key}
            dataKey={s.key}
            name={s.label}
            fill={s.color}
            stackId={stacked ? 'stack' : undefined}
            maxBarSize={maxBarSize}
            isAnimationActive={false}
          />
        ))}
        {markers.map((m) => (
          <ReferenceLine
            key={m.label}
            y={m.value}
            stroke={m.color ?? '#a4262c'}
            strokeDasharray="6 3"
            strokeWidth={2}
            ifOverflow="extendDomain"
            label={{ value: m.label, position: 'insideTopRight', fontSize: 12, fill: m.color ?? '#a4262c' }}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/**
 * The axis top for v: the next 1, 2, 2.5 or 5 × a power of ten at or above it,
 * so a threshold of 34.77 % draws under a 50 % top instead of becoming the
 * top's own (wrapping) label.
 */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  const f = v / exp;
  const step = [1, 2, 2.5, 5, 10].find((n) => f <= n + 1e-9) ?? 10;
  return step * exp;
}
