import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi, mara } from '../test/fakeApi';
import { fromNow, legalUser } from '../test/fixtures';
import { assessing, routes } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

describe('ResolvePanel', () => {
  it('asks for a reason before resolving with steps unfinished, and sends it', async () => {
    const mine = { ...assessing, owner: mara.id };
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: mine } }),
    });
    const resolved = { ...mine, status: 'resolved' as const, resolved_at: fromNow(0), current_step: '' as const };
    fake.on('POST /api/v1/incidents/i1/resolve', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: resolved });
      return { status: 200, body: resolved };
    });
    const { user } = renderApp('/incidents/i1');

    const panel = await screen.findByRole('region', { name: 'Resolve' });
    await user.click(await within(panel).findByRole('button', { name: 'Resolve incident' }));
    const dialog = screen.getByRole('dialog', { name: 'Resolve this incident?' });
    expect(dialog).toHaveTextContent('Steps not finished (Assess, Plan, Communicate, Proceed with caution)');
    const confirm = within(dialog).getByRole('button', { name: 'Resolve' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Reason'), 'Handled by phone with every customer');
    await user.click(confirm);

    expect(fake.requestsTo('POST /api/v1/incidents/i1/resolve')[0]?.body).toEqual({
      reason: 'Handled by phone with every customer',
    });
    expect(await screen.findByRole('status')).toHaveTextContent(/^Resolved .*The record below stays as it was\./);
  });

  it('holds a data breach for legal: the owner waits, a legal user confirms with a comment', async () => {
    const breach = { ...assessing, runbook: 'data-breach', owner: mara.id, legal_confirmation_required: true };
    installFakeApi({ 'GET /api/v1/me': marketerSession, ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: breach } }) });
    const first = renderApp('/incidents/i1');
    const panel = await screen.findByRole('region', { name: 'Resolve' });
    expect(await within(panel).findByRole('group', { name: 'Legal confirmation' })).toHaveTextContent('Waiting for legal');
    expect(within(panel).getByRole('button', { name: 'Resolve incident' })).toBeDisabled();
    expect(within(panel).queryByRole('button', { name: 'Confirm for legal' })).not.toBeInTheDocument();
    first.unmount();

    const confirmed = { ...breach, legal_confirmation: { by: legalUser.id, at: fromNow(0), comment: 'Regulator notified' } };
    const fake = installFakeApi({
      'GET /api/v1/me': legalSession,
      ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: breach } }),
    });
    fake.on('POST /api/v1/incidents/i1/legal-confirmation', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: confirmed });
      return { status: 200, body: confirmed };
    });
    const { user } = renderApp('/incidents/i1');
    const group = await screen.findByRole('group', { name: 'Legal confirmation' });
    await user.type(within(group).getByLabelText('What legal checked or decided'), 'Regulator notified');
    await user.click(within(group).getByRole('button', { name: 'Confirm for legal' }));

    expect(fake.requestsTo('POST /api/v1/incidents/i1/legal-confirmation')[0]?.body).toEqual({ comment: 'Regulator notified' });
    expect(await within(group).findByText(/Legal confirmed/)).toHaveTextContent('Legal confirmed: Lee Legal (you)');
    expect(group).toHaveTextContent('“Regulator notified”');
  });
});
