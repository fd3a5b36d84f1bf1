/**
 * The reviewer's side of step 5: GET /api/v1/approvals (the caller's queue),
 * GET /api/v1/communications/{cid}/history, and POST …/approve and …/reject,
 * each bound to the content_hash the reviewer was shown.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type { ApproveRequest, Communication, CommunicationHistory, Role } from '../api/types';
import { useSession } from '../auth/session';
import { LIVE_REFRESH_MS } from '../campaigns/api';
import { communicationKeys } from '../communications/api';
import { incidentKeys } from '../incidents/api';

export const reviewKeys = {
  queue: ['approvals', 'pending'] as const,
  history: (cid: string) => ['communications', 'history', cid] as const,
};

/** The roles that review notices: whoever holds one gets the Reviews page. */
export const REVIEW_ROLES: readonly Role[] = ['legal', 'security'];

/** Whether the signed-in user holds legal or security (admin alone does not review). */
export function useIsReviewer(): boolean {
  const { data } = useSession();
  return (data?.user.roles ?? []).some((r) => REVIEW_ROLES.includes(r));
}

const path = (cid: string, rest = '') => `/api/v1/communications/${encodeURIComponent(cid)}${rest}`;

/**
 * The caller's queue, oldest submission first: what still needs a role they
 * hold and they neither wrote nor approved. Live, like the incident list:
 * a submission can arrive at any moment.
 */
export function useApprovalQueue(enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: reviewKeys.queue,
    queryFn: ({ signal }) => api.get<Communication[]>('/api/v1/approvals', { query: { status: 'pending' }, signal }),
    enabled,
    refetchInterval: enabled ? LIVE_REFRESH_MS : false,
  });
}

/** Every version and every decision, withdrawn ones included, oldest first. */
export function useHistory(cid: string, contentHash: string) {
  const api = useApi();
  return useQuery({
    // Keyed by the hash: a new version means a new history.
    queryKey: [...reviewKeys.history(cid), contentHash],
    queryFn: ({ signal }) => api.get<CommunicationHistory>(path(cid, '/history'), { signal }),
  });
}

/** Where the CSV of the affected people who are suppressed (and must be told another way) downloads from. */
export function suppressedCsvUrl(cid: string): string {
  return path(cid, '/suppressed?format=csv');
}

/**
 * Approve and reject. Both send the content_hash the page displayed, so a
 * text changed meanwhile is 409 content_changed rather than an approval of
 * something nobody read.
 */
export function useReviewActions(cid: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  function remember(c: Communication) {
    queryClient.setQueryData(communicationKeys.detail(c.id), c);
    void queryClient.invalidateQueries({ queryKey: reviewKeys.queue });
    void queryClient.invalidateQueries({ queryKey: reviewKeys.history(c.id) });
    void queryClient.invalidateQueries({ queryKey: communicationKeys.ofIncident(c.incident_id) });
    void queryClient.invalidateQueries({ queryKey: incidentKeys.timeline(c.incident_id) });
  }
  return {
    approve: useMutation({
      mutationFn: (body: { comment?: string; content_hash: string }) =>
        api.post<Communication>(path(cid, '/approve'), body satisfies ApproveRequest),
      onSuccess: remember,
    }),
    reject: useMutation({
      mutationFn: (body: { reason: string; content_hash: string }) => api.post<Communication>(path(cid, '/reject'), body),
      onSuccess: remember,
    }),
  };
}
