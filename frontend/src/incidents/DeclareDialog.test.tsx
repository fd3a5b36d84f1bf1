import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Runbook } from '../api/types';
import { installFakeApi } from '../test/fakeApi';
import { campaign, incident } from '../test/fixtures';
import { routes, triage } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

const wrongSegment: Runbook = { ...triage, id: 'wrong-segment', title: 'Sent to the wrong segment', description: 'The audience was wrong.', severity: 'sev2' };

describe('Declare incident', () => {
  it('declares an incident from the campaign page with a runbook and a title, and opens it', async () => {
    const declared = incident({ id: 'i1', runbook: 'wrong-segment', summary: 'VIP list got the staff prices' });
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({
        'GET /api/v1/incidents/i1': { status: 200, body: declared },
        'GET /api/v1/runbooks/wrong-segment': { status: 200, body: wrongSegment },
      }),
      'GET /api/v1/runbooks': { status: 200, body: [triage, wrongSegment] },
      'GET /api/v1/campaigns/c1': { status: 200, body: campaign({ status: 'sent' }) },
      'GET /api/v1/events': { status: 200, body: [] },
      'GET /api/v1/incidents': { status: 200, body: [] },
      'POST /api/v1/incidents': { status: 201, body: declared },
    });
    const { user } = renderApp('/campaigns/c1');

    await user.click(await screen.findByRole('button', { name: 'Declare incident' }));
    const dialog = screen.getByRole('dialog', { name: 'Declare an incident on Spring sale' });
    const submit = within(dialog).getByRole('button', { name: 'Declare incident' });
    expect(submit).toBeDisabled();
    const runbook = within(dialog).getByLabelText('Runbook');
    expect(await within(runbook).findByRole('option', { name: 'Sent to the wrong segment' })).toBeInTheDocument();
    await user.selectOptions(runbook, 'wrong-segment');
    expect(dialog).toHaveTextContent('The audience was wrong. Severity sev2.');
    await user.type(within(dialog).getByLabelText('What happened'), ' VIP list got the staff prices ');
    await user.click(submit);

    expect(fake.requestsTo('POST /api/v1/incidents')[0]?.body).toEqual({
      campaign_id: 'c1',
      runbook: 'wrong-segment',
      summary: 'VIP list got the staff prices',
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'VIP list got the staff prices' })).toBeInTheDocument();
  });

  it('shows the API’s refusal in the dialog and stays on the campaign', async () => {
    installFakeApi({
      'GET /api/v1/me': marketerSession,
      'GET /api/v1/runbooks': { status: 200, body: [triage] },
      'GET /api/v1/campaigns/c1': { status: 200, body: campaign({ status: 'sending' }) },
      'GET /api/v1/events': { status: 200, body: [] },
      'POST /api/v1/incidents': {
        status: 422,
        body: { error: { code: 'validation_failed', message: 'Some fields are not valid.', details: { fields: { summary: 'is required' } } } },
      },
    });
    const { user } = renderApp('/campaigns/c1');
    await user.click(await screen.findByRole('button', { name: 'Declare incident' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByLabelText('What happened'), 'x');
    await user.click(within(dialog).getByRole('button', { name: 'Declare incident' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('No incident declared');
    expect(screen.getByRole('heading', { level: 1, name: 'Spring sale' })).toBeInTheDocument();
  });

  it('is not offered on a draft, with an open incident, or to a role that may not declare', async () => {
    for (const [name, setup] of [
      ['draft', { 'GET /api/v1/me': marketerSession, 'GET /api/v1/campaigns/c1': { status: 200, body: campaign({ status: 'draft' }) } }],
      ['open incident', { 'GET /api/v1/me': marketerSession, 'GET /api/v1/incidents': { status: 200, body: [incident()] } }],
      ['legal', { 'GET /api/v1/me': legalSession }],
    ] as const) {
      const fake = installFakeApi({
        'GET /api/v1/campaigns/c1': { status: 200, body: campaign({ status: 'sent' }) },
        'GET /api/v1/events': { status: 200, body: [] },
        ...setup,
      });
      const view = renderApp('/campaigns/c1');
      expect(await screen.findByRole('heading', { level: 1 }), name).toBeInTheDocument();
      if (name === 'open incident') await screen.findByRole('link', { name: 'Open incident' });
      if (name === 'legal') {
        await waitFor(() => expect(fake.requestsTo('GET /api/v1/incidents').length).toBeGreaterThan(0));
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(screen.queryByRole('button', { name: 'Declare incident' }), name).not.toBeInTheDocument();
      view.unmount();
    }
  });
});
