import { expect, test, type Locator, type Page } from '@playwright/test';
import { saveScreenshot, signInAs, unique } from './helpers';
import { AdminApi, SEGMENTS } from './seed';
import type { users } from './env';

/**
 * Issue 13: a breach notice goes out only once legal and security, two people
 * neither of them its author, approved the exact text. Mara drafts it from the
 * data-breach runbook's template and fills the [EDIT: …] parts the preflight
 * flags; Lee (legal) rejects it with a reason; Mara fixes it and resubmits; Lee
 * sees what changed and approves; Sam (security) approves; Mara sends; the
 * incident's timeline has every step.
 */

/** What each [EDIT: …] of the template becomes; the DPO starts vague, for legal to reject. */
function filled(marker: string): string {
  if (/kinds of personal data/.test(marker)) return 'Your name, your email address and your order number.';
  if (/what we have done/.test(marker)) return 'We disabled the links in the email and fixed the cause.';
  if (/data protection officer/.test(marker)) return 'Our data protection officer can help.';
  return 'Our order confirmation email showed another customer their details.';
}

const DPO = 'You can reach our data protection officer, Dana Reyes, at dpo@acme-outdoor.example or +1 503 555 0100.';

/**
 * Replaces the HTML and text bodies with `edit` of what is saved. The saved text is
 * read through the API: CodeMirror renders only the lines in view, so the editor's
 * innerText of a long notice is not the whole document.
 */
async function rewriteBodies(page: Page, api: AdminApi, composer: Locator, incidentId: string, edit: (text: string) => string) {
  const [c] = await api.request<{ html: string; text: string }[]>('GET', `/api/v1/incidents/${incidentId}/communications`);
  for (const [name, body] of [['HTML body', c!.html], ['Text body', c!.text]] as const) {
    await composer.getByRole('textbox', { name }).click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(edit(body));
  }
}

async function switchTo(page: Page, who: keyof typeof users) {
  await page.context().clearCookies();
  await signInAs(page, who);
}

