/** Campaign queries and actions (GET/POST /api/v1/campaigns…). */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type { Page } from '../api/client';
import type { Campaign, CampaignStatus, EventSeries, PauseResponse } from '../api/types';

export const LIVE_REFRESH_MS = 5000;

export const campaignKeys = {
  all: ['campaigns'] as const,
  list: () => ['campaigns', 'list'] as const,
  detail: (id: string) => ['campaigns', 'detail', id] as const,
  series: (id: string) => ['campaigns', 'series', id] as const,
};

/** Statuses in which a campaign can still change by itself (handoff, events, retries). */
export function isLive(status: CampaignStatus | undefined): boolean {
  return status === 'sending' || status === 'sent' || status === 'paused';
}

/** Sending, or sent (handed to SendGrid, which still holds what is due later). */
export function isPausable(status: CampaignStatus): boolean {
  return status === 'sending' || status === 'sent';
}

/**
 * The campaign list, newest first, one API page (100) at a time: `data` is
 * every campaign loaded so far, `hasNextPage`/`fetchNextPage` load the next
 * older page (the X-Next-Cursor of the last). Only the first page loads by
 * itself: what is sending now is at the top, and every loaded page is
 * refetched on each live refresh, so the list's cost follows what the
 * marketer asked to see, not the whole history.
 */
export function useCampaigns() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: campaignKeys.list(),
    queryFn: ({ signal, pageParam }) => api.getPage<Campaign>('/api/v1/campaigns', { after: pageParam, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
    select: (data) => data.pages.flatMap((p) => p.items),
    // The list is the control room's main view: it stays live, so a webhook's
    // auto-pause or a colleague's pause shows without a reload.
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/** How often an open draft's page reads it again: it follows a send (or an edit) made elsewhere. */
export const DRAFT_REFRESH_MS = 10_000;

/**
 * One campaign. Live campaigns refresh every LIVE_REFRESH_MS; a draft every
 * DRAFT_REFRESH_MS, so its page moves to the sending view when a colleague
 * (or another tab) sends it, without a reload.
 */
export function useCampaign(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.detail(id ?? ''),
    queryFn: ({ signal }) => api.get<Campaign>(`/api/v1/campaigns/${encodeURIComponent(id!)}`, { signal }),
    enabled: !!id,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return isLive(status) ? LIVE_REFRESH_MS : status === 'draft' ? DRAFT_REFRESH_MS : false;
    },
  });
}

/**
 * The campaign's outcomes per time bucket over its whole life, counted by the
 * server (the size it picks: at most 180 buckets), refreshed with the
 * counters while the campaign is live so the two stay equal.
 */
export function useCampaignEventSeries(id: string, live: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.series(id),
    queryFn: ({ signal }) =>
      api.get<EventSeries>(`/api/v1/campaigns/${encodeURIComponent(id)}/event-series`, { signal }),
    refetchInterval: live ? LIVE_REFRESH_MS : false,
  });
}

/**
 * Keeps the caches in step with a campaign an action answered: its page, its
 * row in the list, and (refetched) the lists and incidents it may have moved.
 */
export function useCampaignUpdate() {
  const queryClient = useQueryClient();
  return (campaign: Campaign) => {
    queryClient.setQueryData(campaignKeys.detail(campaign.id), campaign);
    queryClient.setQueryData<InfiniteData<Page<Campaign>, string | undefined>>(campaignKeys.list(), (list) =>
      list
        ? {
            ...list,
            pages: list.pages.map((p) => ({ ...p, items: p.items.map((c) => (c.id === campaign.id ? campaign : c)) })),
          }
        : list,
    );
    void queryClient.invalidateQueries({ queryKey: campaignKeys.all });
    void queryClient.invalidateQueries({ queryKey: ['incidents'] });
  };
}

/** POST …/pause {reason} → {campaign, incident_id}: both planes, and the campaign's incident. */
export function usePauseCampaign() {
  const api = useApi();
  const update = useCampaignUpdate();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      api.post<PauseResponse>(`/api/v1/campaigns/${encodeURIComponent(id)}/pause`, { reason }),
    onSuccess: (res) => update(res.campaign),
  });
}

export function useResumeCampaign() {
  const api = useApi();
  const update = useCampaignUpdate();
  return useMutation({
    mutationFn: (id: string) => api.post<Campaign>(`/api/v1/campaigns/${encodeURIComponent(id)}/resume`),
    onSuccess: update,
  });
}

export function useCancelCampaign() {
  const api = useApi();
  const update = useCampaignUpdate();
  return useMutation({
    mutationFn: (id: string) => api.post<Campaign>(`/api/v1/campaigns/${encodeURIComponent(id)}/cancel`),
    onSuccess: update,
  });
}
