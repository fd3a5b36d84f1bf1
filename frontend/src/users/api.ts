/**
 * Users and API tokens, for admins: GET/POST /api/v1/users, PATCH
 * /api/v1/users/{id}, DELETE /api/v1/users/{id}/sessions, GET
 * /api/v1/users/{id}/tokens, POST /api/v1/tokens, DELETE /api/v1/tokens/{id}
 * (docs/api.md "Users, tokens and sign-in"). Every query waits for its
 * permission (user.manage, token.manage) so a non-admin's visit asks nothing.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type { Account, AccountPatch, ApiToken, NewAccount, NewApiToken, Role, SessionsRevoked } from '../api/types';
import { sessionQueryKey } from '../auth/session';
import { peopleQueryKey } from '../incidents/api';

export const userKeys = {
  all: ['users'] as const,
  tokens: (id: string) => ['users', id, 'tokens'] as const,
};

/** Every user, disabled ones included, by email. */
export function useAccounts(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: userKeys.all,
    queryFn: ({ signal }) => api.get<Account[]>('/api/v1/users', { signal }),
    enabled,
  });
}

function useRefreshAccounts() {
  const queryClient = useQueryClient();
  return (changed: Account) => {
    queryClient.setQueryData<Account[]>(userKeys.all, (list) =>
      list?.some((u) => u.id === changed.id) ? list.map((u) => (u.id === changed.id ? changed : u)) : list,
    );
    void queryClient.invalidateQueries({ queryKey: userKeys.all });
    // Owner pickers list people by name and role.
    void queryClient.invalidateQueries({ queryKey: peopleQueryKey });
  };
}

export function useAddAccount() {
  const api = useApi();
  const refresh = useRefreshAccounts();
  return useMutation({
    mutationFn: (body: NewAccount) => api.post<Account>('/api/v1/users', body),
    onSuccess: refresh,
  });
}

/**
 * PATCH /api/v1/users/{id}. Disabling also revokes the user's tokens, so their
 * list is read again; changing one's own roles changes one's own permissions,
 * so `/me` is read again too.
 */
export function useUpdateAccount(id: string, selfId: string | undefined) {
  const api = useApi();
  const queryClient = useQueryClient();
  const refresh = useRefreshAccounts();
  return useMutation({
    mutationFn: (patch: AccountPatch) => api.patch<Account>(`/api/v1/users/${encodeURIComponent(id)}`, patch),
    onSuccess: (changed) => {
      refresh(changed);
      void queryClient.invalidateQueries({ queryKey: userKeys.tokens(id) });
      if (id === selfId) void queryClient.invalidateQueries({ queryKey: sessionQueryKey });
    },
  });
}

export function useSignOutEverywhere(id: string) {
  const api = useApi();
  return useMutation({
    mutationFn: () => api.delete<SessionsRevoked>(`/api/v1/users/${encodeURIComponent(id)}/sessions`),
  });
}

/** A user's tokens, newest first, revoked ones included. */
export function useTokens(userId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: userKeys.tokens(userId),
    queryFn: ({ signal }) => api.get<ApiToken[]>(`/api/v1/users/${encodeURIComponent(userId)}/tokens`, { signal }),
    enabled,
  });
}

/**
 * POST /api/v1/tokens. The answer holds the secret once: it stays with the
 * caller (the component shows it), and the cached list gets the token without it.
 */
export function useCreateToken(userId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewApiToken) => api.post<ApiToken>('/api/v1/tokens', body),
    onSuccess: (created) => {
      const { token: _secret, ...listed } = created;
      void _secret;
      queryClient.setQueryData<ApiToken[]>(userKeys.tokens(userId), (list) => (list ? [listed, ...list] : list));
      void queryClient.invalidateQueries({ queryKey: userKeys.tokens(userId) });
    },
  });
}

export function useRevokeToken(userId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: string) => api.delete<ApiToken>(`/api/v1/tokens/${encodeURIComponent(tokenId)}`),
    onSuccess: (revoked) => {
      queryClient.setQueryData<ApiToken[]>(userKeys.tokens(userId), (list) =>
        list?.map((t) => (t.id === revoked.id ? revoked : t)),
      );
      void queryClient.invalidateQueries({ queryKey: userKeys.tokens(userId) });
    },
  });
}

/** What each role may do, in a phrase (domain/auth/permissions.go's table; admin holds every permission). */
export const ROLE_LABELS: Record<Role, { label: string; hint: string }> = {
  marketer: { label: 'Marketer', hint: 'campaigns, pause, recipients, incidents' },
  legal: { label: 'Legal', hint: 'read, legal fields, approve notices, breach register' },
  security: { label: 'Security', hint: 'read, pause, assessment, approve notices' },
  admin: { label: 'Admin', hint: 'everything, users and tokens' },
};

/** "Marketer, Legal". */
export function describeRoles(roles: readonly Role[]): string {
  return roles.map((r) => ROLE_LABELS[r].label).join(', ');
}

/** Who minted a token, in words: a name from the list, "the command line", or the raw id. */
export function describeMinter(createdBy: string, accounts: readonly Account[] | undefined): string {
  if (createdBy === 'cli') return 'the command line';
  const who = accounts?.find((u) => u.id === createdBy);
  return who ? who.name : 'a user no longer listed';
}
