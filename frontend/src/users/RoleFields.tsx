import type { Role } from '../api/types';
import { ROLES } from '../api/types';
import { FieldError } from '../campaigns/FieldError';
import { ROLE_LABELS } from './api';

/** The role checkboxes, each with what it grants; a user may hold several. */
export function RoleFields({
  legend,
  roles,
  onChange,
  errorId,
  error,
}: {
  legend: string;
  roles: readonly Role[];
  onChange: (roles: Role[]) => void;
  errorId: string;
  error: string | undefined;
}) {
  function toggle(role: Role, on: boolean) {
    onChange(ROLES.filter((r) => (r === role ? on : roles.includes(r))));
  }
  return (
    <fieldset className="checkbox-group field" aria-describedby={error ? errorId : undefined} aria-invalid={error ? true : undefined}>
      <legend>{legend}</legend>
      <div className="checkbox-grid role-grid">
        {ROLES.map((r) => (
          <label key={r} className="checkbox">
            <input type="checkbox" checked={roles.includes(r)} onChange={(e) => toggle(r, e.target.checked)} />
            <span>
              {ROLE_LABELS[r].label} <span className="muted">({ROLE_LABELS[r].hint})</span>
            </span>
          </label>
        ))}
      </div>
      <FieldError id={errorId} message={error} />
    </fieldset>
  );
}
