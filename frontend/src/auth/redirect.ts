import type { Location } from 'react-router';

/** Router state a protected page leaves behind when it sends the visitor to /login. */
export interface LoginRedirectState {
  from?: Pick<Location, 'pathname' | 'search' | 'hash'>;
}

/**
 * Where to go after signing in: the page the visitor asked for, if it is one of
 * ours, else "/". Only same-app paths are accepted (no "//host" or absolute URLs),
 * and never /login itself.
 */
export function afterLoginPath(state: unknown): string {
  const from = (state as LoginRedirectState | null | undefined)?.from;
  const pathname = typeof from?.pathname === 'string' ? from.pathname : '';
  if (!pathname.startsWith('/') || pathname.startsWith('//') || pathname.startsWith('/login')) {
    return '/';
  }
  return pathname + (from?.search ?? '') + (from?.hash ?? '');
}
