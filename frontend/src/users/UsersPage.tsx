import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { Account } from '../api/types';
import { useCan } from '../auth/can';
import { useSession } from '../auth/session';
import { formatDateTime } from '../lib/format';
import { Badge } from '../shell/Badge';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { AddUserForm } from './AddUserForm';
import { describeRoles, useAccounts } from './api';
import { UserPanel } from './UserPanel';

/**
 * /users — who may use Firebreak (admin, user.manage): every user with their
 * roles and whether they may sign in; add one; open one (`?user=<id>`) to
 * change roles, disable or enable, sign out everywhere, and manage their API
 * tokens. Anyone else gets a note and the page asks the server nothing.
 */
export function UsersPage() {
  const can = useCan();
  const allowed = can('user.manage');
  const { data: session } = useSession();
  const accounts = useAccounts(allowed);
  const [params, setParams] = useSearchParams();
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<Account | null>(null);
  const openId = params.get('user');
  const open = accounts.data?.find((u) => u.id === openId);

  function select(id: string | null) {
    setParams(id ? { user: id } : {}, { replace: true });
  }

  if (!allowed) {
    return (
      <>
        <PageHeader title="Users" />
        <p className="callout" role="note">
          Only an admin can see and change users and API tokens. Ask an admin to add someone, change their roles,
          or revoke a token.
        </p>
      </>
    );
  }

  return (
    <>
      <PageHeader title="Users">
        Who may use Firebreak, with which roles, and the API tokens that act for them.
      </PageHeader>
      <div className="page-actions">
        {adding ? null : (
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              setAdded(null);
              setAdding(true);
            }}
          >
            Add a user
          </button>
        )}
      </div>
      {adding ? (
        <AddUserForm
          onCancel={() => setAdding(false)}
          onAdded={(a) => {
            setAdding(false);
            setAdded(a);
            select(a.id);
          }}
        />
      ) : null}
      {added ? (
        <p className="preflight-ok users-status" role="status">
          Added {added.name} ({describeRoles(added.roles)}).{' '}
          {added.has_password ? 'They can sign in with the password you set.' : 'Without a password they can only use API tokens.'}
        </p>
      ) : null}
      {accounts.isPending ? <Loading label="Loading users…" /> : null}
      {accounts.isError ? (
        <ErrorNotice error={accounts.error} title="Could not load users" onRetry={() => void accounts.refetch()} />
      ) : null}
      {accounts.data ? (
        <div className="table-wrap">
          <table className="data-table users-table">
            <caption className="visually-hidden">Users by email</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Roles</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.data.map((u) => (
                <tr key={u.id} data-user-id={u.id} className={u.disabled ? 'row--closed' : undefined}>
                  <th scope="row" data-label="User">
                    <span className="row-title">
                      {u.name}
                      {u.id === session?.user.id ? ' (you)' : ''}
                    </span>
                    <span className="row-sub">{u.email}</span>
                  </th>
                  <td data-label="Roles">{describeRoles(u.roles)}</td>
                  <td data-label="Status">
                    {u.disabled ? (
                      <>
                        <Badge tone="muted">Disabled</Badge>
                        {u.disabled_at ? <span className="row-sub">since {formatDateTime(u.disabled_at)}</span> : null}
                      </>
                    ) : (
                      <>
                        <Badge tone="good">Active</Badge>
                        <span className="row-sub">{u.has_password ? 'password' : 'API tokens only'}</span>
                      </>
                    )}
                  </td>
                  <td className="actions" data-label="Actions">
                    <button
                      type="button"
                      className="button button--secondary button--small"
                      aria-label={`Manage ${u.name}`}
                      aria-expanded={u.id === openId}
                      onClick={() => {
                        setAdded(null);
                        select(u.id === openId ? null : u.id);
                      }}
                    >
                      Manage
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {openId && accounts.data && !open ? (
        <p className="callout" role="note">
          No user has that id any more; choose one from the list.
        </p>
      ) : null}
      {open && accounts.data ? (
        <UserPanel key={open.id} account={open} accounts={accounts.data} selfId={session?.user.id} onClose={() => select(null)} />
      ) : null}
    </>
  );
}
