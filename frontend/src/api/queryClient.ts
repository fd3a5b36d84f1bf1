import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError, isUnauthenticated } from './client';
import { sessionQueryKey } from '../auth/session';

/**
 * Builds the app's QueryClient.
 *
 * Any 401 from the API means the session is gone (expired, revoked, signed out in
 * another tab): the cached session is set to "signed out", which sends every
 * protected page to /login. Client errors (4xx) are not retried — repeating a
 * refused request cannot succeed and would only trip the rate limiter.
 */
export function createQueryClient(options: { retryDelayMs?: number } = {}): QueryClient {
  const onError = (err: unknown) => {
    if (isUnauthenticated(err) && queryClient.getQueryData(sessionQueryKey)) {
      queryClient.setQueryData(sessionQueryKey, null);
    }
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: (failureCount, err) =>
          !(isApiError(err) && err.status >= 400 && err.status < 500) && failureCount < 2,
        ...(options.retryDelayMs !== undefined ? { retryDelay: options.retryDelayMs } : {}),
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
