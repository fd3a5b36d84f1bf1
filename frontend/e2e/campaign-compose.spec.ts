import { expect, test } from '@playwright/test';
import { saveScreenshot, signInAs, unique } from './helpers';
import { AdminApi } from './seed';

const FIRST_NAMES = ['Ann', 'Ben', 'Cy', 'Dee', 'Eve'];

/**
 * Issue 14, the whole campaign in the dashboard: a marketer creates a campaign
 * (brand, segment with its live audience, content, the send buffer in words),
 * previews it as a chosen recipient, meets a preflight problem next to the
 * editor ({{first_name}} without a fallback, and one recipient has no first
 * name), fixes it, sends it after a confirmation with the audience size,
 * pauses it, corrects the price through "Fix content", resumes, and sees what
 * was withdrawn and re-sent. The send buffer is 15 min, so everything handed
 * over is still held at SendGrid when the pause lands: N > 0.
 */
test('a marketer composes, previews, fixes, sends, pauses, corrects and resumes a campaign', async ({ page }) => {
  test.setTimeout(150_000);
  const api = new AdminApi();
  const tag = Date.now().toString(36).slice(-4);
  const segment = `compose-${tag}`;
  const brandName = `Trailhead ${tag}`;
  const name = unique('Summer tents');

  // Seeded through the API: a brand, 40 recipients in a segment of their own (c007 has no
  // first name), and one of them suppressed (left out of the audience: 39 remain).
  await api.request('POST', '/api/v1/brands', {
    name: brandName,
    from_email: `news-${tag}@trailhead.example`,
    from_name: 'Trailhead Outfitters',
    reply_to: `help-${tag}@trailhead.example`,
    primary_color: '#2f5d50',
    physical_address: '9 Ridge Road, Boulder, CO',
  });
  const rows = ['email,first_name,last_name,segments'];
  for (let i = 0; i < 40; i++) {
    const n = String(i).padStart(3, '0');
    rows.push(`c${n}-${tag}@compose.example,${i === 7 ? '' : FIRST_NAMES[i % FIRST_NAMES.length]},Doe,${segment}`);
  }
  const imported = await api.request<{ imported: number; rejected: unknown[] }>(
    'POST',
    '/api/v1/recipients/import',
    `${rows.join('\n')}\n`,
    'text/csv',
  );
  expect(imported.rejected).toEqual([]);
  await api.request('POST', '/api/v1/suppressions', { email: `c039-${tag}@compose.example`, kind: 'manual', reason: 'e2e: asked to be left out' });

  await signInAs(page, 'mara');
  await page.getByRole('link', { name: 'New campaign' }).click();
  await expect(page).toHaveURL(/\/campaigns\/new$/);
  const form = page.getByRole('form', { name: 'New campaign' });

  // Brand, name, the segment with its size and the live audience minus suppressions.
  await form.getByLabel('Brand', { exact: true }).selectOption({ label: brandName });
  await expect(form).toContainText(`replies to help-${tag}@trailhead.example`);
  await form.getByLabel('Name', { exact: true }).fill(name);
  const picker = form.getByRole('group', { name: 'Segments' });
  await picker.getByRole('checkbox', { name: `${segment} · 40 members` }).check();
  await expect(picker.getByRole('status')).toHaveText('39 recipients (1 suppressed left out)');

  // The content, in step 5's editor; the HTML greets without a fallback (the planted problem).
  await form.getByLabel('Subject', { exact: true }).fill('Our tents are $19.99 this weekend');
  const html = form.getByRole('textbox', { name: 'HTML body' });
  await html.click();
  await page.keyboard.insertText('<p>Hi {{first_name}},</p><p>Every tent is $19.99 this weekend only.</p>');
  const text = form.getByRole('textbox', { name: 'Text body' });
  await text.click();
  await page.keyboard.insertText('Hi {{first_name|there}}, every tent is $19.99 this weekend only.');

  // The send buffer, in words: 15 min, so a pause in the first 5 min still holds everything at SendGrid.
  const buffer = form.getByLabel('Send buffer (minutes)');
  await expect(buffer).toHaveValue('15');
  await expect(form).toContainText('SendGrid gets each message 15 min before it goes: a pause within the first 5 min still holds it there.');
  await expect(form).toContainText('No canary: the whole audience is handed over in one go.');
  await form.getByRole('button', { name: 'Create draft' }).click();

  // The draft's page: the preflight's problem next to the HTML editor, Send off.
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaignId = page.url().split('/').pop()!;
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  const draft = page.getByRole('form', { name: 'Campaign draft' });
  const htmlProblems = draft.getByRole('list', { name: 'Problems with the HTML body' });
  const tagProblem = htmlProblems.locator('[data-code="unresolved_merge_tag"]');
  await expect(tagProblem).toContainText('{{first_name}} is empty for 1 recipient and');
  await expect(tagProblem).toContainText('Touches 1 recipient');
  await expect(tagProblem).toContainText(`c007-${tag}@compose.example`);
  await expect(draft.getByRole('textbox', { name: 'HTML body' })).toHaveAttribute('aria-invalid', 'true');
  await expect(draft.getByRole('list', { name: 'Problems with the subject' })).toHaveCount(0);
  await expect(draft.getByRole('button', { name: 'Send…' })).toBeDisabled();
  await page.setViewportSize({ width: 1280, height: 1500 });
  await draft.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await saveScreenshot(page, 'campaign-composer.png');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The preview, as a chosen recipient: merge tags resolved, never raw.
  const preview = page.getByRole('region', { name: /^Preview/ }).getByRole('group', { name: 'Preview' });
  await preview.getByLabel('Show it as').selectOption({ label: `c006-${tag}@compose.example` });
  await expect(preview).toContainText(`Exactly what c006-${tag}@compose.example would receive`);
  await expect(preview.getByLabel('Text part')).toContainText('Hi Ben, every tent is $19.99');
  const desktop = page.frameLocator('iframe[title="Email preview at desktop width"]');
  await expect(desktop.locator('body')).toContainText('Hi Ben,');
  await expect(desktop.locator('body')).not.toContainText('{{');
  await preview.getByRole('button', { name: 'Phone' }).click();
  expect((await preview.locator('iframe[title="Email preview at phone width"]').boundingBox())?.width).toBe(375);

  // Fix it: a fallback for the greeting. Saved, checked again: the problem is gone, Send is on.
  const draftHtml = draft.getByRole('textbox', { name: 'HTML body' });
  await draftHtml.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText('<p>Hi {{first_name|there}},</p><p>Every tent is $19.99 this weekend only.</p>');
  await draft.getByRole('button', { name: 'Save draft' }).click();
  await expect(draft.getByRole('status').filter({ hasText: 'The check found no problems: it can be sent to 39 recipients.' })).toBeVisible();
  await expect(draft.getByRole('list', { name: 'Problems with the HTML body' })).toHaveCount(0);

  // A test to the signed-in marketer.
  await draft.getByRole('button', { name: 'Send test to me' }).click();
  await expect(draft.getByRole('status').filter({ hasText: 'Test sent to mara@example.com.' })).toBeVisible();

  // Send, after the confirmation that states the audience size.
  await draft.getByRole('button', { name: 'Send…' }).click();
  const sendDialog = page.getByRole('dialog', { name: 'Send to 39 recipients?' });
  await sendDialog.getByRole('button', { name: 'Send now' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await api.waitForCampaign(campaignId, (c) => c.counts.audience === 39 && c.counts.handed_to_esp === 39);

  // Pause it: the wrong price.
  await page.getByRole('button', { name: 'Pause' }).click();
  const pauseDialog = page.getByRole('dialog', { name: `Pause “${name}”?` });
  await pauseDialog.getByLabel('Reason').fill('Wrong price: tents are $199.99');
  await pauseDialog.getByRole('button', { name: 'Confirm pause' }).click();
  const paused = page.getByRole('dialog', { name: `Paused “${name}”` });
  await expect(paused).toContainText(/Paused at SendGrid at \d\d:\d\d:\d\d/);
  await paused.getByRole('button', { name: 'Close' }).click();

  // Fix content before Resume: the price in the HTML.
  const actions = page.locator('.action-bar').filter({ has: page.getByRole('button', { name: 'Resume' }) });
  await expect(actions.getByRole('button')).toHaveText(['Fix content', 'Resume', 'Cancel campaign']);
  await actions.getByRole('button', { name: 'Fix content' }).click();
  const fix = page.getByRole('form', { name: 'Fix content' });
  const fixHtml = fix.getByRole('textbox', { name: 'HTML body' });
  await expect(fixHtml).toContainText('$19.99');
  const corrected = (await fixHtml.innerText()).replace('$19.99', '$199.99');
  await fixHtml.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(corrected);
  await fix.getByRole('button', { name: 'Save correction' }).click();
  await expect(fix.getByRole('status').filter({ hasText: 'The corrected content passes the check.' })).toBeVisible();
  await expect(page.getByRole('note').filter({ hasText: 'Corrected content waiting' })).toContainText('the HTML body');

  // Resume: the dialog says what will be withdrawn and re-sent, from the server's numbers.
  await actions.getByRole('button', { name: 'Resume' }).click();
  const resume = page.getByRole('dialog', { name: `Resume “${name}” with the corrected content?` });
  const outcome = resume.getByRole('list', { name: 'What resuming does' });
  const withdraw = outcome.locator('[data-outcome="withdraw"]');
  // All 39 were handed over with send_at 15 min out and the pause came at once: SendGrid holds every one.
  await expect(withdraw).toContainText(/^\s*39 messages SendGrid is holding will be withdrawn and re-sent with the corrected content;/);
  await expect(outcome.locator('[data-outcome="hand_over"]')).toContainText(/^\s*0 not yet handed over will get the corrected content/);
  await expect(outcome.locator('[data-outcome="not_resent"]')).toContainText(/^\s*0 who possibly received the old version get nothing more/);
  await expect(outcome.getByRole('link', { name: 'the incident' })).toHaveAttribute('href', /\/incidents\/[0-9a-f-]{36}$/);
  await saveScreenshot(page, 'fix-resume.png');
  await resume.getByRole('button', { name: 'Withdraw and resume' }).click();
  await expect(resume).toHaveCount(0);

  // What was withdrawn at SendGrid and handed over again with the corrected price.
  const withdrawn = page.locator('strong').filter({ hasText: /^\d[\d,]* withdrawn and re-sent$/ });
  await expect(withdrawn).toHaveText('39 withdrawn and re-sent', { timeout: 30_000 });
  const after = await api.waitForCampaign(campaignId, (c) => c.status === 'sent' && c.counts.withdrawn === 39);
  expect(after.counts.handed_to_esp).toBe(39);
  await expect(page.getByRole('button', { name: 'Fix content' })).toHaveCount(0);
});
