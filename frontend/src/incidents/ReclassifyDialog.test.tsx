import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Runbook, Task } from '../api/types';
import { installFakeApi, mara } from '../test/fakeApi';
import { fromNow, task } from '../test/fixtures';
import { assessing, routes, triage } from '../test/incidentPage';
import { renderApp } from '../test/renderApp';
import { marketerSession } from '../test/sessions';

const FIND = 'Find the cause and reclassify the incident to its runbook';
const HOLDING = 'Give customer support a holding line';

/** Triage with its two shipped tasks, and wrong-segment to reclassify to. */
const triageWithTasks: Runbook = {
  ...triage,
  tasks: [
    { title: FIND, kind: 'internal', owner_role: 'marketer', due: '1h0m0s', due_seconds: 3600 },
    { title: HOLDING, kind: 'communication', owner_role: 'marketer', due: '2h0m0s', due_seconds: 7200 },
  ],
};
const wrongSegment: Runbook = { ...triage, id: 'wrong-segment', title: 'Sent to the wrong segment', tasks: [] };

const find = task({ id: 't1', title: FIND, from_runbook: true, owner_role: 'marketer', due_at: fromNow(3600) });
const holding = task({ id: 't2', title: HOLDING, kind: 'communication', from_runbook: true, due_at: fromNow(7200) });
const holdingDone = { ...holding, status: 'done' as const, completed_at: fromNow(-60) };
const mine = task({ id: 't3', title: 'Ask the agency what changed', owner_id: mara.id });

function setUp(tasks: Task[]) {
  const inc = { ...assessing, owner: mara.id };
  const fake = installFakeApi({
    'GET /api/v1/me': marketerSession,
    ...routes({
      'GET /api/v1/incidents/i1': { status: 200, body: inc },
      'GET /api/v1/runbooks/triage': { status: 200, body: triageWithTasks },
      'GET /api/v1/runbooks': { status: 200, body: [triageWithTasks, wrongSegment] },
      'GET /api/v1/incidents/i1/tasks': { status: 200, body: tasks },
    }),
  });
  fake.on('POST /api/v1/incidents/i1/runbook', { status: 200, body: { ...inc, runbook: 'wrong-segment' } });
  return { fake, ...renderApp('/incidents/i1') };
}

async function chooseWrongSegment(user: ReturnType<typeof setUp>['user']) {
  const panel = await screen.findByRole('region', { name: 'Runbook' });
  await within(panel).findByRole('option', { name: /Sent to the wrong segment/ });
  await user.selectOptions(within(panel).getByLabelText('Reclassify to'), 'wrong-segment');
  await user.click(within(panel).getByRole('button', { name: 'Reclassify' }));
}

describe('Reclassifying with the old runbook’s tasks still open', () => {
  it("lists the current runbook's open tasks (not a person's, not done ones) and keeps them by default", async () => {
    const { fake, user } = setUp([find, holding, mine]);
    await screen.findByRole('listitem', { name: FIND }); // the plan has loaded
    await chooseWrongSegment(user);

    const dialog = screen.getByRole('dialog', { name: 'Reclassify to Sent to the wrong segment?' });
    expect(within(dialog).getByRole('heading', { name: "The triage runbook's 2 open tasks:" })).toBeInTheDocument();
    const listed = within(within(dialog).getByRole('list', { name: 'Open tasks of the triage runbook' })).getAllByRole('listitem');
    expect(listed.map((li) => li.textContent)).toEqual([FIND, HOLDING]);
    expect(within(dialog).getByRole('radio', { name: /^Keep them/ })).toBeChecked();
    expect(within(dialog).getByRole('radio', { name: /^Close them as no longer needed/ })).not.toBeChecked();
    expect(fake.requestsTo('POST /api/v1/incidents/i1/runbook')).toHaveLength(0); // nothing sent before the answer

    await user.click(within(dialog).getByRole('button', { name: 'Reclassify' }));
    expect(fake.requestsTo('POST /api/v1/incidents/i1/runbook')[0]?.body).toEqual({ runbook: 'wrong-segment', old_tasks: 'keep' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('sends cancel when asked to close them as no longer needed', async () => {
    const { fake, user } = setUp([find, holdingDone, mine]);
    await screen.findByRole('listitem', { name: FIND });
    await chooseWrongSegment(user);

    const dialog = screen.getByRole('dialog', { name: 'Reclassify to Sent to the wrong segment?' });
    expect(within(dialog).getByRole('heading', { name: "The triage runbook's 1 open task:" })).toBeInTheDocument();
    expect(within(dialog).getAllByRole('listitem').map((li) => li.textContent)).toEqual([FIND]);
    await user.click(within(dialog).getByRole('radio', { name: /^Close it as no longer needed/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Reclassify' }));
    expect(fake.requestsTo('POST /api/v1/incidents/i1/runbook')[0]?.body).toEqual({ runbook: 'wrong-segment', old_tasks: 'cancel' });
  });

  it('goes back without reclassifying', async () => {
    const { fake, user } = setUp([find]);
    await screen.findByRole('listitem', { name: FIND });
    await chooseWrongSegment(user);
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Back' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(fake.requestsTo('POST /api/v1/incidents/i1/runbook')).toHaveLength(0);
  });

  it('does not ask when the current runbook has no open task left', async () => {
    const { fake, user } = setUp([holdingDone, mine]);
    await screen.findByRole('listitem', { name: mine.title });
    await chooseWrongSegment(user);

    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await screen.findByRole('region', { name: 'Runbook' });
    expect(fake.requestsTo('POST /api/v1/incidents/i1/runbook')[0]?.body).toEqual({ runbook: 'wrong-segment' });
  });
});
