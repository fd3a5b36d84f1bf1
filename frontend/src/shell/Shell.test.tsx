import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, installFakeApi, mara } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { maraMe, marketerPermissions } from '../test/sessions';

const signedIn = (user: object = mara, permissions: unknown = marketerPermissions) => ({
  status: 200,
  body: { user, permissions, csrf_token: 'csrf-from-me' },
});

describe('authenticated shell', () => {
  it('shows the product, the signed-in user and their roles', async () => {
    installFakeApi({ 'GET /api/v1/me': signedIn() });
    renderApp('/campaigns');

    const header = await screen.findByRole('banner');
    expect(within(header).getByText('Firebreak')).toBeInTheDocument();
    expect(header).toHaveTextContent('Mara Marketer · marketer');
    expect(within(header).getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('lists every role a user holds', async () => {
    installFakeApi({
      'GET /api/v1/me': signedIn({ ...mara, name: 'Lee Legal', roles: ['legal', 'security'] }),
    });
    renderApp('/campaigns');

    expect(await screen.findByRole('banner')).toHaveTextContent('Lee Legal · legal, security');
  });

  it('redirects / to Campaigns and navigates to Incidents', async () => {
    installFakeApi({ 'GET /api/v1/me': signedIn() });
    const { user } = renderApp('/');

    expect(await screen.findByRole('heading', { name: 'Campaigns' })).toBeInTheDocument();
    expect(await screen.findByText('No campaigns yet')).toBeInTheDocument();

    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Campaigns' })).toHaveAttribute('aria-current', 'page');

    await user.click(within(nav).getByRole('link', { name: 'Incidents' }));
    expect(await screen.findByRole('heading', { name: 'Incidents' })).toBeInTheDocument();
    expect(await screen.findByText('No incidents — all quiet')).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Incidents' })).toHaveAttribute('aria-current', 'page');
  });

  it('signs out with DELETE and the CSRF token, then shows the sign-in page', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': signedIn(),
      'DELETE /api/v1/session': { status: 204 },
    });
    const { user } = renderApp('/incidents');

    await user.click(await screen.findByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByText('Mara Marketer · marketer')).not.toBeInTheDocument();
    const [del] = fake.requestsTo('DELETE /api/v1/session');
    expect(del?.headers.get('X-CSRF-Token')).toBe('csrf-from-me');
    expect(del?.credentials).toBe('same-origin');
  });

  it('uses the token from sign-in when signing out in the same visit', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': apiError(401, 'unauthenticated', 'Sign in first.'),
      'POST /api/v1/session': { status: 200, body: { ...maraMe, csrf_token: 'csrf-from-login' } },
      'DELETE /api/v1/session': { status: 204 },
    });
    const { user } = renderApp('/campaigns');

    await user.type(await screen.findByLabelText('Email'), 'mara@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(fake.requestsTo('DELETE /api/v1/session')[0]?.headers.get('X-CSRF-Token')).toBe('csrf-from-login');
  });

  it('keeps the user signed in and says why when sign-out fails', async () => {
    installFakeApi({
      'GET /api/v1/me': signedIn(),
      'DELETE /api/v1/session': apiError(503, 'unavailable', 'The session store is unavailable.'),
    });
    const { user } = renderApp('/campaigns');

    await user.click(await screen.findByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not sign out: The session store is unavailable.',
    );
    expect(screen.getByRole('banner')).toHaveTextContent('Mara Marketer');
  });

  it('sends visitors without a session to the sign-in page', async () => {
    installFakeApi({ 'GET /api/v1/me': apiError(401, 'unauthenticated', 'Sign in first.') });
    renderApp('/incidents');

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByRole('banner')).not.toBeInTheDocument();
  });

  it('says the server is not answering instead of pretending the user is signed out', async () => {
    installFakeApi({
      'GET /api/v1/me': apiError(503, 'unavailable', 'Postgres is not reachable.'),
    });
    renderApp('/campaigns');

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Postgres is not reachable.',
    );
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('refuses a session answer without a user instead of showing a blank header', async () => {
    installFakeApi({
      'GET /api/v1/me': signedIn({ id: '', email: '', name: '', roles: [] }),
    });
    renderApp('/campaigns');

    expect(await screen.findByRole('alert')).toHaveTextContent('without saying who is signed in');
    expect(screen.queryByRole('banner')).not.toBeInTheDocument();
  });

  it('refuses a session answer without permissions instead of showing no buttons', async () => {
    installFakeApi({ 'GET /api/v1/me': signedIn(mara, null) });
    renderApp('/campaigns');

    expect(await screen.findByRole('alert')).toHaveTextContent('without saying what you may do');
    expect(screen.queryByRole('banner')).not.toBeInTheDocument();
  });

  it('shows a not-found page for unknown addresses', async () => {
    installFakeApi({ 'GET /api/v1/me': signedIn() });
    renderApp('/nope');

    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
  });
});
