import { useId, useState, type FormEvent } from 'react';
import type { Account, Role } from '../api/types';
import { useCan } from '../auth/can';
import { fieldErrorsOf } from '../campaigns/draft';
import { formatDateTime } from '../lib/format';
import { ConfirmDialog } from '../shell/Dialog';
import { ErrorNotice } from '../shell/ErrorNotice';
import { describeRoles, useSignOutEverywhere, useTokens, useUpdateAccount } from './api';
import { DisabledReason, disabledBecause } from './DisabledReason';
import { RoleFields } from './RoleFields';
import { TokensPanel } from './TokensPanel';

type Confirming = 'disable' | 'enable' | 'sessions' | null;

/**
 * One user, for an admin: their roles (changed with PATCH), their access
 * (disable — which ends every session and revokes every token — or enable),
 * "Sign out everywhere", and their API tokens. Each consequential step asks
 * first and says what it will do.
 */
export function UserPanel({
  account,
  accounts,
  selfId,
  onClose,
}: {
  account: Account;
  accounts: readonly Account[];
  selfId: string | undefined;
  onClose: () => void;
}) {
  const can = useCan();
  const ids = { title: useId() };
  const isSelf = account.id === selfId;
  return (
    <section className="panel user-panel" aria-labelledby={ids.title}>
      <div className="section-bar user-panel-head">
        <h2 className="panel-title" id={ids.title}>
          {account.name}
          {isSelf ? ' (you)' : ''}
        </h2>
        <button type="button" className="button button--secondary button--small" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="muted user-panel-email">{account.email}</p>
      <RolesForm account={account} isSelf={isSelf} />
      <Access account={account} isSelf={isSelf} mayListTokens={can('token.manage')} />
      {can('token.manage') ? <TokensPanel account={account} accounts={accounts} /> : null}
    </section>
  );
}

function RolesForm({ account, isSelf }: { account: Account; isSelf: boolean }) {
  const update = useUpdateAccount(account.id, isSelf ? account.id : undefined);
  const [roles, setRoles] = useState<Role[]>(account.roles);
  const [saved, setSaved] = useState(false);
  const ids = { error: useId(), why: useId(), self: useId() };
  const unchanged = roles.length === account.roles.length && roles.every((r) => account.roles.includes(r));
  const localError = roles.length === 0 ? 'Choose at least one role.' : undefined;
  const error = localError ?? fieldErrorsOf(update.error).roles;
  const why = update.isPending
    ? undefined
    : unchanged
      ? 'Tick or untick a role to change what they may do.'
      : localError
        ? 'A user needs at least one role.'
        : undefined;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (why || update.isPending) return;
    setSaved(false);
    update.mutate(
      { roles },
      {
        onSuccess: (a) => {
          setRoles(a.roles);
          setSaved(true);
        },
      },
    );
  }

  return (
    <form className="user-roles" aria-label={`Roles of ${account.name}`} onSubmit={submit} noValidate>
      <RoleFields
        legend="Roles"
        roles={roles}
        onChange={(r) => {
          setSaved(false);
          setRoles(r);
        }}
        errorId={ids.error}
        error={error}
      />
      {isSelf && account.roles.includes('admin') && !roles.includes('admin') ? (
        <p className="callout callout--warn" id={ids.self}>
          Without the admin role you lose this page as soon as you save.
        </p>
      ) : null}
      {update.error && !fieldErrorsOf(update.error).roles ? <ErrorNotice error={update.error} title="Roles not saved" /> : null}
      <div className="form-actions">
        <button type="submit" className="button button--secondary" {...disabledBecause(ids.why, why)} disabled={!!why || update.isPending}>
          {update.isPending ? 'Saving…' : 'Save roles'}
        </button>
        <DisabledReason id={ids.why} reason={why} />
        {saved && unchanged ? (
          <p role="status" className="preflight-ok">
            Saved: {account.name} is now {describeRoles(account.roles)}, from their next request.
          </p>
        ) : null}
      </div>
    </form>
  );
}

