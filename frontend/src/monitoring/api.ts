/** Step 6's query: GET /api/v1/incidents/{id}/monitoring. */
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type { Monitoring } from '../api/types';
import { LIVE_REFRESH_MS } from '../campaigns/api';

export const monitoringKey = (incidentId: string) => ['incidents', 'monitoring', incidentId] as const;

/** How often a watching window is read again: an alert can come with any webhook batch. */
export const WATCH_REFRESH_MS = 5000;

/**
 * The incident's watch window, baseline, thresholds, alerts and the brand's
 * sends. Live while watching (a send can cross a threshold at any tick) and
 * while the incident is open; a clear or alerted window of a resolved
 * incident no longer changes.
 */
export function useMonitoring(incidentId: string, incidentOpen: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: monitoringKey(incidentId),
    queryFn: ({ signal }) => api.get<Monitoring>(`/api/v1/incidents/${encodeURIComponent(incidentId)}/monitoring`, { signal }),
    refetchInterval: (query) =>
      query.state.data?.status === 'watching' ? WATCH_REFRESH_MS : incidentOpen ? LIVE_REFRESH_MS : false,
  });
}
