/**
 * What the signed-in user may do, as the server says: `GET /api/v1/me` (and the
 * sign-in answer) lists the caller's `permissions`, computed from
 * domain/auth/permissions.go. The dashboard keeps no copy of that table; it
 * offers an action only when its permission is listed. The server stays the
 * authority: it refuses anything else with 403, which the pages show in words.
 */
import type { Permission } from '../api/types';
import { useSession } from './session';

export type { Permission };

/** Whether the signed-in user holds a permission; false while nobody is signed in. */
export function useCan(): (permission: Permission) => boolean {
  const { data } = useSession();
  const granted: readonly Permission[] = data?.permissions ?? [];
  return (permission) => granted.includes(permission);
}
