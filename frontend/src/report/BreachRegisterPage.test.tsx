import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { BreachRecord } from '../api/types';
import { installFakeApi } from '../test/fakeApi';
import { legalUser } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { legalPermissions, marketerSession } from '../test/sessions';

const legalWithRegister = {
  status: 200,
  body: { user: legalUser, permissions: [...legalPermissions, 'breach.register'], csrf_token: 'csrf-from-me' },
};

const record: BreachRecord = {
  incident_id: 'i9',
  campaign_id: 'c9',
  detected_at: '2030-06-03T14:20:00Z',
  status: 'resolved',
  summary: 'Order emails showed another customer’s address',
  data_categories: ['name', 'postal_address'],
  subjects: 1234,
  effects: 'Names and addresses seen by other customers',
  remedial_action: 'Template fixed; notice sent',
  notified: true,
  decision: 'Notifiable: risk to the people concerned',
  decided_at: '2030-06-04T09:00:00Z',
  decided_by: 'lee@example.com',
  resolved_at: '2030-06-05T09:00:00Z',
};

describe('BreachRegisterPage', () => {
  it('lists every data-breach incident for legal, with the CSV download, linked from the incidents list', async () => {
    installFakeApi({ 'GET /api/v1/me': legalWithRegister, 'GET /api/v1/breach-register': { status: 200, body: [record] } });
    const { user } = renderApp('/incidents');
    await user.click(await screen.findByRole('link', { name: 'Breach register' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Breach register' })).toBeInTheDocument();
    const row = await screen.findByRole('row', { name: /another customer’s address/ });
    expect(row).toHaveTextContent('name, postal address');
    expect(row).toHaveTextContent('1,234');
    expect(row).toHaveTextContent('Yes: a breach notice was sent');
    expect(row).toHaveTextContent('Notifiable: risk to the people concerned');
    expect(row).toHaveTextContent('lee@example.com');
    expect(within(row).getByRole('link')).toHaveAttribute('href', '/incidents/i9');
    expect(screen.getByRole('link', { name: 'Download CSV' })).toHaveAttribute('href', '/api/v1/breach-register?format=csv');
  });

  it('offers a marketer neither the link nor the register, and does not ask the server', async () => {
    const fake = installFakeApi({ 'GET /api/v1/me': marketerSession });
    renderApp('/incidents');
    await screen.findByRole('heading', { level: 1, name: 'Incidents' });
    expect(screen.queryByRole('link', { name: 'Breach register' })).not.toBeInTheDocument();

    renderApp('/breach-register');
    expect(await screen.findByRole('note')).toHaveTextContent('Only legal and admins can read the breach register.');
    expect(screen.queryByRole('link', { name: 'Download CSV' })).not.toBeInTheDocument();
    expect(fake.requestsTo('GET /api/v1/breach-register')).toHaveLength(0);
  });
});
