import { expect, test } from '@playwright/test';
import { signInAs, unique, watchForReload } from './helpers';
import { AdminApi, SEGMENTS } from './seed';

/**
 * Scenario 2: with the incidents page open, a campaign goes out at once
 * (send_buffer_seconds 0) to 320 recipients; the simulator delivers and reports
 * to the webhook, a deliverability rule fires, the campaign is auto-paused and
 * the incident appears on the page by itself — no reload.
 */
test('a webhook-opened incident appears on the incidents page without a reload', async ({ page }) => {
  test.setTimeout(90_000);
  const api = new AdminApi();

  await signInAs(page, 'mara');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Incidents' })).toBeVisible();
  const noReload = await watchForReload(page);

  const name = unique('Flash sale');
  const campaign = await api.createCampaign({ name, segments: [SEGMENTS.spike], send_buffer_seconds: 0 });
  await api.send(campaign.id);

  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toBeVisible({ timeout: 45_000 });
  await expect(row).toContainText('webhook');
  // A title for people; the rule's detail stays as the trigger beside it.
  const title = row.getByRole('link', { name: /^(Complaints|Hard bounces|Drops) at \d+\.\d\d % on / });
  await expect(title).toContainText(name);
  await expect(title).toHaveText(/ — paused$/);
  await expect(row).toContainText(/(complaint|hard-bounce|drop)-spike: .+ ≥ .+ \(\d+ of \d+ .+\)/);
  await expect(row).toContainText('deliverability spike');
  await expect(row).toContainText('Unowned');
  await noReload();

  // The rule paused the campaign on its own.
  const paused = await api.waitForCampaign(campaign.id, (c) => c.status === 'paused');
  expect(paused.status).toBe('paused');

  // Nobody owns it yet: the escalation clock runs until someone acknowledges.
  await title.click();
  await expect(page.getByRole('heading', { level: 1, name: /^(Complaints|Hard bounces|Drops) at .+ — paused$/ })).toBeVisible();
  const own = page.getByRole('region', { name: '1 · Own it' });
  await expect(own).toContainText('Nobody owns this incident yet.');
  await expect(own.getByRole('timer')).toContainText(/Escalates in \d+:\d\d|Acknowledge deadline passed/);
  await expect(page.locator('.incident-meta')).toContainText('from the webhook');
  await own.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(own).toContainText('Owner: Mara Marketer (you)');
  await expect(own.getByRole('timer')).toHaveCount(0);
  await expect(page.getByRole('region', { name: '2 · Stop the fire' })).toContainText('Paused in Firebreak');

  // The campaign page charts what SendGrid reported, minute by minute.
  await page.locator('.incident-meta').getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByRole('region', { name: 'What recipients did' })).toContainText('Hard bounced');
  const chart = page.getByRole('img', { name: /^Outcomes per .+ from .+ to .+: .*delivered/i });
  await expect(chart).toBeVisible();
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open incident' })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('campaign-detail.png'), fullPage: true });
});
