import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, installFakeApi, mara, pagedReply } from '../test/fakeApi';
import { fromNow, task } from '../test/fixtures';
import { renderWithSession } from '../test/renderWithSession';
import { legalMe } from '../test/sessions';
import { TaskBoard } from './TaskBoard';

const overdue = task({
  id: 't-overdue',
  title: 'Give support a holding line',
  kind: 'communication',
  due_at: fromNow(-2 * 3600),
  overdue: true,
  owner_id: mara.id,
});
const legal = task({
  id: 't-legal',
  title: 'Notify the supervisory authority within 72 hours',
  kind: 'legal',
  owner_role: 'legal',
  due_at: fromNow(72 * 3600),
  from_runbook: true,
});
const done = task({ id: 't-done', title: 'Pause the campaign', status: 'done', completed_at: fromNow(-60) });

function taskItem(title: string) {
  return screen.getByRole('listitem', { name: title });
}

describe('TaskBoard', () => {
  it('shows overdue tasks in red with how late they are', async () => {
    installFakeApi({ 'GET /api/v1/incidents/i1/tasks': { status: 200, body: [overdue, legal, done] } });
    renderWithSession(<TaskBoard incidentId="i1" open />);

    await screen.findByText(overdue.title);
    const item = taskItem(overdue.title);
    expect(item).toHaveClass('task--overdue');
    expect(within(item).getByText('Overdue')).toBeInTheDocument();
    expect(item).toHaveTextContent(/overdue by 2 h/);
    expect(taskItem(legal.title)).not.toHaveClass('task--overdue');
    expect(taskItem(done.title)).not.toHaveClass('task--overdue');
  });

  it('follows X-Next-Cursor and shows the tasks of every page', async () => {
    const fake = installFakeApi({ 'GET /api/v1/incidents/i1/tasks': pagedReply([[overdue, legal], [done]]) });
    renderWithSession(<TaskBoard incidentId="i1" open />);

    expect(await screen.findByRole('heading', { name: 'Done 1' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Open 2' })).toBeInTheDocument();
    expect(taskItem(done.title)).toBeInTheDocument();
    expect(taskItem(overdue.title)).toBeInTheDocument();
    expect(taskItem(legal.title)).toBeInTheDocument();
    const afters = fake.requestsTo('GET /api/v1/incidents/i1/tasks').map((r) => new URL(r.path, 'http://x').searchParams.get('after'));
    expect(afters).toEqual([null, 'cursor-1']);
  });

  it('counts legal tasks down to their due date', async () => {
    installFakeApi({ 'GET /api/v1/incidents/i1/tasks': { status: 200, body: [overdue, legal] } });
    renderWithSession(<TaskBoard incidentId="i1" open />);

    await screen.findByText(legal.title);
    const clock = within(taskItem(legal.title)).getByRole('timer');
    expect(clock).toHaveTextContent(/^Legal clock: 7[12]:\d\d:\d\d left$/);
    expect(taskItem(legal.title)).toHaveTextContent('for legal');
    expect(within(taskItem(overdue.title)).queryByRole('timer')).not.toBeInTheDocument();
  });

  it('completes a task with PATCH status done and moves it to Done', async () => {
    const fake = installFakeApi({ 'GET /api/v1/incidents/i1/tasks': { status: 200, body: [overdue, done] } });
    fake.on('PATCH /api/v1/incidents/i1/tasks/t-overdue', () => {
      fake.on('GET /api/v1/incidents/i1/tasks', {
        status: 200,
        body: [{ ...overdue, status: 'done', overdue: false }, done],
      });
      return { status: 200, body: { ...overdue, status: 'done', overdue: false } };
    });
    const { user } = renderWithSession(<TaskBoard incidentId="i1" open />);

    await user.click(await screen.findByRole('button', { name: `Mark done: ${overdue.title}` }));

    const [patch] = fake.requestsTo('PATCH /api/v1/incidents/i1/tasks/t-overdue');
    expect(patch?.body).toEqual({ status: 'done' });
    expect(patch?.headers.get('X-CSRF-Token')).toBe('csrf-test');
    const doneColumn = screen.getByRole('region', { name: /Done/ });
    expect(await within(doneColumn).findByRole('listitem', { name: overdue.title })).toBeInTheDocument();
    expect(within(doneColumn).getByRole('button', { name: `Reopen ${overdue.title}` })).toBeInTheDocument();
    expect(taskItem(overdue.title)).not.toHaveClass('task--overdue');
  });

  it('shows a task a reclassification closed apart, struck through, as no longer needed, and reopens it', async () => {
    // A legal task past its due date: cancelled, it is neither open, overdue nor a running clock.
    const cancelled = task({
      id: 't-cancelled',
      title: 'Find the cause and reclassify the incident',
      kind: 'legal',
      from_runbook: true,
      status: 'cancelled',
      due_at: fromNow(-3600),
    });
    const fake = installFakeApi({ 'GET /api/v1/incidents/i1/tasks': { status: 200, body: [overdue, cancelled, done] } });
    fake.on('PATCH /api/v1/incidents/i1/tasks/t-cancelled', { status: 200, body: { ...cancelled, status: 'open', overdue: true } });
    const { user } = renderWithSession(<TaskBoard incidentId="i1" open />);

    const column = await screen.findByRole('region', { name: 'No longer needed 1' });
    expect(screen.getByRole('heading', { name: 'Open 1' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Done 1' })).toBeInTheDocument();
    const item = within(column).getByRole('listitem', { name: cancelled.title });
    expect(item).toHaveClass('task--cancelled');
    expect(item).not.toHaveClass('task--done');
    expect(item).not.toHaveClass('task--overdue');
    expect(within(item).getByText('No longer needed (reclassified)')).toBeInTheDocument();
    expect(within(item).queryByText('Overdue')).not.toBeInTheDocument();
    expect(within(item).queryByRole('timer')).not.toBeInTheDocument();
    expect(item).not.toHaveTextContent(/overdue by/);

    await user.click(within(item).getByRole('button', { name: `Reopen ${cancelled.title}` }));
    expect(fake.requestsTo('PATCH /api/v1/incidents/i1/tasks/t-cancelled')[0]?.body).toEqual({ status: 'open' });
  });

  it('assigns a task to me', async () => {
    const fake = installFakeApi({
      'GET /api/v1/incidents/i1/tasks': { status: 200, body: [legal] },
      'PATCH /api/v1/incidents/i1/tasks/t-legal': { status: 200, body: { ...legal, owner_id: mara.id } },
    });
    const { user } = renderWithSession(<TaskBoard incidentId="i1" open />);

    await screen.findByText(legal.title);
    await user.selectOptions(within(taskItem(legal.title)).getByLabelText('Owner'), `Me (${mara.name})`);
    expect(fake.requestsTo('PATCH /api/v1/incidents/i1/tasks/t-legal')[0]?.body).toEqual({ owner_id: mara.id });
  });

  it('offers everyone from /people as owners to a non-admin, with their roles', async () => {
    const fake = installFakeApi({
      'GET /api/v1/incidents/i1/tasks': { status: 200, body: [legal] },
      'PATCH /api/v1/incidents/i1/tasks/t-legal': { status: 200, body: { ...legal, owner_id: mara.id } },
    });
    const { user } = renderWithSession(<TaskBoard incidentId="i1" open />, { session: legalMe });

    await screen.findByText(legal.title);
    const select = within(taskItem(legal.title)).getByLabelText('Owner');
    expect(await within(select).findByRole('option', { name: 'Mara Marketer (marketer)' })).toBeInTheDocument();
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Unassigned',
      'Me (Lee Legal)',
      'Mara Marketer (marketer)',
    ]);
    expect(fake.requestsTo('GET /api/v1/people')).toHaveLength(1);
    await user.selectOptions(select, 'Mara Marketer (marketer)');
    expect(fake.requestsTo('PATCH /api/v1/incidents/i1/tasks/t-legal')[0]?.body).toEqual({ owner_id: mara.id });
  });

  it('adds a task with title, kind, owner and due date', async () => {
    const fake = installFakeApi({
      'GET /api/v1/incidents/i1/tasks': { status: 200, body: [] },
      'POST /api/v1/incidents/i1/tasks': { status: 201, body: task({ id: 't-new', title: 'Draft the correction' }) },
    });
    const { user } = renderWithSession(<TaskBoard incidentId="i1" open />);

    const form = await screen.findByRole('form', { name: 'Add a task' });
    await user.type(within(form).getByLabelText('Task'), 'Draft the correction');
    await user.selectOptions(within(form).getByLabelText('Kind'), 'communication');
    await user.type(within(form).getByLabelText('Due'), '2030-06-04T09:30');
    expect(within(form).getByLabelText('Owner')).toHaveValue(mara.id);
    await user.click(within(form).getByRole('button', { name: 'Add task' }));

    expect(fake.requestsTo('POST /api/v1/incidents/i1/tasks')[0]?.body).toEqual({
      title: 'Draft the correction',
      kind: 'communication',
      owner_id: mara.id,
      due_at: '2030-06-04T09:30:00.000Z',
    });
  });

  it('says why a change failed, in words', async () => {
    installFakeApi({
      'GET /api/v1/incidents/i1/tasks': { status: 200, body: [overdue] },
      'PATCH /api/v1/incidents/i1/tasks/t-overdue': apiError(409, 'incident_resolved', 'The incident is resolved.'),
    });
    const { user } = renderWithSession(<TaskBoard incidentId="i1" open />);

    await user.click(await screen.findByRole('button', { name: `Mark done: ${overdue.title}` }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The task was not updated: The incident is resolved.');
  });

  it('is read-only once the incident is resolved', async () => {
    installFakeApi({ 'GET /api/v1/incidents/i1/tasks': { status: 200, body: [overdue] } });
    renderWithSession(<TaskBoard incidentId="i1" open={false} />, { session: legalMe });

    await screen.findByText(overdue.title);
    expect(screen.queryByRole('button', { name: /Mark done/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Add a task' })).not.toBeInTheDocument();
    expect(await within(taskItem(overdue.title)).findByText('Owner: Mara Marketer')).toBeInTheDocument();
  });
});
