import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Account, ApiToken } from '../api/types';
import { apiError, installFakeApi, type Reply } from '../test/fakeApi';
import { account, adminUser, apiToken } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { adminSession } from '../test/stepSixSessions';

const mara = account();
const ada = account({ id: adminUser.id, email: adminUser.email, name: adminUser.name, roles: ['admin'] });
const T = `/api/v1/users/${mara.id}/tokens`;

const ci = apiToken();
const cliToken = apiToken({ id: 't2', name: 'nightly', prefix: 'fbk_cd34', created_by: 'cli', last_used_at: null });
const old = apiToken({ id: 't3', name: 'zapier', prefix: 'fbk_ef56', revoked_at: '2030-06-03T12:00:00Z' });

function open(who: Account = mara, extra: Record<string, Reply> = {}) {
  const fake = installFakeApi({
    'GET /api/v1/me': adminSession,
    'GET /api/v1/users': { status: 200, body: [ada, who] },
    [`GET ${T}`]: { status: 200, body: [ci, cliToken, old] },
    ...extra,
  });
  const view = renderApp(`/users?user=${who.id}`);
  return { fake, ...view, tokens: async () => within(await screen.findByRole('region', { name: 'API tokens' })) };
}

const tokenRow = async (t: Awaited<ReturnType<ReturnType<typeof open>['tokens']>>, name: string) =>
  (await t.findByRole('rowheader', { name: new RegExp(name) })).closest('tr')!;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('TokensPanel', () => {
  it('lists the tokens with who minted them, when, last use and revocation', async () => {
    const { tokens } = open();
    const t = await tokens();
    const a = await tokenRow(t, 'ci');
    expect(a).toHaveTextContent('fbk_ab12…');
    expect(a).toHaveTextContent('Ada Admin');
    expect(a).toHaveTextContent(/2 Jun \d\d:00/);
    expect(a).toHaveTextContent(/3 Jun \d\d:15/);
    expect(within(a).getByText(/3 Jun \d\d:15/)).toHaveAttribute('title', expect.stringMatching(/^\d\d:15:30$/));
    expect(within(a).getByText('Active')).toBeInTheDocument();
    const b = await tokenRow(t, 'nightly');
    expect(b).toHaveTextContent('the command line');
    expect(b).toHaveTextContent('never');
    const c = await tokenRow(t, 'zapier');
    expect(within(c).getByText('Revoked')).toBeInTheDocument();
    expect(c).toHaveTextContent(/Revoked\s*3 Jun \d\d:00/);
    expect(within(c).queryByRole('button', { name: /Revoke/ })).not.toBeInTheDocument();
  });

  it('creates a token, shows its secret once with a warning and a copy button, then forgets it', async () => {
    const created: ApiToken = apiToken({ id: 't9', name: 'crm', prefix: 'fbk_zz99', last_used_at: null, token: 'fbk_zz99-the-secret' });
    const { user, fake, tokens } = open(mara, {
      'POST /api/v1/tokens': () => {
        const { token: _, ...listed } = created;
        fake.on(`GET ${T}`, { status: 200, body: [listed, ci, cliToken, old] });
        return { status: 201, body: created };
      },
    });
    const t = await tokens();
    const form = t.getByRole('form', { name: 'Create a token for Mara Marketer' });
    await user.type(within(form).getByLabelText('What it is for'), 'crm');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));
    expect(fake.requestsTo('POST /api/v1/tokens')[0]?.body).toEqual({ email: 'mara@example.com', name: 'crm' });

    const shown = await t.findByRole('region', { name: 'New token “crm” for Mara Marketer' });
    expect(within(shown).getByLabelText('The token')).toHaveValue('fbk_zz99-the-secret');
    expect(within(shown).getByLabelText('The token')).toHaveAccessibleDescription(/Copy it now: it will not be shown again\./);
    await user.click(within(shown).getByRole('button', { name: 'Copy' }));
    // user-event stands in for the clipboard.
    expect(await navigator.clipboard.readText()).toBe('fbk_zz99-the-secret');
    expect(within(shown).getByRole('status')).toHaveTextContent('Copied to the clipboard.');
    expect(await tokenRow(t, 'crm')).toHaveTextContent('fbk_zz99…');

    await user.click(within(shown).getByRole('button', { name: 'Done, I have stored it' }));
    expect(t.queryByRole('region', { name: /New token/ })).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue('fbk_zz99-the-secret')).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent('fbk_zz99-the-secret');
    expect(t.getByRole('form', { name: 'Create a token for Mara Marketer' })).toBeInTheDocument();
  });

  it('sends no name when none is given', async () => {
    const { user, fake, tokens } = open(mara, {
      'POST /api/v1/tokens': { status: 201, body: apiToken({ id: 't9', name: '', token: 'fbk_secret' }) },
    });
    const t = await tokens();
    await user.click(t.getByRole('button', { name: 'Create token' }));
    expect(fake.requestsTo('POST /api/v1/tokens')[0]?.body).toEqual({ email: 'mara@example.com' });
    expect(await t.findByRole('region', { name: 'New token for Mara Marketer' })).toBeInTheDocument();
  });

  it('says so when the browser refuses to copy', async () => {
    const { user, tokens } = open(mara, {
      'POST /api/v1/tokens': { status: 201, body: apiToken({ id: 't9', token: 'fbk_secret' }) },
    });
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('denied'));
    const t = await tokens();
    await user.click(t.getByRole('button', { name: 'Create token' }));
    await user.click(await t.findByRole('button', { name: 'Copy' }));
    expect(await t.findByRole('status')).toHaveTextContent('The browser did not allow copying: select the token and copy it yourself.');
  });

  it('revokes a token only after a confirmation that says what stops working', async () => {
    const revoked: ApiToken = { ...ci, revoked_at: '2030-06-05T09:00:00Z' };
    const { user, fake, tokens } = open(mara, {
      'DELETE /api/v1/tokens/t1': () => {
        fake.on(`GET ${T}`, { status: 200, body: [revoked, cliToken, old] });
        return { status: 200, body: revoked };
      },
    });
    const t = await tokens();
    await user.click(within(await tokenRow(t, 'ci')).getByRole('button', { name: 'Revoke token ci' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke token “ci”?' });
    expect(dialog).toHaveTextContent('Anything using it (it starts fbk_ab12) is refused from the next request');
    expect(dialog).toHaveTextContent('Their other tokens and their sign-in are untouched.');
    expect(fake.requestsTo('DELETE /api/v1/tokens/t1')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Revoke token' }));

    expect(fake.requestsTo('DELETE /api/v1/tokens/t1')).toHaveLength(1);
    expect(await t.findByRole('status')).toHaveTextContent('Revoked token ci: anything still using it is refused from now on.');
    const a = await tokenRow(t, 'ci');
    expect(within(a).getByText('Revoked')).toBeInTheDocument();
    expect(within(a).queryByRole('button', { name: /Revoke/ })).not.toBeInTheDocument();
  });

  it('keeps the revoke dialog open with the refusal', async () => {
    const { user, tokens } = open(mara, {
      'DELETE /api/v1/tokens/t1': apiError(404, 'token_not_found', 'No API token has that id.'),
    });
    const t = await tokens();
    await user.click(within(await tokenRow(t, 'ci')).getByRole('button', { name: 'Revoke token ci' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Not revoked: No API token has that id.');
  });

  it('offers no new token for a disabled user, and says why', async () => {
    const disabled = account({ disabled: true, disabled_at: '2030-06-05T10:00:00Z' });
    const { fake, tokens } = open(disabled);
    const t = await tokens();
    const create = t.getByRole('button', { name: 'Create token' });
    expect(create).toBeDisabled();
    expect(create).toHaveAccessibleDescription('Mara Marketer is disabled: enable them first, a disabled user’s tokens are refused.');
    expect(t.getByLabelText('What it is for')).toBeDisabled();
    expect(fake.requestsTo('POST /api/v1/tokens')).toHaveLength(0);
  });

  it('shows a refusal to create in words', async () => {
    const { user, tokens } = open(mara, {
      'POST /api/v1/tokens': apiError(409, 'user_disabled', 'The user is disabled; enable them first.'),
    });
    const t = await tokens();
    await user.click(t.getByRole('button', { name: 'Create token' }));
    expect(await t.findByRole('alert')).toHaveTextContent('No token created: The user is disabled; enable them first.');
  });
});
