import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, installFakeApi, mara } from '../test/fakeApi';
import { campaign, fromNow, incident } from '../test/fixtures';
import { advanced, assessing, currentStep, routes } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { marketerSession, securitySession } from '../test/sessions';

describe('CurrentStepPanel', () => {
  it('marks the current step done with the CSRF token and moves the strip on', async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: assessing } }),
    });
    fake.on('POST /api/v1/incidents/i1/steps/assess/complete', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: advanced(assessing, 'done') });
      return { status: 200, body: advanced(assessing, 'done') };
    });
    const { user } = renderApp('/incidents/i1');

    const checklist = await screen.findByRole('region', { name: 'Checklist for step 3: Assess' });
    expect(currentStep()).toHaveTextContent('Assess');
    await user.click(within(checklist).getByRole('button', { name: 'Mark step done' }));

    const [post] = fake.requestsTo('POST /api/v1/incidents/i1/steps/assess/complete');
    expect(post?.headers.get('X-CSRF-Token')).toBe('csrf-from-me');
    expect(fake.requestsTo('POST /api/v1/incidents/i1/steps/assess/skip')).toHaveLength(0);
    expect(
      await screen.findByRole('region', { name: 'Checklist for step 4: Plan' }),
    ).toHaveTextContent('Give every task an owner and a due date.');
    expect(currentStep()).toHaveTextContent('Plan');
    expect(screen.getByRole('list', { name: 'Response steps' }).children[2]).toHaveTextContent(/Done \d\d:\d\d/);
  });

  it("shows the API's refusal of a skip in words", async () => {
    const fake = installFakeApi({
      'GET /api/v1/me': securitySession,
      ...routes({ 'GET /api/v1/incidents/i1': { status: 200, body: assessing } }),
      'POST /api/v1/incidents/i1/steps/assess/skip': apiError(
        422,
        'invalid_step',
        'That step cannot be completed or skipped now: only the current step, or an earlier step still pending, can.',
        { step: 'assess', reason: 'the step is already done' },
      ),
    });
    const { user } = renderApp('/incidents/i1');

    // Security holds incident.assess: it may finish step 3, though not acknowledge or reclassify.
    const checklist = await screen.findByRole('region', { name: 'Checklist for step 3: Assess' });
    expect(within(checklist).getByRole('button', { name: 'Mark step done' })).toBeInTheDocument();
    await user.click(within(checklist).getByRole('button', { name: 'Skip step' }));

    expect(fake.requestsTo('POST /api/v1/incidents/i1/steps/assess/skip')[0]?.headers.get('X-CSRF-Token')).toBe(
      'csrf-from-me',
    );
    const alert = await within(checklist).findByRole('alert');
    expect(alert).toHaveTextContent(
      'Assess was not skipped: That step cannot be completed or skipped now: only the current step, or an earlier step still pending, can.',
    );
    expect(alert).toHaveTextContent('Why: the step is already done.');
    expect(alert).toHaveAttribute('data-error-code', 'invalid_step');
    expect(currentStep()).toHaveTextContent('Assess');
  });

  it('offers only Skip on step 2, and only when there is nothing to pause', async () => {
    const stopping = incident({
      owner: mara.id,
      acknowledged_at: fromNow(-60),
      current_step: 'stop',
      steps: incident().steps.map((s) =>
        s.name === 'stop' ? { ...s, status: 'active' as const, completed_at: null } : s.name === 'assess' ? { ...s, status: 'pending' as const } : s,
      ),
    });
    const fake = installFakeApi({
      'GET /api/v1/me': marketerSession,
      ...routes({
        'GET /api/v1/incidents/i1': { status: 200, body: stopping },
        'GET /api/v1/campaigns/c1': { status: 200, body: campaign({ status: 'sending' }) },
      }),
    });
    const { user, queryClient } = renderApp('/incidents/i1');

    const checklist = await screen.findByRole('region', { name: 'Checklist for step 2: Stop the fire' });
    await screen.findByRole('button', { name: 'Pause the campaign now' });
    expect(within(checklist).queryByRole('button', { name: /Mark step done|Skip step/ })).not.toBeInTheDocument();

    // The campaign never went out: nothing to pause, so the step can be skipped.
    fake.on('GET /api/v1/campaigns/c1', { status: 200, body: campaign({ status: 'draft' }) });
    fake.on('POST /api/v1/incidents/i1/steps/stop/skip', () => {
      fake.on('GET /api/v1/incidents/i1', { status: 200, body: advanced(stopping, 'skipped') });
      return { status: 200, body: advanced(stopping, 'skipped') };
    });
    await queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    const skip = await within(checklist).findByRole('button', { name: 'Skip step' });
    expect(within(checklist).queryByRole('button', { name: 'Mark step done' })).not.toBeInTheDocument();
    expect(checklist).toHaveTextContent('The campaign has nothing left to pause');
    await user.click(skip);

    expect(fake.requestsTo('POST /api/v1/incidents/i1/steps/stop/skip')).toHaveLength(1);
    expect(fake.requestsTo('POST /api/v1/incidents/i1/steps/stop/complete')).toHaveLength(0);
    expect(await screen.findByRole('region', { name: 'Checklist for step 3: Assess' })).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Response steps' }).children[1]).toHaveTextContent('Skipped');
  });
});
