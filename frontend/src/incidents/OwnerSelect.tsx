import type { User } from '../api/types';

/**
 * Owner options: whoever the dashboard can name (admins: every user; others:
 * themselves), plus the current owner when only their id is known.
 */
export function OwnerOptions({
  users,
  meId,
  current,
  nameOf,
  allowNone = true,
}: {
  users: User[];
  meId: string | undefined;
  current?: string | null;
  nameOf: (id: string) => string;
  allowNone?: boolean;
}) {
  const listed = new Set(users.map((u) => u.id));
  return (
    <>
      {allowNone ? <option value="">Unassigned</option> : null}
      {current && !listed.has(current) ? <option value={current}>{nameOf(current)}</option> : null}
      {users.map((u) => (
        <option key={u.id} value={u.id}>
          {u.id === meId ? `Me (${u.name})` : u.name}
        </option>
      ))}
    </>
  );
}
