import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AudienceEstimate } from '../api/types';
import { setEditorText } from '../test/codeEditor';
import { apiError, installFakeApi, type RecordedRequest } from '../test/fakeApi';
import { brand, draftCampaign } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

const segments = [
  { name: 'spring-sale', members: 2000 },
  { name: 'vip', members: 400 },
  { name: 'newsletter', members: 30 },
];

/** GET /api/v1/audience: the asked segments, 12 of their members suppressed. */
function audience(req: RecordedRequest) {
  const asked = new URL(req.path, 'http://localhost').searchParams.getAll('segment');
  const members = asked.reduce((n, s) => n + (segments.find((x) => x.name === s)?.members ?? 0), 0) - (asked.length > 1 ? 48 : 0);
  const body: AudienceEstimate = {
    segments: asked.map((s) => segments.find((x) => x.name === s) ?? { name: s, members: 0 }),
    members,
    suppressed: 12,
    audience: members - 12,
  };
  return { status: 200, body };
}

function page(session = marketerSession) {
  const fake = installFakeApi({
    'GET /api/v1/me': session,
    'GET /api/v1/brands': { status: 200, body: [brand(), brand({ id: 'b2', name: 'Acme Kids', reply_to: '' })] },
    'GET /api/v1/segments': { status: 200, body: segments },
    'GET /api/v1/audience': audience,
  });
  return { fake, ...renderApp('/campaigns') };
}

describe('New campaign', () => {
  it('is offered on the campaigns page to those who may create campaigns', async () => {
    const { user } = page();
    await user.click(await screen.findByRole('link', { name: 'New campaign' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'New campaign' })).toBeInTheDocument();
  });

  it('offers no New campaign to a legal reviewer', async () => {
    page(legalSession);
    expect(await screen.findByText('No campaigns yet')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New campaign' })).not.toBeInTheDocument();
  });

  it('shows the segments with their sizes and the live audience minus suppressions', async () => {
    const { user, fake } = page();
    await user.click(await screen.findByRole('link', { name: 'New campaign' }));
    const form = await screen.findByRole('form', { name: 'New campaign' });
    const picker = within(form).getByRole('group', { name: 'Segments' });
    expect(await within(picker).findByRole('checkbox', { name: 'spring-sale · 2,000 members' })).not.toBeChecked();
    expect(within(picker).getByRole('checkbox', { name: 'vip · 400 members' })).toBeInTheDocument();
    expect(within(picker).getByRole('status')).toHaveTextContent('Choose at least one segment.');
    expect(fake.requestsTo('GET /api/v1/audience')).toHaveLength(0);

    await user.click(within(picker).getByRole('checkbox', { name: /^spring-sale/ }));
    await user.click(within(picker).getByRole('checkbox', { name: /^vip/ }));
    await waitFor(() => expect(within(picker).getByRole('status')).toHaveTextContent('2,340 recipients (12 suppressed left out)'));
    expect(fake.requestsTo('GET /api/v1/audience').at(-1)?.path).toBe('/api/v1/audience?segment=spring-sale&segment=vip');
    expect(picker).toHaveAccessibleDescription(/2,340 recipients/);
  });

  it('says what the send buffer and the canary mean, in words, as they change', async () => {
    const { user } = page();
    await user.click(await screen.findByRole('link', { name: 'New campaign' }));
    const form = await screen.findByRole('form', { name: 'New campaign' });
    const buffer = within(form).getByLabelText('Send buffer (minutes)');
    expect(buffer).toHaveValue(15);
    expect(buffer).toHaveAccessibleDescription(
      'SendGrid gets each message 15 min before it goes: a pause within the first 5 min still holds it there.',
    );
    await user.clear(buffer);
    await user.type(buffer, '0');
    expect(buffer).toHaveAccessibleDescription('Sent at once: a pause cannot hold anything at SendGrid.');
    await user.clear(buffer);
    await user.type(buffer, '30');
    expect(buffer).toHaveAccessibleDescription(/30 min before it goes: a pause within the first 20 min still holds it there/);

    const canary = within(form).getByLabelText('Canary (% of the audience first)');
    expect(canary).toHaveAccessibleDescription('No canary: the whole audience is handed over in one go.');
    expect(within(form).getByLabelText('Canary hold (minutes)')).toBeDisabled();
    await user.click(within(form).getByRole('checkbox', { name: /^spring-sale/ }));
    await user.clear(canary);
    await user.type(canary, '10');
    await waitFor(() =>
      expect(canary).toHaveAccessibleDescription(
        "10 % of the audience (about 199 recipients) goes first; the rest waits until the canary's messages have gone out and 1 h more, and goes only if the campaign has not been paused by then.",
      ),
    );
  });

  it('creates the draft with what was entered and opens its page; a refusal is shown next to its field', async () => {
    const { user, fake } = page();
    const created = draftCampaign({ id: 'c9', name: 'Summer sale', subject: 'Hi {{first_name|Friend}}', segments: ['vip'] });
    fake.on('POST /api/v1/campaigns', apiError(422, 'validation_failed', 'Some fields are not valid; see details.fields.', { fields: { name: 'is longer than 200 characters' } }));
    fake.on('GET /api/v1/campaigns/c9', { status: 200, body: created });
    fake.on('POST /api/v1/campaigns/c9/preflight', { status: 200, body: { ok: true, audience: 388, problems: [] } });
    fake.on('GET /api/v1/campaigns/c9/preview', { status: 503, body: { error: { code: 'x', message: 'later', details: {} } } });

    await user.click(await screen.findByRole('link', { name: 'New campaign' }));
    const form = await screen.findByRole('form', { name: 'New campaign' });
    const brandSelect = within(form).getByLabelText('Brand');
    await within(brandSelect).findByRole('option', { name: 'Acme Kids' });
    await user.selectOptions(brandSelect, 'Acme Outdoor');
    expect(within(form).getByText(/replies to help@acme\.example/)).toBeInTheDocument();
    await user.type(within(form).getByLabelText('Name'), 'Summer sale');
    await user.click(within(form).getByRole('checkbox', { name: /^vip/ }));
    await user.type(within(form).getByLabelText('Subject'), 'Hi {{{{first_name|Friend}}');
    await setEditorText(form, 'HTML body', '<p>Hi {{first_name|Friend}}</p>');
    await setEditorText(form, 'Text body', 'Hi {{first_name|Friend}}');
    await user.clear(within(form).getByLabelText('Unsubscribe group'));
    await user.type(within(form).getByLabelText('Unsubscribe group'), '42');
    await user.click(within(form).getByRole('button', { name: 'Create draft' }));

    expect(fake.requestsTo('POST /api/v1/campaigns')[0]?.body).toEqual({
      name: 'Summer sale',
      brand_id: 'b1',
      subject: 'Hi {{first_name|Friend}}',
      html: '<p>Hi {{first_name|Friend}}</p>',
      text: 'Hi {{first_name|Friend}}',
      segments: ['vip'],
      send_buffer_seconds: 900,
      canary_percent: 0,
      asm_group_id: 42,
    });
    const name = within(form).getByLabelText('Name');
    expect(await within(form).findByText('is longer than 200 characters')).toBeInTheDocument();
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveAccessibleDescription('is longer than 200 characters');

    fake.on('POST /api/v1/campaigns', { status: 201, body: created });
    await user.click(within(form).getByRole('button', { name: 'Create draft' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Summer sale' })).toBeInTheDocument();
    expect(await screen.findByRole('form', { name: 'Campaign draft' })).toBeInTheDocument();
  });
});
