import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { installFakeApi, mara } from '../test/fakeApi';
import { assessing, routes } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

/** A control is disabled and says why: in its title and in the sentence aria-describedby points at. */
function expectDisabledBecause(control: HTMLElement, reason: string) {
  expect(control).toBeDisabled();
  expect(control).toHaveAttribute('title', reason);
  expect(control).toHaveAccessibleDescription(expect.stringContaining(reason));
  expect(screen.getAllByText(reason).length).toBeGreaterThan(0);
}

function region(name: string) {
  return screen.getByRole('region', { name });
}

// Issue 16: greyed controls had no explanation, and legal could press "Mark
// step done" on the marketer's steps.
describe('disabled controls on the incident page say why', () => {
  it('as legal: step buttons, assessment, pause, reclassify, owner and resolve are disabled with the reason', async () => {
    // Owned by Mara, still sending, on step 3 (assess).
    const inc = { ...assessing, owner: mara.id, paused_at: null };
    installFakeApi({ 'GET /api/v1/me': legalSession, ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: inc } }) });
    renderApp('/incidents/i1');
    await screen.findByRole('heading', { level: 1, name: 'Wrong price in the subject' });

    expectDisabledBecause(
      await screen.findByRole('button', { name: 'Mark step done' }),
      'Only marketers, security and admins can mark this step done.',
    );
    expectDisabledBecause(screen.getByRole('button', { name: 'Skip step' }), 'Only marketers, security and admins can skip this step.');

    const assess = region('3 · Assess');
    expectDisabledBecause(
      await within(assess).findByRole('button', { name: 'Run assessment' }),
      'Only marketers, security and admins can run the assessment.',
    );
    const causeWhy =
      'Only marketers, security and admins can record the cause and the cost; legal records the data categories and notes.';
    expectDisabledBecause(within(assess).getByLabelText('Cause'), causeWhy);
    expectDisabledBecause(within(assess).getByLabelText('Cost estimate (USD)'), causeWhy);
    expect(within(assess).getByLabelText('Notes')).toBeEnabled();

    expectDisabledBecause(
      await within(region('2 · Stop the fire')).findByRole('button', { name: 'Pause the campaign now' }),
      'Only marketers, security and admins can pause a campaign; call one of them now.',
    );
    const reclassifyWhy = 'Only marketers and admins can reclassify an incident; ask the owner or a marketer to.';
    expectDisabledBecause(within(region('Runbook')).getByRole('button', { name: 'Reclassify' }), reclassifyWhy);
    expectDisabledBecause(within(region('Runbook')).getByLabelText('Reclassify to'), reclassifyWhy);
    expectDisabledBecause(
      within(region('1 · Own it')).getByRole('button', { name: 'Reassign' }),
      "Only the incident's owner, marketers and admins can reassign it.",
    );
    expectDisabledBecause(
      within(region('Resolve')).getByRole('button', { name: 'Resolve incident' }),
      "Only the incident's owner or an admin can resolve it.",
    );
  });

  it('as legal on an incident nobody owns: Acknowledge is disabled with the reason', async () => {
    installFakeApi({ 'GET /api/v1/me': legalSession, ...routes() });
    renderApp('/incidents/i1');
    expectDisabledBecause(
      await within(await screen.findByRole('region', { name: '1 · Own it' })).findByRole('button', { name: 'Acknowledge' }),
      'Only marketers and admins can acknowledge an incident or assign its owner.',
    );
  });

  it('as the owning marketer: the same controls are enabled and carry no reason', async () => {
    const inc = { ...assessing, owner: mara.id, paused_at: null };
    installFakeApi({ 'GET /api/v1/me': marketerSession, ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: inc } }) });
    renderApp('/incidents/i1');
    await screen.findByRole('heading', { level: 1, name: 'Wrong price in the subject' });

    for (const control of [
      await screen.findByRole('button', { name: 'Mark step done' }),
      screen.getByRole('button', { name: 'Skip step' }),
      await within(region('3 · Assess')).findByRole('button', { name: 'Run assessment' }),
      within(region('3 · Assess')).getByLabelText('Cause'),
      within(region('3 · Assess')).getByLabelText('Cost estimate (USD)'),
      await within(region('2 · Stop the fire')).findByRole('button', { name: 'Pause the campaign now' }),
      within(region('Runbook')).getByLabelText('Reclassify to'),
      within(region('Resolve')).getByRole('button', { name: 'Resolve incident' }),
    ]) {
      expect(control).toBeEnabled();
      expect(control).not.toHaveAttribute('title');
    }
    expect(screen.queryByText(/^Only /)).not.toBeInTheDocument();
    // Reclassify waits for a runbook to be chosen, and says so.
    expect(within(region('Runbook')).getByRole('button', { name: 'Reclassify' })).toHaveAttribute(
      'title',
      'Choose a runbook to reclassify to first.',
    );
    expect(within(region('1 · Own it')).queryByRole('button', { name: 'Reassign' })).toBeInTheDocument();
  });
});
