import { expect, test } from '@playwright/test';
import { signInAs, unique } from './helpers';
import { AdminApi, SEGMENTS } from './seed';

/**
 * Issue 16, incidents written for people: a marketer declares an incident from
 * the campaign page (runbook and title), lands on it, posts a note, and sees it
 * on the timeline under her name, the time to the second on hover.
 */
test('declare an incident from a campaign page and post a note on its timeline', async ({ page }) => {
  test.setTimeout(60_000);
  const api = new AdminApi();
  const name = unique('Notes sale');
  const campaign = await api.createCampaign({ name, segments: [SEGMENTS.newsletter] });
  await api.send(campaign.id);

  await signInAs(page, 'mara');
  await page.goto(`/campaigns/${campaign.id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await page.getByRole('button', { name: 'Declare incident' }).click();
  const dialog = page.getByRole('dialog', { name: `Declare an incident on ${name}` });
  await dialog.getByLabel('Runbook').selectOption({ label: 'Sent to the wrong segment' });
  const summary = `${name} went to the newsletter readers`;
  await dialog.getByLabel('What happened').fill(summary);
  await dialog.getByRole('button', { name: 'Declare incident' }).click();

  await expect(page).toHaveURL(/\/incidents\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: summary })).toBeVisible();

  const timeline = page.getByRole('region', { name: 'Timeline' });
  const text = 'Called the newsletter team; they are checking the segment filter';
  await timeline.getByRole('textbox', { name: 'Add a note' }).fill(text);
  await timeline.getByRole('button', { name: 'Post note' }).click();
  await expect(timeline.getByRole('textbox', { name: 'Add a note' })).toHaveValue('');

  const entry = timeline.getByRole('listitem').filter({ hasText: text });
  await expect(entry).toBeVisible();
  await expect(entry).toContainText('Mara Marketer');
  await expect(entry.locator('.timeline-actor-email')).toHaveText('mara@example.com');
  await expect(entry.locator('time')).toHaveAttribute('title', /^\d{1,2} \w{3} \d{4}, \d\d:\d\d:\d\d$/);
  // The address is on one line, never broken mid-word.
  const lines = await entry.locator('.timeline-actor-email').evaluate((el) => {
    const r = el.getBoundingClientRect();
    return Math.round(r.height / parseFloat(getComputedStyle(el).lineHeight || '16'));
  });
  expect(lines).toBeLessThanOrEqual(1);
  // The declaration itself is a sentence with her name too.
  const opened = timeline.getByRole('listitem').filter({ hasText: 'Opened the incident from the dashboard' });
  await expect(opened).toContainText('Mara Marketer');
  await expect(opened).toContainText(summary);
});
