import { useId, useRef, useState, type FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router';
import { isApiError } from '../api/client';
import { BrandMark } from '../shell/BrandMark';
import { afterLoginPath } from './redirect';
import { useSession, useSignIn } from './session';

/**
 * /login: email + password against `POST /api/v1/session`. The server's error
 * message is shown as sent (e.g. wrong password, too many attempts). Once a
 * session exists — just created, or already there — the visitor goes on to the
 * page they wanted.
 */
export function LoginPage() {
  const location = useLocation();
  const session = useSession();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const passwordRef = useRef<HTMLInputElement>(null);
  const errorId = useId();

  if (session.data) {
    return <Navigate to={afterLoginPath(location.state)} replace />;
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (signIn.isPending) return;
    signIn.mutate(
      { email: email.trim(), password },
      {
        onError: () => {
          // Leave the email, put the cursor back where the likely mistake is.
          passwordRef.current?.focus();
          passwordRef.current?.select();
        },
      },
    );
  }

  const error = signIn.error;
  const errorCode = isApiError(error) ? error.code : undefined;

  return (
    <main className="login-page">
      <title>Sign in · Firebreak</title>
      <div className="login-card">
        <div className="login-brand">
          <BrandMark withName />
        </div>
        <h1 className="login-title">Sign in</h1>
        <p className="login-intro">Incident runbooks for marketing email.</p>

        {error ? (
          <div className="alert alert--error" role="alert" id={errorId} data-error-code={errorCode}>
            {error.message}
          </div>
        ) : null}

        <form
          className="form"
          onSubmit={handleSubmit}
          aria-busy={signIn.isPending || undefined}
          aria-describedby={error ? errorId : undefined}
        >
          <div className="field">
            <label htmlFor="login-email">Email</label>
            <input
              id="login-email"
              name="email"
              type="email"
              autoComplete="username"
              inputMode="email"
              spellCheck={false}
              required
              autoFocus
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              aria-invalid={errorCode === 'invalid_credentials' || undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">Password</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              ref={passwordRef}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={errorCode === 'invalid_credentials' || undefined}
            />
          </div>
          <button type="submit" className="button button--primary button--block" disabled={signIn.isPending}>
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
