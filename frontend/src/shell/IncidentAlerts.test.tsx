import { act, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { incidentKeys } from '../incidents/api';
import { installFakeApi, mara } from '../test/fakeApi';
import { incident, legalUser } from '../test/fixtures';
import { triage } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

const spike = { ...triage, id: 'deliverability-spike', acknowledge: { ...triage.acknowledge, escalation: [{ role: 'security' as const }, { role: 'marketer' as const }] } };
const opened = incident({ id: 'i9', runbook: 'deliverability-spike', summary: 'Complaints at 0.41 % on Flash sale — paused', owner: null, acknowledged_at: null });

/** The app on the campaigns page with nothing open; then the incident list answers `next` on the next poll. */
async function signedInThenPolled(next: unknown[], session = marketerSession) {
  const fake = installFakeApi({
    'GET /api/v1/me': session,
    'GET /api/v1/runbooks': { status: 200, body: [triage, spike] },
  });
  const view = renderApp('/campaigns');
  expect(await screen.findByRole('heading', { name: 'Campaigns' })).toBeInTheDocument();
  await vi.waitFor(() => expect(fake.requestsTo('GET /api/v1/incidents').length).toBeGreaterThan(0));
  await vi.waitFor(() => expect(view.queryClient.getQueryData(incidentKeys.list())).toBeDefined());
  await vi.waitFor(() => expect(view.queryClient.getQueryData(['runbooks'])).toBeDefined());
  await act(() => new Promise((r) => setTimeout(r, 50))); // the shell has seen the first answer
  fake.on('GET /api/v1/incidents', { status: 200, body: next });
  await act(() => view.queryClient.refetchQueries({ queryKey: incidentKeys.list() }));
  return { ...view, fake };
}

const alerts = () => screen.getByRole('region', { name: 'Incident alerts' });


describe('incident alerts', () => {
  it('toasts a newly opened incident that pages your role, with a link, and counts it in the title', async () => {
    const { user } = await signedInThenPolled([opened]);

    const toast = await within(alerts()).findByRole('alert');
    expect(toast).toHaveTextContent('New sev2 incident · nobody owns it yet');
    expect(within(toast).getByRole('link', { name: 'Complaints at 0.41 % on Flash sale — paused' })).toHaveAttribute('href', '/incidents/i9');
    expect(document.title).toBe('(1) Campaigns · Firebreak');

    await user.click(within(toast).getByRole('button', { name: /^Dismiss the alert/ }));
    expect(within(alerts()).queryByRole('alert')).not.toBeInTheDocument();
    expect(document.title).toBe('Campaigns · Firebreak');
  });

  it('says nothing of what was already open when the page loaded', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/runbooks': { status: 200, body: [triage, spike] },
      'GET /api/v1/incidents': { status: 200, body: [opened] },
    });
    const view = renderApp('/campaigns');
    await vi.waitFor(() => expect(view.queryClient.getQueryData(incidentKeys.list())).toBeDefined());
    await act(() => view.queryClient.refetchQueries({ queryKey: incidentKeys.list() }));
    expect(fake.requestsTo('GET /api/v1/incidents').length).toBeGreaterThan(1);
    expect(within(alerts()).queryByRole('alert')).not.toBeInTheDocument();
    expect(document.title).toBe('Campaigns · Firebreak');
  });

  it('does not toast an incident whose runbook pages none of your roles', async () => {
    await signedInThenPolled([opened], legalSession);
    await act(async () => {});
    expect(within(alerts()).queryByRole('alert')).not.toBeInTheDocument();
    expect(document.title).toBe('Campaigns · Firebreak');
  });

  it('toasts an incident that becomes yours, and counts every alert', async () => {
    const { fake, queryClient } = await signedInThenPolled([opened, incident({ id: 'i8', summary: 'Wrong price in the subject', owner: legalUser.id })]);
    // Both are new and page marketers (triage does too).
    expect(await within(alerts()).findAllByRole('alert')).toHaveLength(2);
    fake.on('GET /api/v1/incidents', { status: 200, body: [opened, incident({ id: 'i8', summary: 'Wrong price in the subject', owner: mara.id })] });
    await act(() => queryClient.refetchQueries({ queryKey: incidentKeys.list() }));

    const toasts = await within(alerts()).findAllByRole('alert');
    expect(toasts).toHaveLength(2);
    expect(toasts[1]).toHaveTextContent('You now own an incident');
    expect(within(toasts[1]!).getByRole('link', { name: 'Wrong price in the subject' })).toHaveAttribute('href', '/incidents/i8');
    expect(document.title).toBe('(2) Campaigns · Firebreak');
  });

  it('raises a browser notification once you opted in', async () => {
    const shown: { title: string; body?: string }[] = [];
    let permission: NotificationPermission = 'default';
    class FakeNotification {
      static get permission() {
        return permission;
      }
      static requestPermission = vi.fn(async () => {
        permission = 'granted';
        return permission;
      });
      onclick: (() => void) | null = null;
      constructor(title: string, opts?: NotificationOptions) {
        shown.push({ title, body: opts?.body });
      }
    }
    vi.stubGlobal('Notification', FakeNotification);
    localStorage.clear();
    try {
      const fake = installFakeApi({ 'GET /api/v1/me': marketerSession, 'GET /api/v1/runbooks': { status: 200, body: [triage, spike] } });
      const view = renderApp('/campaigns');
      await view.user.click(await screen.findByRole('button', { name: 'Notify me of incidents' }));
      expect(FakeNotification.requestPermission).toHaveBeenCalled();
      expect(screen.queryByRole('button', { name: 'Notify me of incidents' })).not.toBeInTheDocument();

      await vi.waitFor(() => expect(view.queryClient.getQueryData(incidentKeys.list())).toBeDefined());
      await act(() => new Promise((r) => setTimeout(r, 50)));
      fake.on('GET /api/v1/incidents', { status: 200, body: [opened] });
      await act(() => view.queryClient.refetchQueries({ queryKey: incidentKeys.list() }));
      await within(alerts()).findByRole('alert');
      expect(shown).toEqual([{ title: 'New sev2 incident', body: 'Complaints at 0.41 % on Flash sale — paused' }]);
    } finally {
      vi.unstubAllGlobals();
      localStorage.clear();
    }
  });
});
