/** Step 6 in words: statuses, metrics, canary states. */
import type { MonitoringRates, MonitoringStatus, MonitoringThreshold } from '../api/types';
import type { BadgeTone } from '../shell/Badge';

export const MONITORING_STATUS: Record<MonitoringStatus, { label: string; tone: BadgeTone }> = {
  not_started: { label: 'Not started', tone: 'muted' },
  watching: { label: 'Watching', tone: 'info' },
  clear: { label: 'Clear', tone: 'good' },
  alert: { label: 'Alert', tone: 'danger' },
};

export type ThresholdMetric = MonitoringThreshold['metric'];
export type RateKey = 'bounce_rate' | 'complaint_rate' | 'unsubscribe_rate' | 'open_rate';

/** The four rates step 6 shows, in order; open rate has no threshold (a fall is a sign, not an alert). */
export const RATES: ReadonlyArray<{ key: RateKey & keyof MonitoringRates; label: string; per: string }> = [
  { key: 'bounce_rate', label: 'Hard bounce rate', per: 'hard bounces per delivered' },
  { key: 'complaint_rate', label: 'Complaint rate', per: 'spam reports per delivered' },
  { key: 'unsubscribe_rate', label: 'Unsubscribe rate', per: 'unsubscribes per delivered' },
  { key: 'open_rate', label: 'Open rate', per: 'human opens per delivered' },
];

export function metricLabel(metric: string): string {
  return RATES.find((r) => r.key === metric)?.label ?? metric.replaceAll('_', ' ');
}

/** The canary state of a send in the window (MonitoringSend.canary). */
export function canaryLabel(canary: string): string {
  switch (canary) {
    case 'waiting':
      return 'Canary wave out, rest held';
    case 'released':
      return 'Canary released';
    case 'none':
    case '':
      return 'No canary';
    default:
      return canary;
  }
}
