import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useCan } from '../auth/can';
import { useSession, useSignOut } from '../auth/session';
import { useApprovalQueue, useIsReviewer } from '../reviews/api';
import { BrandMark } from './BrandMark';
import { BrowserNotificationsButton, IncidentAlerts } from './IncidentAlerts';

const NAV_ITEMS = [
  { to: '/campaigns', label: 'Campaigns' },
  { to: '/incidents', label: 'Incidents' },
  { to: '/recipients', label: 'Recipients' },
  { to: '/response-metrics', label: 'Response times' },
] as const;

/**
 * The frame around every signed-in page: product name, who is signed in with which
 * roles, sign-out, and the main navigation. Only rendered inside RequireAuth.
 */
export function Shell() {
  const { data: session } = useSession();
  const can = useCan();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const initialPath = useRef(location.pathname);
  const reviewer = useIsReviewer();
  const queue = useApprovalQueue(reviewer);
  const pending = queue.data?.length ?? 0;

  // After moving between pages, put keyboard and screen-reader focus at the start
  // of the new content (not on the first load: the browser's default is right then).
  useEffect(() => {
    if (location.pathname !== initialPath.current) {
      initialPath.current = '';
      mainRef.current?.focus();
    }
  }, [location.pathname]);

  if (!session) return null;
  const { user } = session;

  function handleSignOut() {
    signOut.mutate(undefined, {
      onSuccess: () => navigate('/login', { replace: true }),
    });
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <BrandMark withName />
          <div className="account">
            <p className="account-who" title={user.email}>
              <span className="account-name">{user.name}</span>
              <span className="account-sep"> · </span>
              <span className="account-roles">{user.roles.join(', ')}</span>
            </p>
            <BrowserNotificationsButton />
            <button
              type="button"
              className="button button--quiet"
              onClick={handleSignOut}
              disabled={signOut.isPending}
            >
              {signOut.isPending ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </div>
      </header>

      {signOut.error ? (
        <div className="alert alert--error shell-alert" role="alert">
          Could not sign out: {signOut.error.message}
        </div>
      ) : null}

      <div className="shell-body">
        <nav className="app-nav" aria-label="Main">
          <ul>
            {NAV_ITEMS.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} className="nav-link">
                  {item.label}
                </NavLink>
              </li>
            ))}
            {can('brand.manage') ? (
              <li>
                <NavLink to="/brands" className="nav-link">
                  Brands
                </NavLink>
              </li>
            ) : null}
            {can('user.manage') ? (
              <li>
                <NavLink to="/users" className="nav-link">
                  Users
                </NavLink>
              </li>
            ) : null}
            {reviewer ? (
              <li>
                <NavLink to="/reviews" className="nav-link">
                  Reviews
                  {pending > 0 ? (
                    <>
                      {' '}
                      <span className="nav-count">
                        {pending}
                        <span className="visually-hidden"> waiting</span>
                      </span>
                    </>
                  ) : null}
                </NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
        <main id="main" className="app-main" tabIndex={-1} ref={mainRef}>
          <Outlet />
        </main>
      </div>
      <IncidentAlerts user={user} />
    </div>
  );
}
