import { expect, test } from '@playwright/test';
import { baseURL } from './env';
import { horizontalOverflow, saveScreenshot, signInAs, unique } from './helpers';

/**
 * Issue 16, admin: /users from the navigation — add a marketer, change their
 * roles, create a token (its secret shown once, and it works), revoke it (and
 * it stops working), disable the user (and they cannot sign in). A marketer
 * has no Users entry.
 */
test('an admin adds a marketer, changes their roles, mints and revokes a token, and disables them', async ({ page }) => {
  const name = unique('Nova Marketer');
  const email = `nova-${Date.now().toString(36)}@example.com`;
  const password = 'e2e-nova-lichen-window-tide';

  await signInAs(page, 'ari');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: /Ari Admin \(you\)/ })).toBeVisible();

  // Add a marketer with a password.
  await page.getByRole('button', { name: 'Add a user' }).click();
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Name').fill(name);
  await expect(form.getByRole('checkbox', { name: /Marketer/ })).toBeChecked();
  await form.getByLabel('Password (optional)').fill(password);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText(`Added ${name} (Marketer).`)).toBeVisible();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(name) }) });
  await expect(row).toContainText('Active');
  const panel = page.getByRole('region', { name });
  await expect(panel).toContainText(email);

  // They can sign in (the API, so this page stays the admin's).
  const signIn = () =>
    fetch(`${baseURL}/api/v1/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  expect((await signIn()).status).toBe(200);

  // Change roles: marketer and legal.
  const roles = panel.getByRole('form', { name: `Roles of ${name}` });
  await expect(roles.getByRole('button', { name: 'Save roles' })).toBeDisabled();
  await roles.getByRole('checkbox', { name: /Legal/ }).check();
  await roles.getByRole('button', { name: 'Save roles' }).click();
  await expect(roles.getByRole('status')).toHaveText(`Saved: ${name} is now Marketer, Legal, from their next request.`);
  await expect(row).toContainText('Marketer, Legal');

  // Create a token: shown once, and it acts as the user.
  const tokens = panel.getByRole('region', { name: 'API tokens' });
  await expect(tokens).toContainText(`No API tokens for ${name}.`);
  await tokens.getByLabel('What it is for').fill('e2e-ci');
  await tokens.getByRole('button', { name: 'Create token' }).click();
  const secretBox = tokens.getByRole('region', { name: `New token “e2e-ci” for ${name}` });
  await expect(secretBox).toContainText('Copy it now: it will not be shown again.');
  const secret = await secretBox.getByLabel('The token').inputValue();
  expect(secret.length).toBeGreaterThan(20);
  const me = () => fetch(`${baseURL}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } });
  const who = await me();
  expect(who.status).toBe(200);
  expect(((await who.json()) as { user: { email: string } }).user.email).toBe(email);
  const tokenRow = tokens.getByRole('row').filter({ hasText: 'e2e-ci' });
  await expect(tokenRow).toContainText('Ari Admin');
  await expect(tokenRow).toContainText('Active');
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await saveScreenshot(page, 'users.png', { fullPage: true });
  await secretBox.getByRole('button', { name: 'Done, I have stored it' }).click();
  await expect(secretBox).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(secret);

  // A reload shows the token, never its secret.
  await page.reload();
  await expect(tokenRow).toContainText('Active');
  await expect(page.locator('body')).not.toContainText(secret);

  // Revoke it: it stops working at once.
  await tokenRow.getByRole('button', { name: 'Revoke token e2e-ci' }).click();
  const revoke = page.getByRole('dialog', { name: 'Revoke token “e2e-ci”?' });
  await expect(revoke).toContainText('is refused from the next request');
  await revoke.getByRole('button', { name: 'Revoke token' }).click();
  await expect(tokens.getByRole('status')).toContainText('Revoked token e2e-ci');
  await expect(tokenRow).toContainText('Revoked');
  expect((await me()).status).toBe(401);

  // Disable the user: the dialog says what it does; afterwards they cannot sign in.
  await panel.getByRole('button', { name: `Disable ${name}` }).click();
  const disable = page.getByRole('dialog', { name: `Disable ${name}?` });
  await expect(disable).toContainText('every session of theirs ends, in every browser');
  await expect(disable).toContainText('they have no active API token to revoke');
  await disable.getByRole('button', { name: `Disable ${name}` }).click();
  await expect(panel.getByRole('status').filter({ hasText: `Disabled ${name}:` })).toBeVisible();
  await expect(row).toContainText('Disabled');
  await expect(panel.getByRole('button', { name: 'Sign out everywhere' })).toBeDisabled();
  await expect(tokens.getByRole('button', { name: 'Create token' })).toBeDisabled();
  const refused = await signIn();
  expect(refused.status).toBe(401);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('account_disabled');

  // The admin cannot disable themselves here, and is told why.
  await page.getByRole('button', { name: 'Manage Ari Admin' }).click();
  const own = page.getByRole('button', { name: 'Disable Ari Admin' });
  await expect(own).toBeDisabled();
  await expect(own).toHaveAttribute('title', /you would be signed out at once/);
});

test('a marketer has no Users entry, and /users says who may use it', async ({ page }) => {
  await signInAs(page, 'mara');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Campaigns' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await page.goto('/users');
  await expect(page.getByRole('note')).toContainText('Only an admin can see and change users and API tokens.');
  await expect(page.getByRole('button', { name: 'Add a user' })).toHaveCount(0);
});
