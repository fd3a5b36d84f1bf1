import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi } from '../test/fakeApi';
import { routes } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

describe('IncidentPage', () => {
  it('offers a legal reviewer no acknowledge, pause, reclassify or resolve', async () => {
    installFakeApi({ 'GET /api/v1/me': legalSession, ...routes() });
    renderApp('/incidents/i1');

    await screen.findByRole('heading', { level: 1, name: 'Wrong price in the subject' });
    await screen.findByText(/Not paused in Firebreak/);
    expect(screen.queryByRole('button', { name: /Acknowledge|Pause|Reclassify|Resolve/ })).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Resolve' })).toHaveTextContent("Only the incident's owner or an admin");
  });

  it('shows a missing incident in words', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/incidents/nope': {
        status: 404,
        body: { error: { code: 'incident_not_found', message: 'No incident has that id.', details: {} } },
      },
    });
    renderApp('/incidents/nope');
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the incident: No incident has that id.');
  });
});
