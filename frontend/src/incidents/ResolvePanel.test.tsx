import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi, mara } from '../test/fakeApi';
import { campaign, fromNow, legalUser, task } from '../test/fixtures';
import { assessing, routes } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

describe('ResolvePanel', () => {
  it('asks for a reason before resolving with steps unfinished, and sends it with the closing summary', async () => {
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
    // Step 6 is not unfinished work: resolving starts its watch window (the API does not count it).
    expect(
      within(within(dialog).getByRole('list', { name: 'Steps not finished' }))
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Assess', 'Plan', 'Communicate']);
    const confirm = within(dialog).getByRole('button', { name: 'Resolve' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Reason'), 'Handled by phone with every customer');
    expect(confirm).toBeDisabled(); // the closing summary is still missing
    await user.type(within(dialog).getByLabelText('Closing summary'), '  Every customer called back  ');
    await user.click(confirm);

    expect(fake.requestsTo('POST /api/v1/incidents/i1/resolve')[0]?.body).toEqual({
      reason: 'Handled by phone with every customer',
      summary: 'Every customer called back',
    });
    expect(await screen.findByRole('status')).toHaveTextContent(/^Resolved .*The record below stays as it was\./);
  });

  it('lists the open tasks (the legal clock first) and says a paused campaign stays paused', async () => {
    const done = assessing.steps.map((s) => (s.name === 'monitor' ? s : { ...s, status: 'done' as const }));
    const mine = { ...assessing, owner: mara.id, steps: done, current_step: 'monitor' as const };
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({
        'GET /api/v1/incidents/i1': { status: 200, body: mine },
        'GET /api/v1/campaigns/c1': { status: 200, body: campaign({ status: 'paused' }) },
        'GET /api/v1/incidents/i1/tasks': {
          status: 200,
          body: [
            task({ id: 't1', title: 'Refund the double charge', owner_id: mara.id, due_at: fromNow(7200) }),
            task({ id: 't2', title: 'Notify the regulator', kind: 'legal', owner_role: 'legal', due_at: fromNow(3 * 86400) }),
            task({ id: 't3', title: 'Find the cause', status: 'done', completed_at: fromNow(-60) }),
            task({ id: 't4', title: 'Give support a holding line', status: 'cancelled', from_runbook: true }),
          ],
        },
      }),
    });
    fake.on('POST /api/v1/incidents/i1/resolve', { status: 200, body: { ...mine, status: 'resolved', resolved_at: fromNow(0) } });
    const { user } = renderApp('/incidents/i1');

    const panel = await screen.findByRole('region', { name: 'Resolve' });
    await user.click(await within(panel).findByRole('button', { name: 'Resolve incident' }));
    const dialog = screen.getByRole('dialog', { name: 'Resolve this incident?' });
    const open = await within(dialog).findByRole('list', { name: 'Open tasks' });
    const items = within(open).getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('aria-label'))).toEqual(['Notify the regulator', 'Refund the double charge']);
    expect(items[0]).toHaveClass('resolve-task--legal');
    expect(items[0]).toHaveTextContent(/unassigned \(for legal\).*Legal clock: 7\d:\d\d:\d\d left/);
    expect(items[1]).toHaveTextContent('Refund the double charge · Mara Marketer (you) · due');
    expect(items[1]).not.toHaveClass('resolve-task--legal');
    expect(within(dialog).queryByRole('list', { name: 'Steps not finished' })).not.toBeInTheDocument();
    expect(await within(dialog).findByRole('note', { name: 'Campaign' })).toHaveTextContent(
      'The campaign Spring sale is still paused: resolving leaves it paused. Resume or cancel it from the campaign page.',
    );
    expect(within(dialog).queryByLabelText('Reason')).not.toBeInTheDocument();

    const confirm = within(dialog).getByRole('button', { name: 'Resolve' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Closing summary'), 'Refunds left to finance');
    await user.click(confirm);
    expect(fake.requestsTo('POST /api/v1/incidents/i1/resolve')[0]?.body).toEqual({ summary: 'Refunds left to finance' });
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
