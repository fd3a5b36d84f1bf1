/**
 * The access policy, mirrored from domain/auth/permissions.go so the dashboard
 * only offers what the API will accept. The server stays the authority: it
 * refuses anything else with 403, which the pages show in words.
 */
import type { Role } from '../api/types';
import { useSession } from './session';

export type Permission =
  | 'read'
  | 'campaign.create'
  | 'campaign.send'
  | 'campaign.pause'
  | 'campaign.resume'
  | 'campaign.cancel'
  | 'recipients.import'
  | 'incident.declare'
  | 'incident.acknowledge'
  | 'incident.assess'
  | 'incident.assess_legal'
  | 'incident.plan'
  | 'incident.resolve'
  | 'communication.draft'
  | 'notice.approve'
  | 'brand.manage'
  | 'user.manage'
  | 'token.manage'
  | 'suppression.manage';

/** Which roles hold each permission; admin holds every one. */
const TABLE: Record<Permission, readonly Role[]> = {
  read: ['marketer', 'legal', 'security'],
  'campaign.create': ['marketer'],
  'campaign.send': ['marketer'],
  'campaign.pause': ['marketer', 'security'],
  'campaign.resume': ['marketer'],
  'campaign.cancel': ['marketer'],
  'recipients.import': ['marketer'],
  'incident.declare': ['marketer'],
  'incident.acknowledge': ['marketer'],
  'incident.assess': ['marketer', 'security'],
  'incident.assess_legal': ['legal', 'security'],
  'incident.plan': ['marketer', 'legal', 'security'],
  'incident.resolve': ['marketer'],
  'communication.draft': ['marketer'],
  'notice.approve': ['legal', 'security'],
  'brand.manage': [],
  'user.manage': [],
  'token.manage': [],
  'suppression.manage': [],
};

/** Whether any of `roles` grants `permission` (an unknown role grants nothing). */
export function can(roles: readonly string[], permission: Permission): boolean {
  const allowed = TABLE[permission];
  return roles.some((role) => role === 'admin' || (allowed as readonly string[]).includes(role));
}

/** `can` for the signed-in user; false while nobody is signed in. */
export function useCan(): (permission: Permission) => boolean {
  const { data } = useSession();
  const roles = data?.user.roles ?? [];
  return (permission) => can(roles, permission);
}
