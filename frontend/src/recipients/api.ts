/** Recipients and segments: GET /api/v1/segments, POST /api/v1/recipients/import (CSV, with upload progress). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type { UploadProgress } from '../api/upload';
import type { ImportResult, Segment } from '../api/types';

export const recipientKeys = {
  segments: ['segments'] as const,
  audience: ['audience'] as const,
};

/** Every segment with its member count, by name (the server's order). */
export function useSegments() {
  const api = useApi();
  return useQuery({
    queryKey: recipientKeys.segments,
    queryFn: ({ signal }) => api.get<Segment[]>('/api/v1/segments', { signal }),
    staleTime: 30_000,
  });
}

/**
 * Uploads a CSV of recipients (as text/csv, streamed by the server), calling
 * `onProgress` as it goes up. Afterwards the segment sizes and any audience
 * count are read again: the import changed them.
 */
export function useImportRecipients(onProgress: (progress: UploadProgress) => void) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (file: Blob) =>
      api.upload<ImportResult>('/api/v1/recipients/import', file, { contentType: 'text/csv', onProgress }),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: recipientKeys.segments });
      void queryClient.invalidateQueries({ queryKey: recipientKeys.audience });
    },
  });
}
