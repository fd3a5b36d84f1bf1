import { useId, useState, type FormEvent } from 'react';
import { TASK_KINDS, type Task, type TaskKind } from '../api/types';
import { useCan } from '../auth/can';
import { formatClock, formatDateTime, formatDuration, humanize, secondsUntil, toDate } from '../lib/format';
import { useNow } from '../lib/useNow';
import { Badge } from '../shell/Badge';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { useDirectory, useIncidentActions, useTasks } from './api';
import { OwnerOptions } from './OwnerSelect';

/**
 * Step 4's plan: the incident's tasks with owners and due dates. Overdue tasks
 * are red; legal tasks (regulator clocks from the runbook) count down to their
 * due date; completing, reopening and assigning PATCH the task. Tasks a
 * reclassification closed as no longer needed (status cancelled) are listed
 * apart, struck through, and can be reopened.
 */
export function TaskBoard({ incidentId, open }: { incidentId: string; open: boolean }) {
  const tasks = useTasks(incidentId, open);
  const actions = useIncidentActions(incidentId);
  const can = useCan();
  const directory = useDirectory();
  const now = useNow(1000);
  const editable = open && can('incident.plan');

  if (tasks.isPending) return <Loading label="Loading tasks…" />;
  if (tasks.isError) {
    return <ErrorNotice error={tasks.error} title="Could not load the tasks" onRetry={() => void tasks.refetch()} />;
  }

  const openTasks = tasks.data.filter((t) => t.status === 'open');
  const doneTasks = tasks.data.filter((t) => t.status === 'done');
  const cancelledTasks = tasks.data.filter((t) => t.status === 'cancelled');
  const column = (slug: string, title: string, empty: string, list: Task[]) => (
    <section aria-labelledby={`${incidentId}-${slug}-tasks`} className="task-column">
      <h3 id={`${incidentId}-${slug}-tasks`} className="task-column-title">
        {title} <span className="count">{list.length}</span>
      </h3>
      {list.length === 0 ? <p className="muted">{empty}</p> : null}
      <ul className="task-list">
        {list.map((t) => (
          <TaskItem
            key={t.id}
            task={t}
            now={now}
            editable={editable}
            directory={directory}
            busy={actions.patchTask.isPending && actions.patchTask.variables?.taskId === t.id}
            onPatch={(patch) => actions.patchTask.mutate({ taskId: t.id, patch })}
          />
        ))}
      </ul>
    </section>
  );

  return (
    <div className="task-board">
      {actions.patchTask.error ? (
        <ErrorNotice error={actions.patchTask.error} title="The task was not updated" />
      ) : null}
      <div className="task-columns">
        {column('open', 'Open', 'No open tasks.', openTasks)}
        <div className="task-column-stack">
          {column('done', 'Done', 'Nothing done yet.', doneTasks)}
          {cancelledTasks.length > 0 ? column('cancelled', 'No longer needed', '', cancelledTasks) : null}
        </div>
      </div>
      {editable ? <NewTaskForm incidentId={incidentId} /> : null}
    </div>
  );
}

export function isOverdue(task: Task, now: Date): boolean {
  if (task.status !== 'open') return false;
  const due = toDate(task.due_at);
  return task.overdue || (due !== null && due.getTime() < now.getTime());
}

type Directory = ReturnType<typeof useDirectory>;

