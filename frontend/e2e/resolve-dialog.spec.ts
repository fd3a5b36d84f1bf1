import { expect, test } from '@playwright/test';
import { saveScreenshot, signInAs, unique } from './helpers';
import { AdminApi, SEGMENTS } from './seed';

/**
 * Issue 16, resolving with work still open: an incident with an open legal
 * task and a campaign still paused. The resolve dialog lists the tasks (the
 * legal clock marked), the unfinished steps and the paused campaign (which
 * resolving leaves paused), wants a closing summary, and the report's summary
 * ends with it.
 */
test('the resolve dialog lists the open tasks and the paused campaign, and the closing summary reaches the report', async ({ page }) => {
  test.setTimeout(90_000);
  const api = new AdminApi();
  const name = unique('Resolve sale');
  const sale = await api.createCampaign({ name, segments: [SEGMENTS.newsletter] });
  await api.send(sale.id);
  await api.waitForCampaign(sale.id, (c) => c.counts.audience > 0 && c.counts.handed_to_esp === c.counts.audience);
  const paused = await api.request<{ incident_id: string }>('POST', `/api/v1/campaigns/${sale.id}/pause`, {
    reason: `${name}: wrong price`,
  });
  const incident = paused.incident_id;
  const people = await api.request<{ id: string; email: string }[]>('GET', '/api/v1/people');
  const id = (email: string) => people.find((p) => p.email === email)!.id;
  await api.request('POST', `/api/v1/incidents/${incident}/owner`, { owner_id: id('mara@example.com'), reason: 'Mara runs the sale' });
  const in72h = new Date(Date.now() + 72 * 3600 * 1000).toISOString();
  await api.request('POST', `/api/v1/incidents/${incident}/tasks`, {
    title: 'Notify the supervisory authority',
    kind: 'legal',
    owner_id: id('lee@example.com'),
    due_at: in72h,
  });
  await api.request('POST', `/api/v1/incidents/${incident}/tasks`, { title: 'Answer the support tickets', kind: 'communication' });

  await signInAs(page, 'mara');
  await page.goto(`/incidents/${incident}`);
  await page.getByRole('region', { name: 'Resolve' }).getByRole('button', { name: 'Resolve incident' }).click();
  const dialog = page.getByRole('dialog', { name: 'Resolve this incident?' });

  const tasks = dialog.getByRole('list', { name: 'Open tasks' });
  // Ours and the two the triage runbook seeded; the legal one first.
  await expect(tasks.getByRole('listitem')).toHaveCount(4);
  const legal = tasks.getByRole('listitem', { name: 'Notify the supervisory authority' });
  await expect(legal).toContainText('Lee Legal');
  await expect(legal).toContainText(/Legal clock: 7[01]:\d\d:\d\d left/);
  await expect(legal).toHaveClass(/resolve-task--legal/);
  await expect(tasks.getByRole('listitem').first()).toHaveAccessibleName('Notify the supervisory authority');
  await expect(tasks.getByRole('listitem', { name: 'Answer the support tickets' })).toContainText('unassigned · no due date');
  await expect(dialog.getByRole('list', { name: 'Steps not finished' })).toContainText('Assess');
  await expect(dialog.getByRole('note', { name: 'Campaign' })).toHaveText(
    `The campaign ${name} is still paused: resolving leaves it paused. Resume or cancel it from the campaign page.`,
  );
  await saveScreenshot(page, 'resolve-dialog.png');

  // Nothing resolves without a closing summary (and, with steps unfinished, a reason).
  const confirm = dialog.getByRole('button', { name: 'Resolve', exact: true });
  await dialog.getByLabel('Reason').fill('The price is corrected; legal keeps the regulator task');
  await expect(confirm).toBeDisabled();
  const closing = 'Price corrected on the site; legal notifies the authority, support answers the tickets.';
  await dialog.getByLabel('Closing summary').fill(closing);
  await confirm.click();
  await expect(page.getByRole('status').filter({ hasText: 'The record below stays as it was' })).toBeVisible();

  // The campaign is still paused, as the dialog said.
  expect((await api.campaign(sale.id)).status).toBe('paused');

  await page.getByRole('link', { name: 'Report' }).click();
  const summary = page.getByRole('region', { name: 'Summary' });
  await expect(summary).toContainText(`Closing summary: ${closing}`);
});
