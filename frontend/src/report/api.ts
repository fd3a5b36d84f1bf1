/** The postmortem and the breach register (api/reports.go). */
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type { BreachRecord, Report } from '../api/types';

/** Where the Markdown of an incident's report downloads from (the session cookie authenticates a plain link). */
export function reportMarkdownHref(incidentId: string): string {
  return `/api/v1/incidents/${encodeURIComponent(incidentId)}/report?format=md`;
}

/** The breach register as CSV (legal, admin). */
export const BREACH_REGISTER_CSV_HREF = '/api/v1/breach-register?format=csv';

/** GET /api/v1/incidents/{id}/report: computed on each read, so it is always current. */
export function useReport(incidentId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['incidents', 'report', incidentId],
    queryFn: ({ signal }) => api.get<Report>(`/api/v1/incidents/${encodeURIComponent(incidentId)}/report`, { signal }),
  });
}

/** GET /api/v1/breach-register: every data-breach incident, oldest first. */
export function useBreachRegister(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ['breach-register'],
    queryFn: ({ signal }) => api.get<BreachRecord[]>('/api/v1/breach-register', { signal }),
    enabled,
  });
}
