import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi } from '../test/fakeApi';
import { routes } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

describe('IncidentPage', () => {
  it('lets a legal reviewer press no acknowledge, pause, reclassify or resolve (each disabled, saying why)', async () => {
    installFakeApi({ 'GET /api/v1/me': legalSession, ...routes() });
    renderApp('/incidents/i1');

    await screen.findByRole('heading', { level: 1, name: 'Wrong price in the subject' });
    await screen.findByText(/Not paused in Firebreak/);
    const buttons = screen.getAllByRole('button', { name: /^(Acknowledge|Pause the campaign now|Reclassify|Resolve incident)$/ });
    expect(buttons).toHaveLength(4);
    for (const b of buttons) {
      expect(b).toBeDisabled();
      expect(b).toHaveAccessibleDescription(/^Only /);
    }
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
