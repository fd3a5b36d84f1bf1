/**
 * `/me` answers for step 6's campaign side: a second marketer (Nico, who may
 * approve Mara's drafts) and an admin (Ada: brand settings, sending without
 * the watch's canary).
 */
import type { Permission, SessionResponse } from '../api/types';
import { adminUser, nicoUser } from './fixtures';
import { marketerPermissions } from './sessions';

/** Admin holds every permission (domain/auth: "admin — everything"). */
export const adminPermissions: Permission[] = [
  'brand.manage',
  'breach.register',
  'campaign.cancel',
  'campaign.create',
  'campaign.pause',
  'campaign.resume',
  'campaign.send',
  'communication.draft',
  'incident.acknowledge',
  'incident.assess',
  'incident.assess_legal',
  'incident.declare',
  'incident.plan',
  'incident.resolve',
  'notice.approve',
  'read',
  'recipients.import',
  'suppression.manage',
  'token.manage',
  'user.manage',
];

export const nicoMe: SessionResponse = { user: nicoUser, permissions: marketerPermissions };
export const adminMe: SessionResponse = { user: adminUser, permissions: adminPermissions };

export const nicoSession = { status: 200, body: { ...nicoMe, csrf_token: 'csrf-from-me' } };
export const adminSession = { status: 200, body: { ...adminMe, csrf_token: 'csrf-from-me' } };
