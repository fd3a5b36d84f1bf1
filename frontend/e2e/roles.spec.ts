import { expect, test } from '@playwright/test';
import { horizontalOverflow, signInAs, unique } from './helpers';
import { AdminApi, SEGMENTS } from './seed';

/** Scenario 3: the dashboard follows the roles — a legal reviewer sees no Pause. */
test('a legal user sees no Pause button', async ({ page }) => {
  const api = new AdminApi();
  const name = unique('Newsletter');
  const campaign = await api.createCampaign({ name, segments: [SEGMENTS.newsletter] });
  await api.send(campaign.id);
  await api.waitForCampaign(campaign.id, (c) => c.status === 'sending' || c.status === 'sent');

  await signInAs(page, 'lee');
  await expect(page.getByRole('banner')).toContainText('legal');
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row.getByText(/Sending|Sent|At SendGrid, stoppable/)).toBeVisible();
  await expect(page.getByRole('button', { name: /pause/i })).toHaveCount(0);

  await row.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Where the messages are' })).toContainText('in the audience');
  await expect(page.getByRole('button', { name: /pause|resume|cancel/i })).toHaveCount(0);
});

test('the campaigns page works at phone width', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, 'mara');
  await expect(page.getByRole('heading', { level: 1, name: 'Campaigns' })).toBeVisible();
  await expect(page.getByRole('rowheader').first()).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
});

test('an incident page works at phone width and at 1280 × 800', async ({ page }) => {
  const api = new AdminApi();
  const name = unique('Phone check');
  const campaign = await api.createCampaign({ name, segments: [SEGMENTS.newsletter] });
  await api.send(campaign.id);
  await api.waitForCampaign(campaign.id, (c) => c.status === 'sending' || c.status === 'sent');
  const { incident_id } = await api.request<{ incident_id: string }>('POST', `/api/v1/campaigns/${campaign.id}/pause`, {
    reason: 'Checking the layout',
  });

  await signInAs(page, 'mara');
  await page.goto(`/incidents/${incident_id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Checking the layout' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Timeline' })).toContainText('Opened the incident');
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('list', { name: 'Response steps' })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Add a task' })).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: test.info().outputPath('incident-390.png'), fullPage: true });

  // Keyboard: the first control after the skip link is reachable and visibly focused.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
});
