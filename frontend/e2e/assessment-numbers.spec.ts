import { expect, test } from '@playwright/test';
import { horizontalOverflow, saveScreenshot, signInAs, unique } from './helpers';
import { AdminApi, SEGMENTS } from './seed';

/**
 * Numbers that never contradict: a campaign to weekend (60 recipients,
 * 20 of them also in weekend-vip) goes out at once and the simulator reports what
 * happened. The campaign page's events chart is drawn from the server's
 * counts over the whole campaign, so its delivered total is the Delivered
 * counter; the assessment lists weekend, the segment the campaign
 * targeted, first, and weekend-vip apart as another membership, with rates, and the
 * table fits a 1,280 px screen.
 */
test('the chart matches the counters, and the assessment lists the targeted segment first with rates', async ({ page }) => {
  test.setTimeout(120_000);
  const api = new AdminApi();
  const campaign = await api.createCampaign({ name: unique('Weekend sale'), segments: [SEGMENTS.weekend], send_buffer_seconds: 0 });
  await api.send(campaign.id);
  // Every message handed over, and SendGrid (the simulator) has reported on each.
  const outcomes = () =>
    api.request<{ counts: { audience: number; handed_to_esp: number; delivered: number; bounced: number; blocked: number; dropped: number } }>(
      'GET',
      `/api/v1/campaigns/${campaign.id}`,
    );
  await expect
    .poll(
      async () => {
        const { counts: c } = await outcomes();
        return c.handed_to_esp === 60 && c.delivered + c.bounced + c.blocked + c.dropped === 60;
      },
      { timeout: 45_000 },
    )
    .toBe(true);

  await signInAs(page, 'mara');
  await page.goto(`/campaigns/${campaign.id}`);
  const delivered = page.getByRole('region', { name: 'Where the messages are' }).locator('[data-stage="delivered"] strong');
  const chart = page.getByRole('region', { name: 'Events over time' }).getByRole('img', { name: /^Outcomes per / });
  const chartDelivered = chart.locator('[data-outcome="delivered"] strong');
  await expect(chartDelivered).toBeVisible();
  // Both are read again every 5 s; once the simulator is done they agree for good.
  await expect
    .poll(async () => (await chartDelivered.textContent()) === (await delivered.textContent()), { timeout: 15_000 })
    .toBe(true);
  const n = Number((await delivered.textContent())!.replace(/,/g, ''));
  expect(n).toBeGreaterThan(0);
  expect(await chartDelivered.textContent()).toBe(n.toLocaleString('en-US'));

  // The incident, and its assessment.
  const incident = await api.request<{ id: string }>('POST', '/api/v1/incidents', {
    campaign_id: campaign.id,
    runbook: 'triage',
    summary: 'Checking who got the weekend sale',
  });
  await page.goto(`/incidents/${incident.id}`);
  const assess = page.getByRole('region', { name: '3 · Assess' });
  await assess.getByRole('button', { name: 'Run assessment' }).click();
  const table = assess.getByRole('table');
  const targeted = table.getByRole('rowgroup', { name: 'Targeted by this campaign' });
  const others = table.getByRole('rowgroup', { name: 'Also a member of' });
  await expect(targeted.getByRole('rowheader')).toHaveText(['weekend']);
  await expect(others.getByRole('rowheader')).toHaveText(['weekend-vip']);
  await expect(others).toContainText('not targeted');
  // Targeted first: the weekend row comes before the weekend-vip row.
  await expect(table.getByRole('rowheader')).toHaveText(['weekend', 'weekend-vip', 'All recipients']);
  const spring = targeted.getByRole('row').filter({ hasText: 'weekend' });
  await expect(spring.getByRole('cell').first()).toHaveText('60');
  await expect(others.getByRole('row').filter({ hasText: 'weekend-vip' }).getByRole('cell').first()).toHaveText('20');
  // Rates under the counts: delivered of those handed over, in percent.
  const deliveredRate = spring.locator('td[data-label="Delivered"] .cell-rate');
  await expect(deliveredRate).toHaveText(`${((n / 60) * 100).toFixed(2)} %`);
  await expect(spring.locator('td[data-label="Complained"] .cell-rate')).toHaveText(/^\d+\.\d\d %$/);

  // It fits a 1,280 px screen: the table does not scroll sideways, Unsubscribed is in view.
  const wrap = assess.locator('.table-wrap');
  expect(await wrap.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await expect(table.getByRole('columnheader', { name: 'Unsubscribed' })).toBeInViewport();
  await table.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'assessment-segments.png');
});
