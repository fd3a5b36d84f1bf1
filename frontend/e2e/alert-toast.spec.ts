import { expect, test } from '@playwright/test';
import { saveScreenshot, signInAs, unique, watchForReload } from './helpers';
import { AdminApi, SEGMENTS } from './seed';

/**
 * Issue 16: signed in on the campaigns page, Mara (a marketer, whom the
 * deliverability-spike runbook pages) is told of an incident the webhook opens
 * — a toast linking to it and a count in the tab's title — without navigating.
 * The campaign trips the rule as in webhook-incident.spec.ts.
 */
test('an alert toast for a webhook-opened incident', async ({ page }) => {
  test.setTimeout(90_000);
  const api = new AdminApi();

  await signInAs(page, 'mara');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Campaigns' })).toBeVisible();
  await expect(page).toHaveTitle('Campaigns · Firebreak');
  const noReload = await watchForReload(page);

  const name = unique('Alert sale');
  const campaign = await api.createCampaign({ name, segments: [SEGMENTS.spike], send_buffer_seconds: 0 });
  await api.send(campaign.id);

  const toast = page.getByRole('region', { name: 'Incident alerts' }).getByRole('alert').filter({ hasText: name });
  await expect(toast).toBeVisible({ timeout: 45_000 });
  await expect(toast).toContainText(/New sev\d incident · nobody owns it yet/);
  const link = toast.getByRole('link', { name: /^(Complaints|Hard bounces|Drops) at \d+\.\d\d % on / });
  await expect(link).toContainText(name);
  await expect(page).toHaveTitle(/^\(\d+\) Campaigns · Firebreak$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Campaigns' })).toBeVisible();
  await noReload();
  await saveScreenshot(page, 'alert-toast.png');

  // The link opens the incident, and reading it clears its alert from the title.
  const before = Number((await page.title()).match(/^\((\d+)\)/)![1]);
  await link.click();
  await expect(page.getByRole('heading', { level: 1, name: /^(Complaints|Hard bounces|Drops) at .+ — paused$/ })).toBeVisible();
  await expect(toast).toHaveCount(0);
  await expect(page).toHaveTitle(new RegExp(`^${before > 1 ? `\\(${before - 1}\\) ` : ''}(Complaints|Hard bounces|Drops) at .+ · Firebreak$`));
});