test('legal rejects a breach notice, the marketer fixes it, legal and security approve it, and it is sent', async ({ page }) => {
  test.setTimeout(180_000);
  const api = new AdminApi();
  const campaign = await api.createCampaign({ name: unique('Order confirmations'), segments: [SEGMENTS.newsletter] });
  await api.send(campaign.id);
  await api.waitForCampaign(campaign.id, (c) => c.counts.audience > 0 && c.counts.handed_to_esp === c.counts.audience);
  const incident = await api.request<{ id: string }>('POST', '/api/v1/incidents', {
    campaign_id: campaign.id,
    runbook: 'data-breach',
    summary: 'Order confirmations showed another customer’s name and address',
  });

  // Mara drafts the notice from the template and fills what the preflight says is unfinished.
  await signInAs(page, 'mara');
  await page.goto(`/incidents/${incident.id}`);
  const step5 = page.getByRole('region', { name: '5 · Communicate' });
  await step5.getByRole('button', { name: 'New breach notice' }).click();
  const composer = step5.getByRole('form', { name: 'Breach notice composer' });
  await expect(composer.getByLabel('Subject', { exact: true })).toHaveValue('Notice of Data Breach');
  await expect(composer.getByRole('region', { name: 'Review' })).toContainText('Needs approval by legal and security');
  await expect(composer.getByRole('button', { name: 'Send…' })).toHaveCount(0);
  await composer.getByRole('button', { name: 'Check' }).click();
  const bodyProblems = composer.getByRole('list', { name: 'Problems with the body' });
  await expect(bodyProblems.locator('[data-code="unfinished_draft"]')).toContainText('[EDIT:');
  await rewriteBodies(page, api, composer, incident.id, (t) => t.replace(/\[EDIT:[^\]]*\]/g, filled));
  await composer.getByRole('button', { name: 'Save draft' }).click();
  await expect(composer.getByRole('status').filter({ hasText: /The check found (no problems|only warnings)/ })).toBeVisible();
  await composer.getByRole('button', { name: 'Submit for review' }).click();
  await expect(composer.getByText('Waiting for legal and security.')).toBeVisible();

  // Lee finds it in Reviews and rejects it with a reason.
  await switchTo(page, 'lee');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: /^Reviews\s*\d+\s*waiting$/ })).toBeVisible();
  await nav.getByRole('link', { name: /^Reviews/ }).click();
  const queue = page.getByRole('table', { name: 'Waiting for review' });
  const row = queue.getByRole('row').filter({ hasText: 'Order confirmations showed another customer’s name and address' });
  await expect(row).toContainText('Breach notice');
  await expect(row).toContainText('by Mara Marketer');
  await expect(row).toContainText(/waiting \d+ (s|min)/);
  await expect(row).toContainText(/72 h to the regulator: 7[01] h left/);
  await saveScreenshot(page, 'reviews.png');
  await row.getByRole('link', { name: 'Notice of Data Breach' }).click();
  await expect(page.getByRole('heading', { name: 'Review: Notice of Data Breach' })).toBeVisible();
  await expect(page.getByText(/You have not approved or rejected this notice before/)).toBeVisible();
  await expect(page.frameLocator('iframe[title="Email preview at desktop width"]').locator('body')).toContainText('What Happened');
  const decide = page.getByRole('group', { name: 'Your decision' });
  await expect(decide.getByRole('button', { name: 'Reject' })).toBeDisabled();
  await decide.getByLabel('Reason for rejecting (required)').fill('Name the data protection officer and how to reach them.');
  await decide.getByRole('button', { name: 'Reject' }).click();
  await expect(page.getByRole('alert', { name: 'Rejected' })).toContainText('Name the data protection officer');

  // Mara sees the reason, fixes the text and resubmits.
  await switchTo(page, 'mara');
  await page.goto(`/incidents/${incident.id}`);
  await expect(composer.getByRole('alert', { name: 'Rejected' })).toContainText(
    /Rejected by Lee Legal \(legal\), .*: Name the data protection officer and how to reach them\./,
  );
  await rewriteBodies(page, api, composer, incident.id, (t) => t.replace('Our data protection officer can help.', DPO));
  await composer.getByRole('button', { name: 'Save draft' }).click();
  await expect(composer.getByRole('status').filter({ hasText: /The check found (no problems|only warnings)/ })).toBeVisible();
  await composer.getByRole('button', { name: 'Submit for review' }).click();
  await expect(composer.getByText('Waiting for legal and security.')).toBeVisible();

  // Lee sees exactly what changed since the rejection, and approves.
  await switchTo(page, 'lee');
  await page.goto('/reviews');
  await page.getByRole('table', { name: 'Waiting for review' }).getByRole('row').filter({ hasText: 'Order confirmations showed another' })
    .getByRole('link', { name: 'Notice of Data Breach' }).click();
  const changes = page.getByRole('region', { name: 'What changed since you last saw it' });
  await expect(changes).toContainText('Since you rejected it');
  await expect(changes).toContainText('Subject: unchanged');
  const textDiff = changes.getByRole('figure', { name: 'Changes to the text part' });
  await expect(textDiff.locator('[data-op="removed"]')).toContainText('Our data protection officer can help.');
  await expect(textDiff.locator('[data-op="added"]')).toContainText('Dana Reyes');
  await page.setViewportSize({ width: 1280, height: 1300 });
  await saveScreenshot(page, 'review.png');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('group', { name: 'Your decision' }).getByLabel('Comment (optional)').fill('The DPO is named now.');
  await page.getByRole('group', { name: 'Your decision' }).getByRole('button', { name: 'Approve this text' }).click();
  await expect(page.getByRole('group', { name: 'Approvals' })).toContainText('Approved by Lee Legal (you) (legal)');
  await expect(page.getByRole('group', { name: 'Approvals' })).toContainText('Still needed: security');

  // Sam approves for security.
  await switchTo(page, 'sam');
  await page.goto('/reviews');
  await page.getByRole('table', { name: 'Waiting for review' }).getByRole('row').filter({ hasText: 'Order confirmations showed another' })
    .getByRole('link', { name: 'Notice of Data Breach' }).click();
  await page.getByRole('group', { name: 'Your decision' }).getByRole('button', { name: 'Approve this text' }).click();
  await expect(page.getByRole('note').filter({ hasText: 'Every required role approved this text' })).toBeVisible();

  // Mara sends it.
  await switchTo(page, 'mara');
  await page.goto(`/incidents/${incident.id}`);
  await expect(composer.getByText('Approved: it can be sent.')).toBeVisible();
  await expect(composer.getByRole('group', { name: 'Approvals' })).toContainText('Approved by Lee Legal (legal)');
  await expect(composer.getByRole('group', { name: 'Approvals' })).toContainText('Approved by Sam Security (security)');
  await composer.getByRole('button', { name: 'Send…' }).click();
  await page.getByRole('dialog', { name: /^Send to \d+ (person|people)\?$/ }).getByRole('button', { name: 'Send now' }).click();
  const progress = step5.getByRole('group', { name: 'Send progress' });
  await expect(progress).toContainText(/(\d+) of \1 handed over/, { timeout: 30_000 });

  // The timeline has it all, with who did it.
  const timeline = page.getByRole('region', { name: 'Timeline' });
  for (const [actor, what] of [
    ['mara@example.com', 'Submitted the breach notice for review by legal and security'],
    ['lee@example.com', 'Rejected the breach notice as legal: “Name the data protection officer and how to reach them.”'],
    ['lee@example.com', 'Approved the breach notice as legal: “The DPO is named now.”'],
    ['sam@example.com', 'Approved the breach notice as security'],
    ['sam@example.com', 'The breach notice is approved by every required role'],
    ['mara@example.com', 'Sent the breach notice'],
  ] as const) {
    await expect(timeline.getByRole('listitem').filter({ hasText: what }).filter({ hasText: actor }).first()).toBeVisible();
  }
});
