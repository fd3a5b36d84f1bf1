import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, installFakeApi, type Reply } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { maraMe } from '../test/sessions';

const signedOut = apiError(401, 'unauthenticated', 'Sign in first.');

describe('sign-in page', () => {
  it('sends what was typed and goes to the page the user wanted', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': signedOut,
      'POST /api/v1/session': { status: 200, body: { ...maraMe, csrf_token: 'csrf-1' } },
    });
    const { user } = renderApp('/incidents');

    // Not signed in: the protected page sends us to the sign-in form.
    await user.type(await screen.findByLabelText('Email'), 'mara@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Incidents' })).toBeInTheDocument();
    expect(await screen.findByText('No incidents — all quiet')).toBeInTheDocument();

    const [post] = fake.requestsTo('POST /api/v1/session');
    expect(post?.body).toEqual({ email: 'mara@example.com', password: 'correct horse' });
    expect(post?.headers.get('Content-Type')).toBe('application/json');
    expect(post?.credentials).toBe('same-origin');
  });

  it('lands on Campaigns when no page was asked for', async () => {
    installFakeApi({
      'GET /api/v1/me': signedOut,
      'POST /api/v1/session': { status: 200, body: { ...maraMe, csrf_token: 'csrf-1' } },
    });
    const { user } = renderApp('/login');

    await user.type(await screen.findByLabelText('Email'), 'mara@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.keyboard('{Enter}');

    expect(await screen.findByRole('heading', { name: 'Campaigns' })).toBeInTheDocument();
    expect(await screen.findByText('No campaigns yet')).toBeInTheDocument();
  });

  it('shows the API error message in words and stays on the form', async () => {
    installFakeApi({
      'GET /api/v1/me': signedOut,
      'POST /api/v1/session': apiError(401, 'invalid_credentials', 'The email or password is not right.'),
    });
    const { user } = renderApp('/login');

    await user.type(await screen.findByLabelText('Email'), 'mara@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The email or password is not right.');
    expect(screen.getByLabelText('Email')).toHaveValue('mara@example.com');
    expect(screen.getByLabelText('Password')).toHaveFocus();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('explains rate limiting with the server message', async () => {
    installFakeApi({
      'GET /api/v1/me': signedOut,
      'POST /api/v1/session': apiError(429, 'rate_limited', 'Too many failed attempts. Try again in 5 minutes.', {
        retry_after_seconds: 300,
      }),
    });
    const { user } = renderApp('/login');

    await user.type(await screen.findByLabelText('Email'), 'mara@example.com');
    await user.type(screen.getByLabelText('Password'), 'guess');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many failed attempts. Try again in 5 minutes.',
    );
  });

  it('says so when the server cannot be reached', async () => {
    installFakeApi({
      'GET /api/v1/me': signedOut,
      'POST /api/v1/session': () => Promise.reject(new TypeError('Failed to fetch')),
    });
    const { user } = renderApp('/login');

    await user.type(await screen.findByLabelText('Email'), 'mara@example.com');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Could not reach Firebreak');
  });

  it('shows that it is working while the request is in flight', async () => {
    let answer!: (reply: Reply) => void;
    installFakeApi({
      'GET /api/v1/me': signedOut,
      'POST /api/v1/session': () => new Promise<Reply>((resolve) => (answer = resolve)),
    });
    const { user } = renderApp('/login');

    await user.type(await screen.findByLabelText('Email'), 'mara@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('button', { name: 'Signing in…' })).toBeDisabled();

    answer({ status: 200, body: { ...maraMe, csrf_token: 'csrf-1' } });
    expect(await screen.findByText('No campaigns yet')).toBeInTheDocument();
  });

  it('sends an already signed-in visitor straight on', async () => {
    installFakeApi({ 'GET /api/v1/me': { status: 200, body: { ...maraMe, csrf_token: 'csrf-1' } } });
    renderApp('/login');

    expect(await screen.findByRole('heading', { name: 'Campaigns' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
  });
});