function Access({ account, isSelf, mayListTokens }: { account: Account; isSelf: boolean; mayListTokens: boolean }) {
  const update = useUpdateAccount(account.id, isSelf ? account.id : undefined);
  const signOut = useSignOutEverywhere(account.id);
  const tokens = useTokens(account.id, mayListTokens);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [done, setDone] = useState<string | null>(null);
  const ids = { title: useId(), disableWhy: useId(), sessionsWhy: useId() };
  const activeTokens = tokens.data?.filter((t) => !t.revoked_at).length;

  const disableWhy = isSelf
    ? 'You cannot disable yourself here: you would be signed out at once. Ask another admin.'
    : undefined;
  const sessionsWhy = account.disabled ? `${account.name} is disabled: they have no sessions left to end.` : undefined;

  function close() {
    update.reset();
    signOut.reset();
    setConfirming(null);
  }

  function setDisabled(disabled: boolean) {
    update.mutate(
      { disabled },
      {
        onSuccess: (a) => {
          setConfirming(null);
          setDone(
            disabled
              ? `Disabled ${a.name}: they cannot sign in, their sessions ended and their tokens are revoked.`
              : `Enabled ${a.name}: they can sign in again; tokens revoked earlier stay revoked.`,
          );
        },
      },
    );
  }

  return (
    <section className="user-access" aria-labelledby={ids.title}>
      <h3 className="subheading" id={ids.title}>
        Access
      </h3>
      <p>
        {account.disabled
          ? `Disabled${account.disabled_at ? ` since ${formatDateTime(account.disabled_at)}` : ''}: cannot sign in, and no token of theirs works.`
          : account.has_password
            ? 'Active: signs in with a password.'
            : 'Active, API tokens only: no password, so they cannot sign in to the dashboard.'}
      </p>
      <div className="action-bar">
        {account.disabled ? (
          <button type="button" className="button button--secondary" onClick={() => setConfirming('enable')}>
            Enable {account.name}
          </button>
        ) : (
          <span className="control-with-reason">
            <button
              type="button"
              className="button button--danger"
              onClick={() => setConfirming('disable')}
              {...disabledBecause(ids.disableWhy, disableWhy)}
            >
              Disable {account.name}
            </button>
            <DisabledReason id={ids.disableWhy} reason={disableWhy} />
          </span>
        )}
        <span className="control-with-reason">
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              setDone(null);
              setConfirming('sessions');
            }}
            {...disabledBecause(ids.sessionsWhy, sessionsWhy)}
          >
            Sign out everywhere
          </button>
          <DisabledReason id={ids.sessionsWhy} reason={sessionsWhy} />
        </span>
      </div>
      {done ? (
        <p className="preflight-ok" role="status">
          {done}
        </p>
      ) : null}

      {confirming === 'disable' ? (
        <ConfirmDialog
          title={`Disable ${account.name}?`}
          confirmLabel={`Disable ${account.name}`}
          tone="danger"
          pending={update.isPending}
          error={update.error ? <ErrorNotice error={update.error} title="Not disabled" /> : undefined}
          onConfirm={() => setDisabled(true)}
          onClose={close}
        >
          <p>This is how someone leaves. At once:</p>
          <ul className="plain-list">
            <li>they cannot sign in any more;</li>
            <li>every session of theirs ends, in every browser;</li>
            <li>
              {activeTokens === undefined
                ? 'every API token of theirs is revoked'
                : activeTokens === 0
                  ? 'they have no active API token to revoke'
                  : `their ${activeTokens === 1 ? 'API token is' : `${activeTokens} API tokens are`} revoked`}
              , and enabling them later does not bring tokens back.
            </li>
          </ul>
          <p>Incidents and tasks they own stay theirs: reassign them if needed.</p>
        </ConfirmDialog>
      ) : null}
      {confirming === 'enable' ? (
        <ConfirmDialog
          title={`Enable ${account.name}?`}
          confirmLabel={`Enable ${account.name}`}
          pending={update.isPending}
          error={update.error ? <ErrorNotice error={update.error} title="Not enabled" /> : undefined}
          onConfirm={() => setDisabled(false)}
          onClose={close}
        >
          <p>
            They can sign in again with their password, with the roles listed here. Tokens revoked when they were
            disabled stay revoked: create new ones if they need them.
          </p>
        </ConfirmDialog>
      ) : null}
      {confirming === 'sessions' ? (
        <ConfirmDialog
          title={`Sign ${account.name} out everywhere?`}
          confirmLabel="Sign out everywhere"
          tone="danger"
          pending={signOut.isPending}
          error={signOut.error ? <ErrorNotice error={signOut.error} title="Not signed out" /> : undefined}
          onConfirm={() =>
            signOut.mutate(undefined, {
              onSuccess: (r) => {
                setConfirming(null);
                setDone(
                  `Signed ${account.name} out everywhere: ${r.sessions_revoked === 1 ? '1 session' : `${r.sessions_revoked} sessions`} ended.`,
                );
              },
            })
          }
          onClose={close}
        >
          <p>
            Every session of theirs ends now{isSelf ? ', this one included: you will be back at the sign-in page' : ''};
            they must sign in again. Their API tokens keep working: revoke those below.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
