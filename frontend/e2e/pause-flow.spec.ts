import { expect, test } from '@playwright/test';
import { saveScreenshot, signInAs, tomorrowAt } from './helpers';
import { AdminApi, SEGMENTS } from './seed';

/**
 * Scenario 1: a marketer stops a bad campaign in two clicks and follows the
 * incident through steps 1–4 (marking Assess done on screen) to resolution.
 */
test('a marketer pauses a sending campaign in two clicks and works the incident to resolution', async ({ page }) => {
  test.setTimeout(120_000);
  const api = new AdminApi();

  // A campaign mid-send: handed to SendGrid with the default 15-minute buffer,
  // so SendGrid can still hold every message. A draft keeps it company.
  const sale = await api.createCampaign({ name: 'Spring sale: 20% off tents', segments: [SEGMENTS.springSale, SEGMENTS.vip] });
  await api.createCampaign({ name: 'Autumn teaser', segments: [SEGMENTS.newsletter] });
  await api.send(sale.id);
  await api.waitForCampaign(sale.id, (c) => c.counts.audience > 0 && c.counts.handed_to_esp === c.counts.audience);

  await signInAs(page, 'mara');
  await expect(page).toHaveURL(/\/campaigns$/);
  const row = page.getByRole('row').filter({ hasText: sale.name });
  await expect(row).toContainText('70'); // audience: 60 spring-sale + 10 vip-only
  await expect(row.getByText(/Sending|Sent|At SendGrid, stoppable/)).toBeVisible();
  await saveScreenshot(page, 'campaigns.png');

  // Click 1: Pause. The dialog says what can still be held and asks why.
  await row.getByRole('button', { name: `Pause ${sale.name}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`Pause “${sale.name}”?`);
  await expect(dialog).toContainText(/70 messages can still be held until \d\d:\d\d\./);
  await expect(dialog.getByLabel('Reason')).toBeFocused();
  await dialog.getByLabel('Reason').fill('Wrong price in the subject line');
  await saveScreenshot(page, 'pause-dialog.png');

  // Click 2: Confirm. Both planes, where every message is now, the incident.
  const started = Date.now();
  await dialog.getByRole('button', { name: 'Confirm pause' }).click();
  await expect(dialog).toContainText(`Paused “${sale.name}”`);
  expect(Date.now() - started).toBeLessThan(5_000);
  await expect(dialog).toContainText(/Paused in Firebreak at \d\d:\d\d:\d\d/);
  await expect(dialog).toContainText(/Paused at SendGrid at \d\d:\d\d:\d\d/);
  // All 70 were handed over with the send buffer ahead of them: SendGrid holds every one, and
  // nothing already held is offered again as "can still be held".
  await expect(dialog.getByLabel('Where the messages are').locator('[data-stage]')).toHaveCount(1);
  await expect(dialog.locator('[data-stage="held_at_sendgrid"] strong')).toHaveText('70');
  await expect(dialog).toContainText('SendGrid holds 70 messages');
  await expect(dialog).not.toContainText('can still be held');
  await expect(row.getByText('Paused')).toBeVisible();

  await dialog.getByRole('link', { name: 'Open the incident' }).click();
  await expect(page).toHaveURL(/\/incidents\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Wrong price in the subject line');

  // Step 1: the pause made Mara the owner and acknowledged it; steps 1–2 are done.
  const own = page.getByRole('region', { name: '1 · Own it' });
  await expect(own).toContainText('Owner: Mara Marketer (you)');
  await expect(own).toContainText(/acknowledged \d\d:\d\d/);
  const strip = page.getByRole('list', { name: 'Response steps' });
  await expect(strip.getByRole('listitem').nth(0)).toContainText('Done');
  await expect(strip.getByRole('listitem').nth(1)).toContainText('Done');
  await expect(strip.locator('[aria-current="step"]')).toContainText('Assess');
  await expect(strip.getByRole('listitem').nth(4)).toContainText('To do');
  await expect(strip.getByRole('listitem').nth(5)).toContainText('To do');
  await expect(page.getByRole('region', { name: '2 · Stop the fire' })).toContainText('Paused at SendGrid');
  await expect(page.getByRole('region', { name: /Checklist for step 3/ })).toContainText('blast radius');

  // Step 3: the assessment — totals and the per-segment table.
  const assess = page.getByRole('region', { name: '3 · Assess' });
  await assess.getByRole('button', { name: 'Run assessment' }).click();
  const totals = assess.getByLabel('Assessment totals');
  await expect(totals).toContainText('Targeted70');
  await expect(totals).toContainText('Held70');
  const table = assess.getByRole('table');
  await expect(table.getByRole('row').filter({ hasText: 'spring-sale' })).toContainText('60');
  await expect(table.getByRole('row').filter({ hasText: 'vip' })).toContainText('30');
  await expect(table.getByRole('row').filter({ hasText: 'All recipients' })).toContainText('70');
  await assess.getByLabel('Cause').fill('The subject line said 70% instead of 20%');
  await assess.getByRole('checkbox', { name: 'email address' }).check();
  await assess.getByRole('button', { name: 'Save' }).click();
  await expect(assess.getByText('Saved.')).toBeVisible();

  // Step 3 is done: marked on screen, the strip moves on to Plan.
  const checklist = page.getByRole('region', { name: 'Checklist for step 3: Assess' });
  await checklist.getByRole('button', { name: 'Mark step done' }).click();
  await expect(strip.locator('[aria-current="step"]')).toContainText('Plan');
  await expect(strip.getByRole('listitem').nth(2)).toContainText(/Done \d\d:\d\d/);
  await expect(page.getByRole('region', { name: 'Checklist for step 4: Plan' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Timeline' })).toContainText('Completed step “Assess”');

  // Step 4: a task with an owner and a due date.
  const plan = page.getByRole('region', { name: '4 · Plan' });
  const form = plan.getByRole('form', { name: 'Add a task' });
  await form.getByLabel('Task').fill('Send the corrected price to support');
  await form.getByLabel('Kind').selectOption('communication');
  await expect(form.getByLabel('Owner')).toHaveValue(/[0-9a-f-]{36}/); // me
  const due = tomorrowAt('09:30');
  await form.getByLabel('Due').fill(due.input);
  await form.getByRole('button', { name: 'Add task' }).click();
  const task = plan.getByRole('listitem', { name: 'Send the corrected price to support' });
  await expect(task).toContainText(`Due ${due.shown}`);
  await expect(task.getByLabel('Owner')).toHaveValue(/[0-9a-f-]{36}/);
  await expect(task.getByLabel('Owner').locator('option:checked')).toHaveText('Me (Mara Marketer)');
  await expect(page.getByRole('region', { name: 'Timeline' })).toContainText('Computed the assessment');

  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, 'incident.png', { fullPage: true });

  // Resolve, with confirmation; steps 4–6 are unfinished, so the API wants a reason.
  await page.getByRole('region', { name: 'Resolve' }).getByRole('button', { name: 'Resolve incident' }).click();
  const resolveDialog = page.getByRole('dialog', { name: 'Resolve this incident?' });
  await resolveDialog.getByLabel('Reason').fill('Price corrected; support answers the follow-ups');
  await resolveDialog.getByLabel('Closing summary').fill('Price corrected on the site');
  await resolveDialog.getByRole('button', { name: 'Resolve' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Resolved/ })).toBeVisible();
  await expect(page.locator('.incident-meta')).toContainText('Resolved');
  await expect(plan.getByRole('form', { name: 'Add a task' })).toHaveCount(0);
});
