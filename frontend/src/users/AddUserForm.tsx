import { useId, useState, type FormEvent } from 'react';
import { isApiError } from '../api/client';
import type { Account, Role } from '../api/types';
import { describedBy, FieldError } from '../campaigns/FieldError';
import { fieldErrorsOf } from '../campaigns/draft';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useAddAccount } from './api';
import { RoleFields } from './RoleFields';

/** The password's minimum length (POST /api/v1/users: minLength 10). */
export const MIN_PASSWORD = 10;

type Field = 'email' | 'name' | 'roles' | 'password';

/**
 * An admin adds a user: email (unique, case-insensitively), name, roles, and
 * an optional password — without one the user can only use API tokens. The
 * form checks what it can before asking; the server's refusals land next to
 * their field, and nothing typed is lost.
 */
export function AddUserForm({ onAdded, onCancel }: { onAdded: (a: Account) => void; onCancel: () => void }) {
  const add = useAddAccount();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>(['marketer']);
  const [password, setPassword] = useState('');
  const [local, setLocal] = useState<Partial<Record<Field, string>>>({});
  const ids = {
    title: useId(),
    email: useId(),
    emailError: useId(),
    name: useId(),
    nameError: useId(),
    rolesError: useId(),
    password: useId(),
    passwordHint: useId(),
    passwordError: useId(),
  };

  const server = fieldErrorsOf(add.error);
  const taken = isApiError(add.error) && add.error.code === 'email_taken' ? add.error.message : undefined;
  const badEmail = isApiError(add.error) && add.error.code === 'invalid_email' ? add.error.message : undefined;
  const longPassword = isApiError(add.error) && add.error.code === 'password_too_long' ? add.error.message : undefined;
  const errors: Partial<Record<Field, string>> = {
    email: local.email ?? taken ?? badEmail ?? server.email,
    name: local.name ?? server.name,
    roles: local.roles ?? server.roles,
    password: local.password ?? longPassword ?? server.password,
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    if (add.isPending) return;
    const problems: Partial<Record<Field, string>> = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) problems.email = 'Enter an email address, like name@example.com.';
    if (name.trim() === '') problems.name = 'Enter the name colleagues know them by.';
    if (roles.length === 0) problems.roles = 'Choose at least one role.';
    if (password !== '' && password.length < MIN_PASSWORD) {
      problems.password = `A password has at least ${MIN_PASSWORD} characters (or leave it empty).`;
    }
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    add.reset();
    add.mutate(
      { email: email.trim(), name: name.trim(), roles, ...(password ? { password } : {}) },
      { onSuccess: (a) => onAdded(a) },
    );
  }

  return (
    <form className="panel user-form" aria-labelledby={ids.title} onSubmit={submit} noValidate>
      <h2 className="panel-title" id={ids.title}>
        Add a user
      </h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.email}>Email</label>
          <input
            id={ids.email}
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={errors.email ? true : undefined}
            aria-describedby={describedBy(errors.email && ids.emailError)}
            data-autofocus
          />
          <FieldError id={ids.emailError} message={errors.email} />
        </div>
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input
            id={ids.name}
            type="text"
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy(errors.name && ids.nameError)}
          />
          <FieldError id={ids.nameError} message={errors.name} />
        </div>
      </div>
      <RoleFields legend="Roles" roles={roles} onChange={setRoles} errorId={ids.rolesError} error={errors.roles} />
      <div className="field">
        <label htmlFor={ids.password}>Password (optional)</label>
        <input
          id={ids.password}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={describedBy(ids.passwordHint, errors.password && ids.passwordError)}
        />
        <p className="field-hint" id={ids.passwordHint}>
          At least {MIN_PASSWORD} characters; give it to them in person. Leave it empty for a user who only uses API
          tokens (an integration): they cannot sign in to the dashboard.
        </p>
        <FieldError id={ids.passwordError} message={errors.password} />
      </div>
      {add.error && !taken ? <ErrorNotice error={add.error} title="Not added" /> : null}
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add user'}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel} disabled={add.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
