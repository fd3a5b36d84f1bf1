import { expect, test, type Locator } from '@playwright/test';
import { saveScreenshot, signInAs, unique } from './helpers';
import { AdminApi, SEGMENTS } from './seed';

/**
 * Step 5: a marketer apologises to those a wrong-segment mistake reached —
 * drafts from the runbook's template, meets the preflight on a problem the
 * test plants, fixes it, previews desktop and phone, sends, and watches it go.
 * And a stale-suppression-list incident gets no apology (invariant 3).
 */
test('a marketer drafts, checks, previews and sends an apology, and follows its progress', async ({ page }) => {
  test.setTimeout(120_000);
  const api = new AdminApi();
  const campaign = await api.createCampaign({ name: unique('Newsletter to the wrong list'), segments: [SEGMENTS.newsletter] });
  await api.send(campaign.id);
  await api.waitForCampaign(campaign.id, (c) => c.counts.audience > 0 && c.counts.handed_to_esp === c.counts.audience);
  const incident = await api.request<{ id: string }>('POST', '/api/v1/incidents', {
    campaign_id: campaign.id,
    runbook: 'wrong-segment',
    summary: 'The newsletter went to the wrong segment',
  });

  await signInAs(page, 'mara');
  await page.goto(`/incidents/${incident.id}`);
  const step5 = page.getByRole('region', { name: '5 · Communicate' });
  await expect(step5).toContainText('No communication yet.');
  await step5.getByRole('button', { name: 'New apology' }).click();

  // The draft starts from the runbook's template, with the incident's facts in it.
  const composer = step5.getByRole('form', { name: 'Apology composer' });
  await expect(composer.getByLabel('Subject', { exact: true })).toHaveValue(/^Sorry — our email “Newsletter to the wrong list .*” was not meant for you$/);
  const body = composer.getByRole('textbox', { name: 'HTML body' });
  await expect(body).toContainText('We are sorry');
  const audience = composer.getByLabel('Audience');
  await expect(audience).toContainText('Affected30');
  await expect(audience).toContainText('Will receive30');

  // Plant two problems: a joke in the body (typed into CodeMirror) and a no-reply reply-to.
  await body.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(' Oops!');
  await composer.getByLabel('Reply-to', { exact: true }).fill('noreply@acme-outdoor.example');
  await composer.getByRole('button', { name: 'Save draft' }).click();
  const bodyProblems = composer.getByRole('list', { name: 'Problems with the body' });
  await expect(bodyProblems.locator('[data-code="humour"]')).toContainText('Blocks sending');
  // The template left the remedy for the author to write (the incident has none yet).
  await expect(bodyProblems.locator('[data-code="unfinished_draft"]')).toContainText('[EDIT:');
  const replyProblems = composer.getByRole('list', { name: 'Problems with the reply-to' });
  await expect(replyProblems.locator('[data-code="no_reply_address"]')).toBeVisible();
  await expect(composer.getByLabel('Reply-to', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(composer.getByRole('status').filter({ hasText: 'block sending' })).toBeVisible();
  // CodeMirror's own styles apply under the CSP (it uses constructable style sheets).
  await expect(composer.locator('.cm-editor').first()).toHaveCSS('display', 'flex');
  await page.setViewportSize({ width: 1280, height: 1400 });
  await composer.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await saveScreenshot(page, 'communicate-composer.png');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Fix all three and save: the check passes (a brand warning may remain, it does not block).
  // The joke goes, and each part's [EDIT: …] becomes what the company honours.
  const honour = 'The offer in that email still applies to you: we honour it until Sunday.';
  const textBody = composer.getByRole('textbox', { name: 'Text body' });
  for (const editor of [body, textBody]) {
    const fixed = (await editor.innerText()).replace(' Oops!', '').replace(/\[EDIT:[^\]]*\]/g, honour);
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(fixed);
  }
  await composer.getByLabel('Reply-to', { exact: true }).fill('help@acme-outdoor.example');
  await composer.getByRole('button', { name: 'Save draft' }).click();
  await expect(composer.getByRole('status').filter({ hasText: /The check found (no problems|only warnings)/ })).toBeVisible();
  await expect(composer.getByRole('list', { name: 'Problems with the body' })).toHaveCount(0);
  await expect(composer.getByRole('list', { name: 'Problems with the reply-to' })).toHaveCount(0);

  // The preview: the branded email, styled (the CSP-safe frame keeps its inline styles), desktop and phone.
  await composer.getByRole('button', { name: 'Preview' }).click();
  const preview = composer.getByRole('group', { name: 'Preview' });
  await expect(preview).toContainText(/Subject: Sorry — our email/);
  await expect(preview.getByLabel('Text part')).toContainText('We are sorry');
  const desktop = page.frameLocator('iframe[title="Email preview at desktop width"]');
  await expect(desktop.locator('body')).toContainText('We are sorry');
  await expect(desktop.locator('body')).toContainText('Acme Outdoor');
  await expect(desktop.locator('body')).toHaveCSS('background-color', 'rgb(244, 244, 245)');
  await expect(desktop.locator('.fb-container')).toHaveCSS('max-width', '600px');
  await page.setViewportSize({ width: 1280, height: 1100 });
  await preview.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await saveScreenshot(page, 'communicate-preview.png');
  await page.setViewportSize({ width: 1280, height: 800 });
  await preview.getByRole('button', { name: 'Phone' }).click();
  const phone = preview.locator('iframe[title="Email preview at phone width"]');
  expect((await phone.boundingBox())?.width).toBe(375);
  await expect(page.frameLocator('iframe[title="Email preview at phone width"]').locator('body')).toContainText('We are sorry');

  // Send, after the confirmation that says to how many.
  await composer.getByRole('button', { name: 'Send…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send to 30 people?' });
  await dialog.getByRole('button', { name: 'Send now' }).click();
  const progress = step5.getByRole('group', { name: 'Send progress' });
  await expect(progress).toContainText('30 of 30 handed over', { timeout: 30_000 });
  await expect(progress.getByRole('progressbar', { name: 'Handed over' })).toHaveAttribute('value', '30');
  await expect(step5.getByRole('table', { name: 'Communications' })).toContainText(/Apology.*(Sending|Sent).*30 of 30 handed over/);
});

test('a stale-suppression-list incident says why there is no apology, and offers none', async ({ page }) => {
  const api = new AdminApi();
  const campaign = await api.createCampaign({ name: unique('Mailed the stale list'), segments: [SEGMENTS.newsletter] });
  const incident = await api.request<{ id: string }>('POST', '/api/v1/incidents', {
    campaign_id: campaign.id,
    runbook: 'stale-suppression-list',
    summary: 'Unsubscribed people got the newsletter',
  });

  await signInAs(page, 'mara');
  await page.goto(`/incidents/${incident.id}`);
  const step5: Locator = page.getByRole('region', { name: '5 · Communicate' });
  await expect(step5.getByRole('note')).toContainText('No apology for this incident: the list was stale');
  await expect(step5.getByRole('note')).toContainText('only adds complaints');
  await expect(step5.getByRole('button', { name: /^New / })).toHaveCount(0);
});
