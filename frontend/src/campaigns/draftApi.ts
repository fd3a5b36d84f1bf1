/**
 * Composing a campaign (issue 14): brands, the live audience of segments,
 * create (POST /api/v1/campaigns), edit or correct (PATCH /api/v1/campaigns/{id}),
 * preflight, preview, a test to the signed-in user, and send.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type {
  AudienceEstimate,
  Brand,
  Campaign,
  CampaignApproveRequest,
  CampaignPatch,
  CampaignPreflight,
  CampaignPreview,
  CampaignSendRequest,
  CampaignSendResponse,
  CampaignTestResponse,
  NewCampaign,
} from '../api/types';
import { recipientKeys } from '../recipients/api';
import { campaignKeys, useCampaignUpdate } from './api';

const path = (id: string, rest = '') => `/api/v1/campaigns/${encodeURIComponent(id)}${rest}`;

export const draftKeys = {
  brands: ['brands'] as const,
  audience: (segments: readonly string[], asmGroupId: number | undefined) =>
    [...recipientKeys.audience, [...segments].sort(), asmGroupId ?? 0] as const,
  /**
   * `version` is the campaign's updated_at: every save reads these again. Not
   * under campaignKeys.all, which every campaign action refetches: the new
   * version's key does that already.
   */
  preflight: (id: string, version: string) => ['campaign-preflight', id, version] as const,
  preview: (id: string, version: string, recipientId: string) => ['campaign-preview', id, version, recipientId] as const,
};

export function useBrands() {
  const api = useApi();
  return useQuery({
    queryKey: draftKeys.brands,
    queryFn: ({ signal }) => api.get<Brand[]>('/api/v1/brands', { signal }),
    staleTime: 60_000,
  });
}

/**
 * Who a send would snapshot now: the segments' members minus suppressed
 * addresses. Nothing is asked without a segment; while the choice changes the
 * last answer stays on screen (marked as being counted again).
 */
export function useAudience(segments: readonly string[], asmGroupId: number | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: draftKeys.audience(segments, asmGroupId),
    queryFn: ({ signal }) =>
      api.get<AudienceEstimate>('/api/v1/audience', {
        query: { segment: [...segments].sort(), asm_group_id: asmGroupId || undefined },
        signal,
      }),
    enabled: segments.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

/** POST /api/v1/campaigns: a draft; 422 validation_failed names the fields. */
export function useCreateCampaign() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewCampaign) => api.post<Campaign>('/api/v1/campaigns', body),
    onSuccess: (c) => {
      queryClient.setQueryData(campaignKeys.detail(c.id), c);
      void queryClient.invalidateQueries({ queryKey: campaignKeys.list() });
    },
  });
}

/**
 * PATCH: only the fields given change. A draft may change everything; a
 * paused campaign only its name and content (the answer's `fix` then says
 * what Resume will do). 422 validation_failed / not_draft_field name the fields.
 */
export function useUpdateCampaign(id: string) {
  const api = useApi();
  const update = useCampaignUpdate();
  return useMutation({
    mutationFn: (patch: CampaignPatch) => api.patch<Campaign>(path(id), patch),
    onSuccess: update,
  });
}

/**
 * The preflight of the campaign as saved (`version`: its updated_at), run on
 * its own and again after every save. A POST that changes nothing, read as a
 * query so it is there when the page opens.
 */
export function useCampaignPreflight(id: string, version: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: draftKeys.preflight(id, version),
    queryFn: ({ signal }) => api.post<CampaignPreflight>(path(id, '/preflight'), undefined, { signal }),
    enabled,
    staleTime: 10_000,
  });
}

/**
 * The campaign as one audience member gets it (the first by address without
 * `recipientId`), for the content as saved. The previous rendering stays while
 * another recipient's is on its way, so the "Show it as" choice stays put.
 */
export function useCampaignPreview(id: string, version: string, recipientId: string, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: draftKeys.preview(id, version, recipientId),
    queryFn: ({ signal }) =>
      api.get<CampaignPreview>(path(id, '/preview'), { query: { recipient_id: recipientId || undefined }, signal }),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** POST …/test: one message to the signed-in user's own address, now, as `recipientId` would get it. */
export function useSendTest(id: string) {
  const api = useApi();
  return useMutation({
    mutationFn: (recipientId: string) =>
      api.post<CampaignTestResponse>(path(id, '/test'), recipientId ? { recipient_id: recipientId } : {}),
  });
}

/**
 * POST …/send: 202 sending; 422 preflight_failed carries the whole preflight in
 * details.preflight; 409 review_required the CampaignReview in details.review.
 * Without a body it goes as the server decides (with the watch's canary when
 * the brand is watched); `override_caution_reason` (admins) sends without it.
 */
export function useSendCampaign(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body?: CampaignSendRequest) => api.post<CampaignSendResponse>(path(id, '/send'), body),
    // The page moves to the sending view at once, with the snapshot's size,
    // then reads the whole campaign again.
    onSuccess: (sent) => {
      queryClient.setQueryData<Campaign>(campaignKeys.detail(id), (old) =>
        old && sent.status
          ? {
              ...old,
              status: sent.status,
              batch_id: sent.batch_id ?? old.batch_id,
              counts: { ...old.counts, audience: sent.audience ?? old.counts.audience },
            }
          : old,
      );
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: campaignKeys.all });
    },
  });
}

/**
 * POST …/approve {content_hash, comment?}: the second pair of eyes, bound to
 * the content the reviewer saw. 409 content_changed carries the current hash
 * in details.content_hash; the page then reads the draft again.
 */
export function useApproveCampaign(id: string) {
  const api = useApi();
  const update = useCampaignUpdate();
  return useMutation({
    mutationFn: (body: CampaignApproveRequest) => api.post<Campaign>(path(id, '/approve'), body),
    onSuccess: update,
  });
}
