import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { AppProviders } from '../App';
import { ApiClient } from '../api/client';
import { createQueryClient } from '../api/queryClient';
import type { User } from '../api/types';
import { sessionQueryKey } from '../auth/session';
import { mara } from './fakeApi';

/**
 * Renders one component as a signed-in user would meet it (providers, router,
 * the session already known), without the shell around it.
 */
export function renderWithSession(ui: ReactNode, { user = mara as User, path = '/', route = '*' } = {}) {
  const api = new ApiClient();
  api.setCsrfToken('csrf-test');
  const queryClient = createQueryClient({ retryDelayMs: 0 });
  queryClient.setQueryData(sessionQueryKey, { user, csrf_token: 'csrf-test' });
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
