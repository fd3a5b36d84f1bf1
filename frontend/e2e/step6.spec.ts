import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { baseURL, simKeyFile, simURL } from './env';
import { saveScreenshot, signInAs, watchForReload } from './helpers';
import { AdminApi } from './seed';

/**
 * Step 6, proceed with caution: a brand with a month of history (7 sends,
 * over 1,000 delivered: enough for a baseline, so the simulator's 15 % hard
 * bounces are the brand's normal, not an alert) has an incident; the owner
 * resolves it in the dashboard and step 6 watches, with the baseline charts.
 * The brand's next campaign goes out; a complaint spike on it is posted to the
 * webhook, signed with the simulator's key; the monitoring tick (every 30 s)
 * pauses the send and reopens the incident, and the open page shows it
 * without a reload.
 *
 * The e2e simulator hard-bounces 15 % of all mail, so the deliverability
 * rule (hard bounces ≥ 5 % of 200 handed over) pauses the next send by
 * itself, in its own incident, before step 6 judges it; what only step 6
 * does here is the alert and the reopening of the resolved incident (and it
 * would pause the send if the rule had not).
 *
 * The spec uses a brand of its own: the watch window it opens makes the
 * brand's later campaigns cautious (a canary), which must not touch the
 * other specs' brand.
 */
