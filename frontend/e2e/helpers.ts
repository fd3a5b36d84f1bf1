import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { screenshotDir, users } from './env';

export async function signInAs(page: Page, who: keyof typeof users) {
  const user = users[who];
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner')).toContainText(user.name);
}

/** Saves a screenshot: for the README under docs/screenshots/ with SCREENSHOTS=1 (`make screenshots`), else under test-results/screenshots. */
export async function saveScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, name), fullPage: options.fullPage ?? false, animations: 'disabled' });
}

/** A name no earlier run of the same database can have used. */
export function unique(name: string): string {
  return `${name} ${Date.now().toString(36).slice(-4)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Tomorrow at hh:mm local time: the value for a datetime-local input, and how the dashboard shows it. */
export function tomorrowAt(hhmm: string): { input: string; shown: string } {
  const d = new Date(Date.now() + 24 * 3600 * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    input: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${hhmm}`,
    shown: `${d.getDate()} ${MONTHS[d.getMonth()]} ${hhmm}`,
  };
}

/** How far the page sticks out sideways (0 or less: it fits). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/**
 * Marks the current document and counts main-frame navigations from now on.
 * The returned check fails if the page was reloaded or navigated since, so a
 * spec can show that something appeared live, without a reload.
 */
export async function watchForReload(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  return async () => {
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(navigations).toBe(0);
  };
}
