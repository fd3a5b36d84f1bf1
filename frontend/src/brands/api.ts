/**
 * Brand settings (admin): PATCH /api/v1/brands/{id} {second_review}. The list
 * itself is draftApi's useBrands (GET /api/v1/brands, every role), shared with
 * the campaign form.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type { Brand, BrandPatch, SecondReview, SecondReviewMention } from '../api/types';
import { campaignKeys } from '../campaigns/api';
import { draftKeys } from '../campaigns/draftApi';
import { formatCount } from '../lib/format';

/** The brand's second pair of eyes after the change; the drafts' reviews follow it, so they are read again. */
export function useUpdateBrand(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: BrandPatch) => api.patch<Brand>(`/api/v1/brands/${encodeURIComponent(id)}`, patch),
    onSuccess: (brand) => {
      queryClient.setQueryData<Brand[]>(draftKeys.brands, (list) => list?.map((b) => (b.id === brand.id ? brand : b)));
      void queryClient.invalidateQueries({ queryKey: draftKeys.brands });
      void queryClient.invalidateQueries({ queryKey: campaignKeys.all });
    },
  });
}

/** What applies during a watch window, whatever the brand's own setting (SecondReview's description). */
export const WATCH_WINDOW_RULE: SecondReview = { enabled: true, audience_over: 10000, mentions: ['prices', 'codes', 'attachments'] };

/** How the form and the list name what a draft may mention. */
export const MENTION_LABELS: Record<SecondReviewMention, { label: string; hint: string }> = {
  prices: { label: 'Prices', hint: 'amounts with a currency, “% off”' },
  codes: { label: 'Codes', hint: 'discount, promo or coupon codes' },
  attachments: { label: 'Attachments', hint: 'attached files, links to PDFs, ZIPs, documents' },
};

/** "Off", "On", "On — watch window": what applies to the brand's drafts now. */
export function describeActive(active: Brand['second_review_active']): string {
  switch (active) {
    case 'on':
      return 'On';
    case 'watch_window':
      return 'On — watch window';
    default:
      return 'Off';
  }
}

/** The rule in words: "audience over 10,000, or mentions prices, codes or attachments". */
export function describeRule(r: SecondReview): string {
  const audience = r.audience_over === 0 ? 'every draft' : `audience over ${formatCount(r.audience_over)}`;
  if (r.mentions.length === 0) return audience;
  const names = r.mentions.map((m) => MENTION_LABELS[m].label.toLowerCase());
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return r.audience_over === 0 ? audience : `${audience}, or mentions ${list}`;
}
