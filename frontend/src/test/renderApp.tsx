import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { AppProviders, AppRoutes } from '../App';
import { ApiClient } from '../api/client';
import { createQueryClient } from '../api/queryClient';

/** Renders the whole app at `path`, with fresh client state, as a user would meet it. */
export function renderApp(path: string) {
  const api = new ApiClient();
  const queryClient = createQueryClient({ retryDelayMs: 0 });
  const user = userEvent.setup();
  const view = render(
    <AppProviders api={api} queryClient={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
      </MemoryRouter>
    </AppProviders>,
  );
  return { ...view, user, api, queryClient };
}
