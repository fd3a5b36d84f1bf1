import { expect, test, type Locator, type Page } from '@playwright/test';
import { saveScreenshot, signInAs, unique } from './helpers';
import { AdminApi, SEGMENTS } from './seed';

/**
 * Issue 16, one vocabulary for a message's life: at each stage of a campaign
 * (draft, handed over with its send buffer ahead, paused, delivered, and its
 * incident resolved) the campaign page and the incident page say the same
 * thing in the same words, and no two things on either contradict:
 *   - every recipient is in exactly one stage ("Where the messages are"), and
 *     the stages add up to the audience shown above them;
 *   - "can still be held" appears only while some are stoppable, never next to
 *     messages SendGrid already holds, and never once all are delivered;
 *   - the badge says "Sent" only once nothing can be stopped;
 *   - the old pair ("Possibly received" next to "Delivered") is gone.
 */

interface Stages {
  audience: number;
  stages: Record<string, number>;
  text: string;
}

/** Reads "Where the messages are" inside `scope`: the audience above and each stage's count. */
async function readStages(scope: Locator): Promise<Stages> {
  const list = scope.getByLabel('Where the messages are');
  await expect(list).toBeVisible();
  const total = await scope.locator('.stages-total strong').first().textContent();
  const stages: Record<string, number> = {};
  for (const stage of await list.locator('[data-stage]').all()) {
    const key = (await stage.getAttribute('data-stage'))!;
    expect(stages[key], `stage ${key} is shown once`).toBeUndefined();
    stages[key] = Number((await stage.locator('strong').textContent())!.replace(/,/g, ''));
  }
  return { audience: Number(total!.replace(/,/g, '')), stages, text: (await scope.textContent()) ?? '' };
}

/** The checks that hold at every stage, on any page showing the messages. */
function noContradiction(s: Stages, badge?: string) {
  const sum = Object.values(s.stages).reduce((a, b) => a + b, 0);
  expect(sum, `the stages ${JSON.stringify(s.stages)} add up to the audience`).toBe(s.audience);
  const stoppable = s.stages.stoppable ?? 0;
  if (/can still be held/.test(s.text)) expect(stoppable, '"can still be held" only while some are stoppable').toBeGreaterThan(0);
  if ((s.stages.held_at_sendgrid ?? 0) > 0) expect(s.text).not.toContain('can still be held');
  if (badge === 'Sent') expect(stoppable, 'a "Sent" campaign has nothing stoppable').toBe(0);
  expect(s.text).not.toContain('Possibly received');
}

async function campaignPage(page: Page, id: string, name: string) {
  await page.goto(`/campaigns/${id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const badge = (await page.locator('.incident-meta .badge').first().textContent())!.trim();
  const where = page.getByRole('region', { name: 'Where the messages are' });
  const s = await readStages(where);
  noContradiction(s, badge);
  // What recipients did never repeats a stage's number under another name.
  const did = page.getByRole('region', { name: 'What recipients did' });
  for (const word of ['Delivered', 'Held', 'Handed to SendGrid', 'Possibly received']) {
    await expect(did.getByText(word, { exact: true })).toHaveCount(0);
  }
  return { badge, ...s };
}

async function incidentPage(page: Page, id: string) {
  await page.goto(`/incidents/${id}`);
  const stop = page.getByRole('region', { name: '2 · Stop the fire' });
  const s = await readStages(stop);
  noContradiction(s);
  return s;
}

test('a campaign and its incident speak one vocabulary at every stage of its messages', async ({ page }) => {
  test.setTimeout(150_000);
  const api = new AdminApi();
  await signInAs(page, 'mara');

  // Draft: no stages yet, and the subject reads as people see it (no raw braces).
  const name = unique('Vocabulary sale');
  const sale = await api.createCampaign({ name, segments: [SEGMENTS.vocab] });
  await page.goto(`/campaigns/${sale.id}`);
  await expect(page.locator('.incident-meta .badge')).toHaveText('Draft');
  await expect(page.getByRole('region', { name: 'Where the messages are' })).toHaveCount(0);
  await expect(page.getByText(/audience 0/i)).toHaveCount(0);

  // Sent with the default 15-minute send buffer: everything is at SendGrid and stoppable, so not "Sent".
  await api.send(sale.id);
  await api.waitForCampaign(sale.id, (c) => c.counts.audience > 0 && c.counts.handed_to_esp === c.counts.audience);
  const handed = await campaignPage(page, sale.id, name);
  expect(handed.badge).toBe('At SendGrid, stoppable');
  expect(handed.stages).toEqual({ stoppable: 40 });
  expect(handed.text).toMatch(/40 messages can still be held until \d\d:\d\d/);
  await expect(page.locator('.page-header')).toContainText('Subject:');
  await expect(page.locator('.page-header')).not.toContainText('{{');

  // Paused: SendGrid holds all 40; nothing is offered as "can still be held" any more.
  const { incident_id: incident } = await api.request<{ incident_id: string }>('POST', `/api/v1/campaigns/${sale.id}/pause`, {
    reason: `${name}: wrong segment`,
  });
  await api.waitForCampaign(sale.id, (c) => c.esp_pause.state === 'paused');
  const paused = await campaignPage(page, sale.id, name);
  expect(paused.badge).toBe('Paused');
  expect(paused.stages).toEqual({ held_at_sendgrid: 40 });
  expect(paused.text).toContain('SendGrid holds 40 messages');
  await saveScreenshot(page, 'campaign-messages.png');
  const pausedIncident = await incidentPage(page, incident);
  expect(pausedIncident.stages).toEqual(paused.stages);

  // Resolved: the incident page still says what it said, not "can still be held until …".
  await api.request('POST', `/api/v1/incidents/${incident}/resolve`, {
    reason: 'Held in time at SendGrid; the campaign stays paused',
    summary: 'Nothing reached the wrong segment.',
  });
  const resolved = await incidentPage(page, incident);
  await expect(page.locator('.incident-meta')).toContainText(/Resolved/);
  expect(resolved.stages).toEqual({ held_at_sendgrid: 40 });

  // Delivered: a second send of the same segment without a buffer; once SendGrid has reported on every message the
  // badge says Sent, every message has an outcome, and nothing is stoppable.
  const later = unique('Vocabulary follow-up');
  const now = await api.createCampaign({ name: later, segments: [SEGMENTS.vocab], send_buffer_seconds: 0 });
  await api.send(now.id);
  await expect
    .poll(
      async () => {
        const c = await api.request<{ messages: Record<string, number> }>('GET', `/api/v1/campaigns/${now.id}`);
        return c.messages.delivered + c.messages.not_delivered > 0 && c.messages.unstoppable + c.messages.not_handed === 0;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  const delivered = await campaignPage(page, now.id, later);
  expect(delivered.badge).toBe('Sent');
  expect(Object.keys(delivered.stages).every((k) => k === 'delivered' || k === 'not_delivered')).toBe(true);
  expect(delivered.text).not.toContain('stoppable');
  const declared = await api.request<{ id: string }>('POST', '/api/v1/incidents', {
    campaign_id: now.id,
    runbook: 'triage',
    summary: `${later}: checking the follow-up`,
  });
  const deliveredIncident = await incidentPage(page, declared.id);
  expect(deliveredIncident.stages).toEqual(delivered.stages);
});
