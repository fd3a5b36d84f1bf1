import { describe, expect, it } from 'vitest';
import { can } from './permissions';

describe('can (mirror of domain/auth/permissions.go)', () => {
  it('lets marketers pause, resume and resolve, but not approve notices', () => {
    expect(can(['marketer'], 'campaign.pause')).toBe(true);
    expect(can(['marketer'], 'campaign.resume')).toBe(true);
    expect(can(['marketer'], 'incident.resolve')).toBe(true);
    expect(can(['marketer'], 'notice.approve')).toBe(false);
  });

  it('gives legal reading, the legal assessment fields and tasks, never a pause', () => {
    expect(can(['legal'], 'read')).toBe(true);
    expect(can(['legal'], 'campaign.pause')).toBe(false);
    expect(can(['legal'], 'incident.assess')).toBe(false);
    expect(can(['legal'], 'incident.assess_legal')).toBe(true);
    expect(can(['legal'], 'incident.plan')).toBe(true);
  });

  it('lets security pause and assess but not resume', () => {
    expect(can(['security'], 'campaign.pause')).toBe(true);
    expect(can(['security'], 'incident.assess')).toBe(true);
    expect(can(['security'], 'campaign.resume')).toBe(false);
  });

  it('gives admin everything and unknown roles nothing', () => {
    expect(can(['admin'], 'user.manage')).toBe(true);
    expect(can(['admin'], 'campaign.cancel')).toBe(true);
    expect(can(['auditor'], 'read')).toBe(false);
    expect(can([], 'read')).toBe(false);
  });
});