function TaskItem({
  task,
  now,
  editable,
  directory,
  busy,
  onPatch,
}: {
  task: Task;
  now: Date;
  editable: boolean;
  directory: Directory;
  busy: boolean;
  onPatch: (patch: { status?: 'open' | 'done'; owner_id?: string }) => void;
}) {
  const selectId = useId();
  const overdue = isOverdue(task, now);
  const cancelled = task.status === 'cancelled';
  // finished: done, or closed as no longer needed; neither has a clock running.
  const finished = task.status !== 'open';
  const done = task.status === 'done';
  const left = secondsUntil(task.due_at, now);
  const classes = ['task'];
  if (overdue) classes.push('task--overdue');
  if (done) classes.push('task--done');
  if (cancelled) classes.push('task--cancelled');

  return (
    <li className={classes.join(' ')} data-task-id={task.id} aria-label={task.title}>
      <div className="task-head">
        <span className="task-title">{task.title}</span>
        <span className="task-badges">
          <Badge tone={task.kind === 'legal' ? 'info' : 'neutral'}>{humanize(task.kind)}</Badge>
          {task.from_runbook ? <Badge tone="muted">runbook</Badge> : null}
          {cancelled ? <Badge tone="muted">No longer needed (reclassified)</Badge> : null}
          {overdue ? <Badge tone="danger">Overdue</Badge> : null}
        </span>
      </div>

      <div className="task-meta">
        {task.due_at ? (
          <span className={overdue ? 'task-due task-due--overdue' : 'task-due'}>
            Due {formatDateTime(task.due_at)}
            {!finished && left !== null
              ? left >= 0
                ? ` · in ${formatDuration(left)}`
                : ` · overdue by ${formatDuration(-left)}`
              : ''}
          </span>
        ) : (
          <span className="task-due">No due date</span>
        )}
        {task.kind === 'legal' && !finished && left !== null ? (
          <span className={`legal-clock ${left < 0 ? 'legal-clock--passed' : ''}`} role="timer">
            {left >= 0 ? `Legal clock: ${formatClock(left)} left` : `Legal deadline passed ${formatClock(left)} ago`}
          </span>
        ) : null}
      </div>

      <div className="task-foot">
        {editable ? (
          <span className="task-owner">
            <label htmlFor={selectId}>Owner</label>
            <select
              id={selectId}
              value={task.owner_id ?? ''}
              disabled={busy}
              onChange={(e) => onPatch({ owner_id: e.target.value })}
            >
              <OwnerOptions
                users={directory.pickable}
                meId={directory.me?.id}
                current={task.owner_id}
                nameOf={directory.nameOf}
              />
            </select>
          </span>
        ) : (
          <span className="task-owner">Owner: {directory.nameOf(task.owner_id)}</span>
        )}
        {!task.owner_id && task.owner_role ? <span className="muted">for {task.owner_role}</span> : null}
        {editable ? (
          finished ? (
            <button
              type="button"
              className="button button--secondary button--small"
              disabled={busy}
              onClick={() => onPatch({ status: 'open' })}
              aria-label={`Reopen ${task.title}`}
            >
              Reopen
            </button>
          ) : (
            <button
              type="button"
              className="button button--primary button--small"
              disabled={busy}
              onClick={() => onPatch({ status: 'done' })}
              aria-label={`Mark done: ${task.title}`}
            >
              Mark done
            </button>
          )
        ) : null}
      </div>
    </li>
  );
}

function NewTaskForm({ incidentId }: { incidentId: string }) {
  const { addTask } = useIncidentActions(incidentId);
  const directory = useDirectory();
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<TaskKind>('internal');
  const [owner, setOwner] = useState(directory.me?.id ?? '');
  const [due, setDue] = useState('');
  const ids = { title: useId(), kind: useId(), owner: useId(), due: useId() };

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!title.trim() || addTask.isPending) return;
    const dueDate = due ? new Date(due) : null;
    addTask.mutate(
      {
        title: title.trim(),
        kind,
        owner_id: owner,
        ...(dueDate && !Number.isNaN(dueDate.getTime()) ? { due_at: dueDate.toISOString() } : {}),
      },
      {
        onSuccess: () => {
          setTitle('');
          setDue('');
        },
      },
    );
  }

  return (
    <form className="new-task" onSubmit={submit} aria-label="Add a task">
      <h3 className="task-column-title">Add a task</h3>
      <div className="new-task-fields">
        <div className="field field--wide">
          <label htmlFor={ids.title}>Task</label>
          <input
            id={ids.title}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            required
            maxLength={300}
            placeholder="e.g. Draft the correction email"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.kind}>Kind</label>
          <select id={ids.kind} value={kind} onChange={(e) => setKind(e.target.value as TaskKind)}>
            {TASK_KINDS.map((k) => (
              <option key={k} value={k}>
                {humanize(k)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.owner}>Owner</label>
          <select id={ids.owner} value={owner} onChange={(e) => setOwner(e.target.value)}>
            <OwnerOptions users={directory.pickable} meId={directory.me?.id} nameOf={directory.nameOf} />
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.due}>Due</label>
          <input id={ids.due} type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} />
        </div>
      </div>
      {addTask.error ? <ErrorNotice error={addTask.error} title="The task was not added" /> : null}
      <button type="submit" className="button button--primary" disabled={addTask.isPending}>
        {addTask.isPending ? 'Adding…' : 'Add task'}
      </button>
    </form>
  );
}
