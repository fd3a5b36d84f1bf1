/** GET /api/v1/response-metrics: how fast incidents were handled over a period. */
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type { ResponseMetrics } from '../api/types';

/** The periods the page offers, in days back from now. */
export const PERIODS = [30, 90, 365] as const;
export type PeriodDays = (typeof PERIODS)[number];

/** The period's start: `days` before now, to the minute (so the query key stays put while the page is open). */
export function periodStart(days: number, now: Date = new Date()): string {
  const start = new Date(now.getTime() - days * 86_400_000);
  start.setUTCSeconds(0, 0);
  return start.toISOString();
}

export function useResponseMetrics(from: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['response-metrics', from],
    queryFn: ({ signal }) => api.get<ResponseMetrics>('/api/v1/response-metrics', { query: { from }, signal }),
    staleTime: 60_000,
  });
}
