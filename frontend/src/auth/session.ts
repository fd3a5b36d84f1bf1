/**
 * The signed-in session, kept in the React Query cache under {@link sessionQueryKey}.
 *
 * The cached value is the `GET /api/v1/session` (= `GET /api/v1/me`) answer, or null
 * when nobody is signed in.
 * The HttpOnly cookie is invisible to us; what we keep is the user and the CSRF
 * token, which the ApiClient attaches to unsafe requests. A reload asks `/me`
 * again and so gets both back.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import { ApiError, UNEXPECTED_RESPONSE, isUnauthenticated, type ApiClient } from '../api/client';
import type { Credentials, SessionResponse } from '../api/types';

export const sessionQueryKey = ['session'] as const;

export type Session = SessionResponse | null;

/**
 * Asks the server who we are with `GET /api/v1/session`, which answers 204 when
 * nobody is signed in (so a signed-out page logs no 401 in the console); a 401
 * is the same answer ("nobody"), not a failure.
 */
export async function fetchSession(api: ApiClient): Promise<Session> {
  try {
    const body = await api.get<unknown>('/api/v1/session');
    if (body === undefined) {
      api.setCsrfToken(null);
      return null;
    }
    const session = checkSession(body);
    api.setCsrfToken(session.csrf_token);
    return session;
  } catch (err) {
    if (isUnauthenticated(err)) {
      api.setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

/**
 * Refuses a session answer without a usable user or without its permissions:
 * showing a blank name, or no buttons at all, would look signed in while every
 * permission check downstream fails.
 */
export function checkSession(body: unknown): SessionResponse {
  const user = (body as Partial<SessionResponse> | null)?.user;
  const permissions = (body as Partial<SessionResponse> | null)?.permissions;
  if (
    !user ||
    typeof user.id !== 'string' ||
    user.id === '' ||
    typeof user.name !== 'string' ||
    !Array.isArray(user.roles)
  ) {
    throw new ApiError(
      200,
      UNEXPECTED_RESPONSE,
      'Firebreak answered without saying who is signed in. Reload the page, or sign in again.',
    );
  }
  if (!Array.isArray(permissions)) {
    throw new ApiError(
      200,
      UNEXPECTED_RESPONSE,
      'Firebreak answered without saying what you may do. Reload the page, or sign in again.',
    );
  }
  return body as SessionResponse;
}

/** The current session. `data` is undefined while the first probe is in flight. */
export function useSession() {
  const api = useApi();
  return useQuery({
    queryKey: sessionQueryKey,
    queryFn: () => fetchSession(api),
    staleTime: Infinity,
  });
}

/** `POST /api/v1/session`; on success the session cache holds the new user. */
export function useSignIn() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (credentials: Credentials) =>
      checkSession(await api.post<unknown>('/api/v1/session', credentials)),
    onSuccess: (session) => {
      // Whatever another user left in the cache is not this user's to see.
      clearEverythingButSession(queryClient);
      api.setCsrfToken(session.csrf_token);
      queryClient.setQueryData<Session>(sessionQueryKey, session);
    },
  });
}

/**
 * `DELETE /api/v1/session` (with the CSRF header). A 401 means the session had
 * already ended, which is what the user wanted. Any other failure is reported and
 * the user stays signed in here, because the server still holds the session.
 */
export function useSignOut() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await api.delete('/api/v1/session');
      } catch (err) {
        if (!isUnauthenticated(err)) throw err;
      }
    },
    onSuccess: () => {
      api.setCsrfToken(null);
      clearEverythingButSession(queryClient);
      queryClient.setQueryData<Session>(sessionQueryKey, null);
    },
  });
}

function clearEverythingButSession(queryClient: QueryClient) {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionQueryKey[0] });
}
