/**
 * Step 5's queries and actions: GET/POST /api/v1/incidents/{id}/communications
 * and GET/PATCH/POST /api/v1/communications/{cid}[/preflight|/preview|/submit|/send|/pause|/resume|/cancel].
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type {
  Communication,
  AffectedPage,
  CommunicationPatch,
  CommunicationPreflight,
  CommunicationPreview,
  CommunicationSendResponse,
  CommunicationStatus,
  NewCommunication,
} from '../api/types';
import { LIVE_REFRESH_MS } from '../campaigns/api';
import { incidentKeys } from '../incidents/api';

export const communicationKeys = {
  all: ['communications'] as const,
  ofIncident: (incidentId: string) => ['communications', 'incident', incidentId] as const,
  detail: (cid: string) => ['communications', 'detail', cid] as const,
  preview: (cid: string, contentHash: string, recipientId = '') =>
    ['communications', 'preview', cid, contentHash, recipientId] as const,
  affected: (incidentId: string) => ['communications', 'affected', incidentId] as const,
};

/** How often a communication on its way out is read again for its progress. */
export const PROGRESS_REFRESH_MS = 2000;

/** Statuses in which counts still move (handoff, then SendGrid's events). */
export function isMoving(status: CommunicationStatus): boolean {
  return status === 'sending' || status === 'paused' || status === 'sent';
}

const incidentPath = (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}/communications`;
const path = (cid: string, rest = '') => `/api/v1/communications/${encodeURIComponent(cid)}${rest}`;

/** The incident's communications, oldest first, each with its live audience. */
export function useCommunications(incidentId: string, open: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: communicationKeys.ofIncident(incidentId),
    queryFn: ({ signal }) => api.get<Communication[]>(incidentPath(incidentId), { signal }),
    refetchInterval: (query) =>
      open || (query.state.data ?? []).some((c) => isMoving(c.status)) ? LIVE_REFRESH_MS : false,
  });
}

/** One communication; polled while it is sending or paused so its progress moves. */
export function useCommunication(cid: string) {
  const api = useApi();
  return useQuery({
    queryKey: communicationKeys.detail(cid),
    queryFn: ({ signal }) => api.get<Communication>(path(cid), { signal }),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status && isMoving(status) ? PROGRESS_REFRESH_MS : false;
    },
  });
}

/**
 * What one affected recipient would receive, for the content as saved
 * (`contentHash` keys it, so a save shows a fresh preview).
 */
export function usePreview(cid: string, contentHash: string, enabled: boolean, recipientId = '') {
  const api = useApi();
  const query = recipientId ? `?recipient_id=${encodeURIComponent(recipientId)}` : '';
  return useQuery({
    queryKey: communicationKeys.preview(cid, contentHash, recipientId),
    queryFn: ({ signal }) => api.get<CommunicationPreview>(path(cid, '/preview') + query, { signal }),
    enabled,
    staleTime: 30_000,
  });
}

/** The first affected recipients of the incident's campaign, for the preview's "show it as" choice. */
export function useAffectedSample(incidentId: string) {
  const api = useApi();
  return useQuery({
    queryKey: communicationKeys.affected(incidentId),
    queryFn: ({ signal }) =>
      api.get<AffectedPage>(`/api/v1/incidents/${encodeURIComponent(incidentId)}/affected?limit=25`, { signal }),
    staleTime: 60_000,
  });
}

/** Keeps the one communication and the incident's list in step with an answer. */
function useRemember() {
  const queryClient = useQueryClient();
  return (c: Communication) => {
    queryClient.setQueryData(communicationKeys.detail(c.id), c);
    queryClient.setQueryData<Communication[]>(communicationKeys.ofIncident(c.incident_id), (list) =>
      list ? (list.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [...list, c]) : list,
    );
    void queryClient.invalidateQueries({ queryKey: communicationKeys.ofIncident(c.incident_id) });
    void queryClient.invalidateQueries({ queryKey: incidentKeys.timeline(c.incident_id) });
  };
}

/** POST …/communications: a new draft, from the runbook's template for its kind. */
export function useCreateCommunication(incidentId: string) {
  const api = useApi();
  const remember = useRemember();
  return useMutation({
    mutationFn: (body: NewCommunication) => api.post<Communication>(incidentPath(incidentId), body),
    onSuccess: remember,
  });
}

export function useCommunicationActions(cid: string) {
  const api = useApi();
  const remember = useRemember();
  return {
    /** PATCH: only the fields given change; the answer carries the audience counted again. */
    save: useMutation({
      mutationFn: (patch: CommunicationPatch) => api.patch<Communication>(path(cid), patch),
      onSuccess: remember,
    }),
    /** POST …/preflight: changes nothing. */
    preflight: useMutation({
      mutationFn: () => api.post<CommunicationPreflight>(path(cid, '/preflight'), {}),
    }),
    /** POST …/send: 422 preflight_failed (details.preflight), 409 approval_required or apology_not_allowed. */
    send: useMutation({
      mutationFn: () => api.post<CommunicationSendResponse>(path(cid, '/send'), {}),
      onSuccess: (answer) => remember(answer.communication),
    }),
    /**
     * POST …/submit: a draft goes to in_review (legal and security are notified) or, when
     * nobody needs to approve, straight to approved; 409 not_a_draft otherwise.
     */
    submit: useMutation({
      mutationFn: () => api.post<Communication>(path(cid, '/submit'), {}),
      onSuccess: remember,
    }),
    pause: useStatusChange(cid, '/pause'),
    resume: useStatusChange(cid, '/resume'),
    cancel: useStatusChange(cid, '/cancel'),
  };
}

/** POST …/pause, /resume or /cancel: the answer is the communication. */
function useStatusChange(cid: string, rest: '/pause' | '/resume' | '/cancel') {
  const api = useApi();
  const remember = useRemember();
  return useMutation({ mutationFn: () => api.post<Communication>(path(cid, rest), {}), onSuccess: remember });
}
