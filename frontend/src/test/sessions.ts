/**
 * Signed-in users as `GET /api/v1/me` answers them. The server computes
 * `permissions` from domain/auth's table; here they are plain data, and the
 * dashboard's buttons follow them (never the roles).
 */
import type { Permission, SessionResponse } from '../api/types';
import { mara } from './fakeApi';
import { legalUser, securityUser } from './fixtures';

export const marketerPermissions: Permission[] = [
  'campaign.cancel',
  'campaign.create',
  'campaign.pause',
  'campaign.resume',
  'campaign.send',
  'communication.draft',
  'incident.acknowledge',
  'incident.assess',
  'incident.declare',
  'incident.note',
  'incident.plan',
  'incident.resolve',
  'read',
  'recipients.import',
];
export const legalPermissions: Permission[] = ['incident.assess_legal', 'incident.note', 'incident.plan', 'notice.approve', 'read'];

export const maraMe: SessionResponse = { user: mara, permissions: marketerPermissions };
export const legalMe: SessionResponse = { user: legalUser, permissions: legalPermissions };

export const marketerSession = { status: 200, body: { ...maraMe, csrf_token: 'csrf-from-me' } };
export const legalSession = { status: 200, body: { ...legalMe, csrf_token: 'csrf-from-me' } };

export const securityPermissions: Permission[] = ['campaign.pause', 'incident.assess', 'incident.assess_legal', 'incident.note', 'incident.plan', 'notice.approve', 'read'];
export const securityMe: SessionResponse = { user: securityUser, permissions: securityPermissions };
export const securitySession = { status: 200, body: { ...securityMe, csrf_token: 'csrf-from-me' } };
