import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Account, NewAccount } from '../api/types';
import { apiError, installFakeApi, type Reply } from '../test/fakeApi';
import { account, adminUser, legalUser } from '../test/fixtures';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';
import { adminSession } from '../test/stepSixSessions';

const mara = account();
const ada = account({ id: adminUser.id, email: adminUser.email, name: adminUser.name, roles: ['admin'] });
const zap = account({ id: 'u-zap', email: 'zapier@example.com', name: 'Zapier', roles: ['marketer'], has_password: false });
const lee = account({
  id: legalUser.id,
  email: legalUser.email,
  name: legalUser.name,
  roles: ['legal', 'security'],
  disabled: true,
  disabled_at: '2030-06-04T08:30:00Z',
});

function page(session: Reply, extra: Record<string, Reply> = {}, path = '/users') {
  const fake = installFakeApi({
    'GET /api/v1/me': session,
    'GET /api/v1/users': { status: 200, body: [ada, lee, mara, zap] },
    'GET /api/v1/users/u-new/tokens': { status: 200, body: [] },
    ...extra,
  });
  return { fake, ...renderApp(path) };
}

const row = async (name: string) => (await screen.findByRole('rowheader', { name: new RegExp(name) })).closest('tr')!;

describe('UsersPage', () => {
  it('is in an admin’s navigation', async () => {
    page(adminSession);
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Users' })).toHaveAttribute('href', '/users');
  });

  it.each([
    ['marketer', marketerSession],
    ['legal', legalSession],
  ])('is not in a %s’s navigation, and at /users says who may use it without asking the server', async (_, session) => {
    const { fake } = page(session);
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
    expect(await screen.findByRole('note')).toHaveTextContent('Only an admin can see and change users and API tokens.');
    expect(screen.queryByRole('button', { name: 'Add a user' })).not.toBeInTheDocument();
    expect(fake.requestsTo('GET /api/v1/users')).toHaveLength(0);
  });

  it('lists each user with their roles and whether they may sign in', async () => {
    page(adminSession);
    const a = await row('Ada Admin');
    expect(a).toHaveTextContent('Ada Admin (you)');
    expect(a).toHaveTextContent('Admin');
    const m = await row('Mara Marketer');
    expect(m).toHaveTextContent('Marketer');
    expect(within(m).getByText('Active')).toBeInTheDocument();
    expect(m).toHaveTextContent('password');
    expect(await row('Zapier')).toHaveTextContent('API tokens only');
    const l = await row('Lee Legal');
    expect(l).toHaveTextContent('Legal, Security');
    expect(within(l).getByText('Disabled')).toBeInTheDocument();
    expect(l).toHaveTextContent(/since 4 Jun \d\d:30/);
  });

  it('adds a user with exactly what was typed, then opens them', async () => {
    const created: Account = account({ id: 'u-new', email: 'nina@example.com', name: 'Nina New', roles: ['marketer', 'legal'] });
    const { user, fake } = page(adminSession, {
      'POST /api/v1/users': () => {
        fake.on('GET /api/v1/users', { status: 200, body: [ada, lee, mara, created, zap] });
        return { status: 201, body: created };
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Add a user' }));
    const form = screen.getByRole('form', { name: 'Add a user' });
    await user.type(within(form).getByLabelText('Email'), ' nina@example.com ');
    await user.type(within(form).getByLabelText('Name'), 'Nina New');
    await user.click(within(form).getByRole('checkbox', { name: /Legal/ }));
    await user.type(within(form).getByLabelText('Password (optional)'), 'correct-horse-battery');
    await user.click(within(form).getByRole('button', { name: 'Add user' }));

    expect(fake.requestsTo('POST /api/v1/users')[0]?.body).toEqual({
      email: 'nina@example.com',
      name: 'Nina New',
      roles: ['marketer', 'legal'],
      password: 'correct-horse-battery',
    } satisfies NewAccount);
    expect(await screen.findByText(/Added Nina New \(Marketer, Legal\)\./)).toHaveTextContent(
      'They can sign in with the password you set.',
    );
    expect(screen.queryByRole('form', { name: 'Add a user' })).not.toBeInTheDocument();
    expect(await screen.findByRole('region', { name: 'Nina New' })).toHaveTextContent('nina@example.com');
    expect(await row('Nina New')).toBeInTheDocument();
  });

  it('adds a token-only user without a password field in the request', async () => {
    const { user, fake } = page(adminSession, {
      'POST /api/v1/users': { status: 201, body: account({ id: 'u-new', name: 'CI', email: 'ci@example.com', has_password: false }) },
    });
    await user.click(await screen.findByRole('button', { name: 'Add a user' }));
    const form = screen.getByRole('form', { name: 'Add a user' });
    await user.type(within(form).getByLabelText('Email'), 'ci@example.com');
    await user.type(within(form).getByLabelText('Name'), 'CI');
    await user.click(within(form).getByRole('button', { name: 'Add user' }));
    expect(fake.requestsTo('POST /api/v1/users')[0]?.body).toEqual({ email: 'ci@example.com', name: 'CI', roles: ['marketer'] });
    expect(await screen.findByText(/Added CI/)).toHaveTextContent('Without a password they can only use API tokens.');
  });

  it('refuses a short password, no roles and a missing name without asking the server', async () => {
    const { user, fake } = page(adminSession);
    await user.click(await screen.findByRole('button', { name: 'Add a user' }));
    const form = screen.getByRole('form', { name: 'Add a user' });
    await user.type(within(form).getByLabelText('Email'), 'nina@example.com');
    await user.click(within(form).getByRole('checkbox', { name: /Marketer/ }));
    await user.type(within(form).getByLabelText('Password (optional)'), 'short');
    await user.click(within(form).getByRole('button', { name: 'Add user' }));

    expect(within(form).getByLabelText('Name')).toHaveAccessibleDescription('Enter the name colleagues know them by.');
    expect(within(form).getByLabelText('Password (optional)')).toHaveAccessibleDescription(
      /A password has at least 10 characters \(or leave it empty\)\./,
    );
    expect(within(form).getByRole('group', { name: 'Roles' })).toHaveAccessibleDescription('Choose at least one role.');
    expect(fake.requestsTo('POST /api/v1/users')).toHaveLength(0);
  });

  it('puts “email taken” next to the email and keeps everything typed', async () => {
    const { user } = page(adminSession, {
      'POST /api/v1/users': apiError(409, 'email_taken', 'A user with that email address already exists.'),
    });
    await user.click(await screen.findByRole('button', { name: 'Add a user' }));
    const form = screen.getByRole('form', { name: 'Add a user' });
    await user.type(within(form).getByLabelText('Email'), 'mara@example.com');
    await user.type(within(form).getByLabelText('Name'), 'Mara Again');
    await user.click(within(form).getByRole('button', { name: 'Add user' }));
    const email = within(form).getByLabelText('Email');
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(email).toHaveAccessibleDescription('A user with that email address already exists.');
    expect(email).toHaveValue('mara@example.com');
    expect(within(form).getByLabelText('Name')).toHaveValue('Mara Again');
  });

  it('shows the server’s field refusal next to its field', async () => {
    const { user } = page(adminSession, {
      'POST /api/v1/users': apiError(422, 'validation_failed', 'The request has invalid fields.', {
        fields: { name: 'is longer than 200 characters' },
      }),
    });
    await user.click(await screen.findByRole('button', { name: 'Add a user' }));
    const form = screen.getByRole('form', { name: 'Add a user' });
    await user.type(within(form).getByLabelText('Email'), 'long@example.com');
    await user.type(within(form).getByLabelText('Name'), 'N'.repeat(20));
    await user.click(within(form).getByRole('button', { name: 'Add user' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('Not added: The request has invalid fields.');
    expect(within(form).getByLabelText('Name')).toHaveAccessibleDescription('is longer than 200 characters');
  });

  it('opens a user from the list and closes them again', async () => {
    const { user } = page(adminSession, { 'GET /api/v1/users/6f1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c11/tokens': { status: 200, body: [] } });
    const manage = within(await row('Mara Marketer')).getByRole('button', { name: 'Manage Mara Marketer' });
    expect(manage).toHaveAttribute('aria-expanded', 'false');
    await user.click(manage);
    expect(manage).toHaveAttribute('aria-expanded', 'true');
    const panel = screen.getByRole('region', { name: 'Mara Marketer' });
    await user.click(within(panel).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region', { name: 'Mara Marketer' })).not.toBeInTheDocument();
  });
});
