import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { AppProviders } from '../App';
import { ApiClient } from '../api/client';
import { createQueryClient } from '../api/queryClient';
import type { SessionResponse } from '../api/types';
import { sessionQueryKey } from '../auth/session';
import { maraMe } from './sessions';

/**
 * Renders one component as a signed-in user would meet it (providers, router,
 * the session already known: `session` is what `/me` answered), without the
 * shell around it.
 */
export function renderWithSession(
  ui: ReactNode,
  { session = maraMe, path = '/', route = '*' }: { session?: SessionResponse; path?: string; route?: string } = {},
) {
  const api = new ApiClient();
  api.setCsrfToken('csrf-test');
  const queryClient = createQueryClient({ retryDelayMs: 0 });
  queryClient.setQueryData(sessionQueryKey, { ...session, csrf_token: 'csrf-test' });
  const events = userEvent.setup();
  const view = render(
    <AppProviders api={api} queryClient={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={route} element={ui} />
        </Routes>
      </MemoryRouter>
    </AppProviders>,
  );
  return { ...view, user: events, api, queryClient };
}
