import { expect, test, type Page } from '@playwright/test';
import { users } from './env';
import { saveScreenshot } from './helpers';

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('the sign-in page logs no error and no 401, and has no empty band at its top', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  const refused: string[] = [];
  page.on('response', (res) => {
    if (res.status() >= 400) refused.push(`${res.status()} ${new URL(res.url()).pathname}`);
  });

  await page.goto('/campaigns');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Email')).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(refused, 'answers of 400 and above while signed out').toEqual([]);
  expect(errors, 'console errors on the sign-in page').toEqual([]);

  // One background from the top of the page down: no coloured strip above the card.
  const background = await page.locator('.login-page').evaluate((el) => getComputedStyle(el).backgroundImage);
  expect(background).toBe('none');
  await saveScreenshot(page, 'login.png');
});

test('sign in, stay signed in across a reload, sign out', async ({ page }) => {
  const { mara } = users;

  // A protected page without a session goes to the sign-in page.
  await page.goto('/campaigns');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // Wrong password: the server's message is on screen, we are still on the form.
  await signIn(page, mara.email, 'definitely-not-the-password');
  const alert = page.getByRole('alert');
  await expect(alert).toBeVisible();
  await expect(alert).toHaveAttribute('data-error-code', 'invalid_credentials');
  await expect(alert).not.toBeEmpty();
  await expect(page).toHaveURL(/\/login$/);

  // Right password: the shell, on the page first asked for.
  await signIn(page, mara.email, mara.password);
  await expect(page).toHaveURL(/\/campaigns$/);
  const header = page.getByRole('banner');
  await expect(header).toContainText('Firebreak');
  await expect(header).toContainText('Mara Marketer');
  await expect(header).toContainText('marketer');
  await expect(page.getByText('No campaigns yet')).toBeVisible();

  // A reload keeps the session (cookie + GET /api/v1/me); the server serves the SPA route.
  await page.reload();
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(header).toContainText('Mara Marketer');
  await expect(page.getByText('No campaigns yet')).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
  await expect(page).toHaveURL(/\/incidents$/);
  await expect(page.getByText('No incidents — all quiet')).toBeVisible();

  // Sign out (DELETE with the CSRF token from /me after the reload).
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // The session really ended on the server: a fresh load is signed out.
  await page.goto('/incidents');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel('Email')).toBeVisible();
});

test('a legal reviewer sees their role', async ({ page }) => {
  const { lee } = users;
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, lee.email, lee.password);

  await expect(page).toHaveURL(/\/campaigns$/);
  const header = page.getByRole('banner');
  await expect(header).toContainText('Lee Legal');
  await expect(header).toContainText('legal');
});

test('the sign-in page works at phone width', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/login');
  await signIn(page, users.mara.email, users.mara.password);

  await expect(page.getByRole('banner')).toContainText('Mara Marketer');
  await expect(page.getByRole('link', { name: 'Incidents' })).toBeVisible();
  // Nothing sticks out sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