test('resolving starts step 6; a complaint spike on the next send pauses it and reopens the incident, without a reload', async ({ page }) => {
  test.setTimeout(240_000);
  const api = new AdminApi();
  const tag = Date.now().toString(36).slice(-5);
  const brand = await api.request<{ id: string }>('POST', '/api/v1/brands', {
    name: `Summit Gear ${tag}`,
    from_email: 'news@summit-gear.example',
    from_name: 'Summit Gear',
    reply_to: 'help@summit-gear.example',
    primary_color: '#2b4c7e',
    physical_address: '2 Ridge Road, Boulder, CO',
  });

  // Recipients: 7 history segments of 190 (under the 200 the deliverability
  // rules wait for, so none of them opens an incident), the incident's 50,
  // and 3,000 for the next send (a watched brand's new campaign goes out as a
  // 10 % canary: 300, of which over 200 are delivered).
  const history = Array.from({ length: 7 }, (_, i) => `s6-history-${i}-${tag}`);
  const incidentSegment = `s6-incident-${tag}`;
  const nextSegment = `s6-next-${tag}`;
  const rows = ['email,first_name,last_name,segments'];
  history.forEach((seg, i) => {
    for (let j = 0; j < 190; j++) rows.push(`h${i}-${j}-${tag}@example.com,Hana,Doe,${seg}`);
  });
  for (let j = 0; j < 50; j++) rows.push(`i${j}-${tag}@example.com,Ivo,Doe,${incidentSegment}`);
  for (let j = 0; j < 3000; j++) rows.push(`x${j}-${tag}@example.com,Xia,Doe,${nextSegment}`);
  const imported = await api.request<{ rejected: unknown[] }>('POST', '/api/v1/recipients/import', `${rows.join('\n')}\n`, 'text/csv');
  expect(imported.rejected).toEqual([]);

  const sendNow = async (name: string, segment: string) => {
    const c = await api.createCampaign({ name, segments: [segment], send_buffer_seconds: 0, brand_id: brand.id });
    await api.send(c.id, { keepCaution: true });
    return c;
  };
  /** Until SendGrid's reports of every message are in: the baseline is read when the incident resolves. */
  const settled = (id: string) =>
    api.waitForCampaign(
      id,
      (c) => {
        const n = c.counts as unknown as { audience: number; delivered: number; bounced: number; dropped: number };
        return n.audience > 0 && n.delivered + n.bounced + n.dropped >= n.audience;
      },
      60_000,
    );

  // A month of history (well, a minute of it: the 30 days before the incident).
  const past = await Promise.all(history.map((seg, i) => sendNow(`Summit weekly ${i + 1} ${tag}`, seg)));
  await Promise.all(past.map((c) => settled(c.id)));
  const wrong = await sendNow(`Summit price error ${tag}`, incidentSegment);
  await settled(wrong.id);
  const incident = await api.request<{ id: string }>('POST', '/api/v1/incidents', {
    campaign_id: wrong.id,
    runbook: 'wrong-content',
    summary: `Summit tents at the wrong price ${tag}`,
  });

  // The owner acknowledges and resolves it in the dashboard (steps left open, with a reason).
  await signInAs(page, 'mara');
  await page.goto(`/incidents/${incident.id}`);
  await page.getByRole('region', { name: '1 · Own it' }).getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByRole('region', { name: '1 · Own it' })).toContainText('Owner: Mara Marketer (you)');
  await page.getByRole('region', { name: 'Resolve' }).getByRole('button', { name: 'Resolve incident' }).click();
  const dialog = page.getByRole('dialog', { name: 'Resolve this incident?' });
  await dialog.getByLabel('Reason').fill('Price corrected on the site; the 50 who saw it get the lower price.');
  await dialog.getByLabel('Closing summary').fill('The 50 who saw it get the lower price.');
  await dialog.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The record below stays as it was' })).toBeVisible();

  // Step 6 watches, against a baseline of the 7 sends, with a chart per rate and its threshold.
  const step6 = page.getByRole('region', { name: '6 · Proceed with caution' });
  await expect(step6.getByRole('status')).toContainText(/Watching every send of the brand from .+ to .+ — 6 d 23 h left\./);
  await expect(step6).toContainText(/Baseline of 7 sends, 1,\d{3} delivered, in the 30 days before the incident\./);
  const complaints = step6.getByRole('img', { name: /^Complaint rate: baseline 0\.00 %, now 0\.00 %, threshold 0\.10 %\.$/ });
  await expect(complaints).toBeVisible();
  await expect(complaints.locator('.recharts-reference-line')).toHaveCount(1);
  await expect(step6.getByRole('img', { name: /^Hard bounce rate: baseline \d+\.\d\d %, now 0\.00 %, threshold \d+\.\d\d %\.$/ })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Response steps' }).locator('li').nth(5)).toContainText('Watching');
  await expect(step6).toContainText('No send of the brand in the watch window yet.');

  // From here on, nothing may reload the page.
  const noReload = await watchForReload(page);

  // The brand's next campaign goes out; the page lists it in the window.
  const nextName = `Summit autumn ${tag}`;
  const next = await sendNow(nextName, nextSegment);
  const sends = step6.getByRole('table', { name: 'Sends in the watch window' });
  await expect(sends.getByRole('row', { name: new RegExp(nextName) })).toBeVisible({ timeout: 30_000 });
  const delivered = await waitForDelivered(next.id, 200);
  await setViewportFor(page, step6);
  await saveScreenshot(page, 'step6-monitoring.png');

  // A complaint spike: 12 of those who got it report it as spam (SendGrid's
  // spamreport events, signed with the simulator's key like its own posts).
  await postSignedEvents(
    delivered.slice(0, 12).map((e) => ({
      ...pick(e, ['email', 'sg_message_id', 'firebreak_campaign_id', 'firebreak_recipient_id', 'category']),
      event: 'spamreport',
      timestamp: Math.floor(Date.now() / 1000),
      sg_event_id: `s6-spam-${tag}-${String(e.email)}`,
    })),
  );

  // Within a monitoring tick: the alert, the send paused, the incident open again at step 6.
  const alerts = step6.getByRole('table', { name: 'Step 6 alerts' });
  const alertRow = alerts.getByRole('row', { name: /Complaint rate/ });
  await expect(alertRow).toBeVisible({ timeout: 75_000 });
  await expect(alertRow).toContainText(nextName);
  await expect(alertRow).toContainText('0.10 %');
  // The brand's usual bounces did not alert: the baseline carries them.
  await expect(alerts.getByRole('row', { name: /Hard bounce rate/ })).toHaveCount(0);
  await expect(step6.getByRole('status')).toContainText('A send crossed a threshold');
  await expect(sends.getByRole('row', { name: new RegExp(nextName) })).toContainText('Paused');
  await expect(page.getByRole('status').filter({ hasText: 'The record below stays as it was' })).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Response steps' }).locator('[aria-current="step"]')).toContainText('Proceed with caution');
  await expect(page.getByRole('region', { name: 'Timeline' })).toContainText(
    new RegExp(`Reopened by a step 6 alert: complaint rate of campaign “${nextName}”`),
  );
  await noReload();
  const paused = await api.waitForCampaign(next.id, (c) => c.status === 'paused');
  expect(paused.status).toBe('paused');
  await setViewportFor(page, step6);
  await saveScreenshot(page, 'step6-alert.png');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The report: every part of the postmortem, printable.
  await page.getByRole('link', { name: 'Report', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Report: Summit tents at the wrong price ${tag}` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Step 6: the watch window' })).toContainText(/Complaint rate of campaign “Summit autumn/);
  await expect(page.getByRole('link', { name: 'Download Markdown' })).toHaveAttribute('href', `/api/v1/incidents/${incident.id}/report?format=md`);
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  await saveScreenshot(page, 'report.png', { fullPage: true });
});

/** The simulator's delivered events of a campaign's messages, once at least `min` are in. */
async function waitForDelivered(campaignId: string, min: number): Promise<Record<string, unknown>[]> {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${simURL}/_sim/events?event=delivered`);
    const events = ((await res.json()) as Record<string, unknown>[]).filter((e) => e.firebreak_campaign_id === campaignId);
    if (events.length >= min) return events;
    if (Date.now() > until) throw new Error(`only ${events.length} delivered for campaign ${campaignId}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Posts events to the webhook as SendGrid does: ECDSA P-256 over timestamp + body, with the simulator's key. */
async function postSignedEvents(events: object[]) {
  const body = `${JSON.stringify(events)}\r\n`;
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = sign('sha256', Buffer.from(ts + body), readFileSync(simKeyFile, 'utf8')).toString('base64');
  const res = await fetch(`${baseURL}/webhooks/sendgrid`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Twilio-Email-Event-Webhook-Signature': signature,
      'X-Twilio-Email-Event-Webhook-Timestamp': ts,
    },
    body,
  });
  expect(res.status).toBeLessThan(300);
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

/** Makes the viewport tall enough for the whole step 6 panel and scrolls it to the top. */
async function setViewportFor(page: import('@playwright/test').Page, region: import('@playwright/test').Locator) {
  const box = await region.boundingBox();
  await page.setViewportSize({ width: 1280, height: Math.min(2000, Math.max(800, Math.ceil((box?.height ?? 700) + 80))) });
  await region.evaluate((el) => el.scrollIntoView({ block: 'start' }));
}
