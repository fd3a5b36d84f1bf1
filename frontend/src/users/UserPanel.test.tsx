import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Account, AccountPatch } from '../api/types';
import { apiError, installFakeApi, type Reply } from '../test/fakeApi';
import { account, adminUser, apiToken } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { adminSession } from '../test/stepSixSessions';

const mara = account();
const ada = account({ id: adminUser.id, email: adminUser.email, name: adminUser.name, roles: ['admin'] });
const M = `/api/v1/users/${mara.id}`;
const A = `/api/v1/users/${ada.id}`;

function open(who: Account, extra: Record<string, Reply> = {}) {
  const fake = installFakeApi({
    'GET /api/v1/me': adminSession,
    'GET /api/v1/users': { status: 200, body: [ada, mara] },
    [`GET ${M}/tokens`]: { status: 200, body: [apiToken(), apiToken({ id: 't2', name: 'zapier', revoked_at: '2030-06-03T12:00:00Z' }), apiToken({ id: 't3', name: 'sheets' })] },
    [`GET ${A}/tokens`]: { status: 200, body: [] },
    ...extra,
  });
  const view = renderApp(`/users?user=${who.id}`);
  return { fake, ...view, panel: () => screen.findByRole('region', { name: new RegExp(`^${who.name}`) }) };
}

describe('UserPanel: roles', () => {
  it('saves the ticked roles and says from when they apply', async () => {
    const { user, fake, panel } = open(mara, {
      [`PATCH ${M}`]: (req) => {
        const changed: Account = { ...mara, roles: (req.body as AccountPatch).roles! };
        fake.on('GET /api/v1/users', { status: 200, body: [ada, changed] });
        return { status: 200, body: changed };
      },
    });
    const p = await panel();
    const form = within(p).getByRole('form', { name: 'Roles of Mara Marketer' });
    const save = within(form).getByRole('button', { name: 'Save roles' });
    expect(save).toBeDisabled();
    expect(save).toHaveAccessibleDescription('Tick or untick a role to change what they may do.');
    await user.click(within(form).getByRole('checkbox', { name: /Security/ }));
    expect(save).toBeEnabled();
    await user.click(save);
    expect(fake.requestsTo(`PATCH ${M}`)[0]?.body).toEqual({ roles: ['marketer', 'security'] });
    expect(await within(form).findByRole('status')).toHaveTextContent(
      'Saved: Mara Marketer is now Marketer, Security, from their next request.',
    );
    expect(await screen.findByRole('rowheader', { name: /Mara Marketer/ })).toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: /Mara Marketer/ }).closest('tr')).toHaveTextContent('Marketer, Security');
  });

  it('does not save a user without any role, and says why', async () => {
    const { user, fake, panel } = open(mara);
    const form = within(await panel()).getByRole('form', { name: 'Roles of Mara Marketer' });
    await user.click(within(form).getByRole('checkbox', { name: /Marketer/ }));
    const save = within(form).getByRole('button', { name: 'Save roles' });
    expect(save).toBeDisabled();
    expect(save).toHaveAccessibleDescription('A user needs at least one role.');
    expect(within(form).getByRole('group', { name: 'Roles' })).toHaveAccessibleDescription('Choose at least one role.');
    expect(fake.requestsTo(`PATCH ${M}`)).toHaveLength(0);
  });

  it('shows “last admin” in words when an admin demotes the only admin (themselves)', async () => {
    const { user, panel } = open(ada, {
      [`PATCH ${A}`]: apiError(409, 'last_admin', 'This would leave no active admin. Make someone else an admin first.'),
    });
    const form = within(await panel()).getByRole('form', { name: 'Roles of Ada Admin' });
    await user.click(within(form).getByRole('checkbox', { name: /Marketer/ }));
    await user.click(within(form).getByRole('checkbox', { name: /Admin/ }));
    expect(form).toHaveTextContent('Without the admin role you lose this page as soon as you save.');
    await user.click(within(form).getByRole('button', { name: 'Save roles' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'Roles not saved: This would leave no active admin. Make someone else an admin first.',
    );
    expect(within(form).getByRole('checkbox', { name: /Marketer/ })).toBeChecked();
  });
});

