import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { LoginRedirectState } from './redirect';
import { useSession } from './session';
import { StatusScreen } from '../shell/StatusScreen';

/**
 * Renders its children only for a signed-in user. Anyone else is sent to /login,
 * remembering the page they wanted. If the server cannot be asked (down, network),
 * that is said plainly instead of pretending the user is signed out.
 */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();

  if (session.data === undefined) {
    if (session.isError) {
      return (
        <StatusScreen
          title="Could not load your session"
          action={{ label: 'Try again', onClick: () => void session.refetch() }}
          tone="error"
        >
          {session.error.message}
        </StatusScreen>
      );
    }
    return <StatusScreen title="Checking your session…" busy />;
  }

  if (session.data === null) {
    const state: LoginRedirectState = {
      from: { pathname: location.pathname, search: location.search, hash: location.hash },
    };
    return <Navigate to="/login" replace state={state} />;
  }

  return children;
}
