import { lazy, Suspense, type ComponentProps } from 'react';
import type BarChartView from './BarChartView';

// The chart library is the largest part of the bundle: it loads when a chart is first shown.
const View = lazy(() => import('./BarChartView'));

export type { Marker, Series } from './BarChartView';

export function LazyBarChart(props: ComponentProps<typeof BarChartView>) {
  const height = props.height ?? 260;
  return (
    <Suspense fallback={<div className="chart-placeholder" style={{ height }} aria-hidden="true" />}>
      <View {...props} />
    </Suspense>
  );
}