describe('UserPanel: access', () => {
  it('disables after a confirmation that says sessions end and how many tokens are revoked', async () => {
    const disabled: Account = { ...mara, disabled: true, disabled_at: '2030-06-05T10:00:00Z' };
    const { user, fake, panel } = open(mara, {
      [`PATCH ${M}`]: () => {
        fake.on('GET /api/v1/users', { status: 200, body: [ada, disabled] });
        return { status: 200, body: disabled };
      },
    });
    const p = await panel();
    await within(p).findByRole('table');
    await user.click(within(p).getByRole('button', { name: 'Disable Mara Marketer' }));
    const dialog = screen.getByRole('dialog', { name: 'Disable Mara Marketer?' });
    expect(dialog).toHaveTextContent('they cannot sign in any more');
    expect(dialog).toHaveTextContent('every session of theirs ends, in every browser');
    expect(dialog).toHaveTextContent('their 2 API tokens are revoked, and enabling them later does not bring tokens back');
    expect(fake.requestsTo(`PATCH ${M}`)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Disable Mara Marketer' }));

    expect(fake.requestsTo(`PATCH ${M}`)[0]?.body).toEqual({ disabled: true });
    expect(await within(p).findByRole('status')).toHaveTextContent(
      'Disabled Mara Marketer: they cannot sign in, their sessions ended and their tokens are revoked.',
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(await within(p).findByText(/^Disabled since 5 Jun/)).toBeInTheDocument();
    expect(within(p).getByRole('button', { name: 'Enable Mara Marketer' })).toBeEnabled();
    const signOut = within(p).getByRole('button', { name: 'Sign out everywhere' });
    expect(signOut).toBeDisabled();
    expect(signOut).toHaveAccessibleDescription('Mara Marketer is disabled: they have no sessions left to end.');
    // The tokens are read again: disabling revoked them.
    await expect.poll(() => fake.requestsTo(`GET ${M}/tokens`).length).toBeGreaterThan(1);
  });

  it('does nothing when the confirmation is dismissed', async () => {
    const { user, fake, panel } = open(mara);
    await user.click(within(await panel()).getByRole('button', { name: 'Disable Mara Marketer' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Back' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(fake.requestsTo(`PATCH ${M}`)).toHaveLength(0);
  });

  it('enables a disabled user, saying revoked tokens stay revoked', async () => {
    const disabled: Account = { ...mara, disabled: true, disabled_at: '2030-06-05T10:00:00Z' };
    const { user, fake, panel } = open(disabled, {
      'GET /api/v1/users': { status: 200, body: [ada, disabled] },
      [`PATCH ${M}`]: { status: 200, body: mara },
    });
    await user.click(within(await panel()).getByRole('button', { name: 'Enable Mara Marketer' }));
    const dialog = screen.getByRole('dialog', { name: 'Enable Mara Marketer?' });
    expect(dialog).toHaveTextContent('Tokens revoked when they were disabled stay revoked');
    await user.click(within(dialog).getByRole('button', { name: 'Enable Mara Marketer' }));
    expect(fake.requestsTo(`PATCH ${M}`)[0]?.body).toEqual({ disabled: false });
    expect(await screen.findByText(/^Enabled Mara Marketer: they can sign in again/)).toBeInTheDocument();
  });

  it('does not let an admin disable themselves, and says why', async () => {
    const { panel } = open(ada);
    const disable = within(await panel()).getByRole('button', { name: 'Disable Ada Admin' });
    expect(disable).toBeDisabled();
    expect(disable).toHaveAccessibleDescription('You cannot disable yourself here: you would be signed out at once. Ask another admin.');
    expect(disable).toHaveAttribute('title', 'You cannot disable yourself here: you would be signed out at once. Ask another admin.');
  });

  it('keeps the dialog open with the refusal when the server says no', async () => {
    const { user, panel } = open(mara, {
      [`PATCH ${M}`]: apiError(409, 'last_admin', 'This would leave no active admin. Make someone else an admin first.'),
    });
    await user.click(within(await panel()).getByRole('button', { name: 'Disable Mara Marketer' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Disable Mara Marketer' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Not disabled: This would leave no active admin.');
  });

  it('signs a user out everywhere after saying their tokens keep working, and tells how many sessions ended', async () => {
    const { user, fake, panel } = open(mara, {
      [`DELETE ${M}/sessions`]: { status: 200, body: { sessions_revoked: 2 } },
    });
    const p = await panel();
    await user.click(within(p).getByRole('button', { name: 'Sign out everywhere' }));
    const dialog = screen.getByRole('dialog', { name: 'Sign Mara Marketer out everywhere?' });
    expect(dialog).toHaveTextContent('Every session of theirs ends now; they must sign in again. Their API tokens keep working');
    await user.click(within(dialog).getByRole('button', { name: 'Sign out everywhere' }));
    expect(fake.requestsTo(`DELETE ${M}/sessions`)).toHaveLength(1);
    expect(fake.requestsTo(`DELETE ${M}/sessions`)[0]?.headers.get('X-CSRF-Token')).toBe('csrf-from-me');
    expect(await within(p).findByRole('status')).toHaveTextContent('Signed Mara Marketer out everywhere: 2 sessions ended.');
  });

  it('warns an admin signing themselves out everywhere that this session ends too', async () => {
    const { user, panel } = open(ada);
    await user.click(within(await panel()).getByRole('button', { name: 'Sign out everywhere' }));
    expect(screen.getByRole('dialog')).toHaveTextContent('this one included: you will be back at the sign-in page');
  });
});
