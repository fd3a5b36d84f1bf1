import type { Person } from '../api/types';

/**
 * Owner options: every user (GET /api/v1/people) with their roles, the
 * signed-in user first as "Me", plus the current owner when only their id is
 * known (the list has not answered yet).
 */
export function OwnerOptions({
  users,
  meId,
  current,
  nameOf,
  allowNone = true,
}: {
  users: Person[];
  meId: string | undefined;
  current?: string | null;
  nameOf: (id: string) => string;
  allowNone?: boolean;
}) {
  const listed = new Set(users.map((u) => u.id));
  const ordered = [...users.filter((u) => u.id === meId), ...users.filter((u) => u.id !== meId)];
  return (
    <>
      {allowNone ? <option value="">Unassigned</option> : null}
      {current && !listed.has(current) ? <option value={current}>{nameOf(current)}</option> : null}
      {ordered.map((u) => (
        <option key={u.id} value={u.id}>
          {u.id === meId ? `Me (${u.name})` : u.roles.length > 0 ? `${u.name} (${u.roles.join(', ')})` : u.name}
        </option>
      ))}
    </>
  );
}
