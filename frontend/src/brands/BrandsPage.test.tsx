import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Brand, BrandPatch } from '../api/types';
import { apiError, installFakeApi, type Reply } from '../test/fakeApi';
import { brand } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';
import { adminSession } from '../test/stepSixSessions';

const acme = brand();
const trail = brand({
  id: 'b2',
  name: 'Trail Co',
  from_email: 'hi@trail.example',
  second_review: { enabled: true, audience_over: 5000, mentions: ['codes'] },
  second_review_active: 'on',
});
const peak = brand({ id: 'b3', name: 'Peak Gear', from_email: 'news@peak.example', second_review_active: 'watch_window' });

function page(session: Reply, extra: Record<string, Reply> = {}) {
  const fake = installFakeApi({
    'GET /api/v1/me': session,
    'GET /api/v1/brands': { status: 200, body: [acme, peak, trail] },
    ...extra,
  });
  return { fake, ...renderApp('/brands') };
}

const row = async (name: string) => (await screen.findByRole('rowheader', { name: new RegExp(name) })).closest('tr')!;

describe('BrandsPage', () => {
  it('is in the navigation for admins only', async () => {
    page(adminSession);
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Brands' })).toHaveAttribute('href', '/brands');
  });

  it('is not in a marketer’s navigation, who reads the states without an Edit', async () => {
    page(marketerSession);
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Brands' })).not.toBeInTheDocument();
    expect(await row('Acme Outdoor')).toHaveTextContent('Off');
    expect(screen.queryByRole('button', { name: /Edit/ })).not.toBeInTheDocument();
  });

  it('lists each brand with what applies now: Off, On with its rule, On — watch window', async () => {
    page(adminSession);
    const a = await row('Acme Outdoor');
    expect(within(a).getByText('Off')).toBeInTheDocument();
    const t = await row('Trail Co');
    expect(within(t).getByText('On')).toBeInTheDocument();
    expect(t).toHaveTextContent('audience over 5,000, or mentions codes');
    const p = await row('Peak Gear');
    expect(within(p).getByText('On — watch window')).toBeInTheDocument();
    expect(p).toHaveTextContent('audience over 10,000, or mentions prices, codes or attachments (the defaults, while watched after an incident)');
  });

  it('lets an admin turn it on with a threshold and mentions, and sends exactly that', async () => {
    const { user, fake } = page(adminSession, {
      'PATCH /api/v1/brands/b1': (req) => {
        const patch = req.body as BrandPatch;
        const saved: Brand = { ...acme, second_review: patch.second_review!, second_review_active: 'on' };
        fake.on('GET /api/v1/brands', { status: 200, body: [saved, peak, trail] });
        return { status: 200, body: saved };
      },
    });
    await user.click(within(await row('Acme Outdoor')).getByRole('button', { name: 'Edit the second pair of eyes for Acme Outdoor' }));
    const form = screen.getByRole('form', { name: 'Second pair of eyes for Acme Outdoor' });
    await user.click(within(form).getByRole('checkbox', { name: /Drafts need a second marketer’s approval/ }));
    const threshold = within(form).getByLabelText('When the audience is over (recipients)');
    await user.clear(threshold);
    await user.type(threshold, '2500');
    await user.click(within(form).getByRole('checkbox', { name: /Codes/ }));
    await user.click(within(form).getByRole('button', { name: 'Save' }));

    expect(fake.requestsTo('PATCH /api/v1/brands/b1')[0]?.body).toEqual({
      second_review: { enabled: true, audience_over: 2500, mentions: ['prices', 'attachments'] },
    });
    expect(await screen.findByRole('status')).toHaveTextContent('Saved: the second pair of eyes for Acme Outdoor is on.');
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
    const a = await row('Acme Outdoor');
    expect(within(a).getByText('On')).toBeInTheDocument();
    expect(a).toHaveTextContent('audience over 2,500, or mentions prices or attachments');
  });

  it('turns it off again, keeping the rule for later', async () => {
    const { user, fake } = page(adminSession, {
      'PATCH /api/v1/brands/b2': { status: 200, body: { ...trail, second_review: { ...trail.second_review, enabled: false }, second_review_active: 'off' } },
    });
    await user.click(within(await row('Trail Co')).getByRole('button', { name: /Edit/ }));
    const form = screen.getByRole('form', { name: 'Second pair of eyes for Trail Co' });
    expect(within(form).getByLabelText('When the audience is over (recipients)')).toHaveValue(5000);
    expect(within(form).getByRole('checkbox', { name: /Codes/ })).toBeChecked();
    expect(within(form).getByRole('checkbox', { name: /Prices/ })).not.toBeChecked();
    await user.click(within(form).getByRole('checkbox', { name: /Drafts need a second marketer’s approval/ }));
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(fake.requestsTo('PATCH /api/v1/brands/b2')[0]?.body).toEqual({
      second_review: { enabled: false, audience_over: 5000, mentions: ['codes'] },
    });
  });

  it('says a brand in a watch window gets the defaults whatever is set', async () => {
    const { user } = page(adminSession);
    await user.click(within(await row('Peak Gear')).getByRole('button', { name: /Edit/ }));
    const form = screen.getByRole('form', { name: 'Second pair of eyes for Peak Gear' });
    expect(form).toHaveTextContent('Peak Gear is watched after an incident: until the watch ends');
  });

  it('refuses a threshold that is not a whole number without asking the server', async () => {
    const { user, fake } = page(adminSession);
    await user.click(within(await row('Acme Outdoor')).getByRole('button', { name: /Edit/ }));
    const form = screen.getByRole('form', { name: 'Second pair of eyes for Acme Outdoor' });
    const threshold = within(form).getByLabelText('When the audience is over (recipients)');
    await user.clear(threshold);
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(threshold).toHaveAttribute('aria-invalid', 'true');
    expect(threshold).toHaveAccessibleDescription(/Enter a whole number of recipients, 0 or more\./);
    expect(fake.requestsTo('PATCH /api/v1/brands/b1')).toHaveLength(0);
  });

  it('shows the server’s refusal next to the field and keeps the form', async () => {
    const { user } = page(adminSession, {
      'PATCH /api/v1/brands/b1': apiError(422, 'validation_failed', 'The request has invalid fields.', {
        fields: { 'second_review.audience_over': 'must be at most 10000000' },
      }),
    });
    await user.click(within(await row('Acme Outdoor')).getByRole('button', { name: /Edit/ }));
    const form = screen.getByRole('form', { name: 'Second pair of eyes for Acme Outdoor' });
    const threshold = within(form).getByLabelText('When the audience is over (recipients)');
    await user.clear(threshold);
    await user.type(threshold, '99999999');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('Not saved: The request has invalid fields.');
    expect(threshold).toHaveAccessibleDescription(/must be at most 10000000/);
    expect(threshold).toHaveValue(99999999);
  });
});
