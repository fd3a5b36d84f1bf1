import { useId, useState, type FormEvent } from 'react';
import type { Account, ApiToken } from '../api/types';
import { formatDateTime, formatTimeSeconds } from '../lib/format';
import { Badge } from '../shell/Badge';
import { ConfirmDialog } from '../shell/Dialog';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { describeMinter, useCreateToken, useRevokeToken, useTokens } from './api';
import { DisabledReason, disabledBecause } from './DisabledReason';

/**
 * A user's API tokens (token.manage): each with who minted it, when, when it
 * was last used and whether it is revoked; an admin creates one (its secret
 * is shown here once, with a copy button) and revokes one after a second look.
 */
export function TokensPanel({ account, accounts }: { account: Account; accounts: readonly Account[] }) {
  const tokens = useTokens(account.id, true);
  const create = useCreateToken(account.id);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<ApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [revoked, setRevoked] = useState<ApiToken | null>(null);
  const ids = { title: useId(), name: useId(), nameHint: useId(), why: useId() };
  const cannotCreate = account.disabled
    ? `${account.name} is disabled: enable them first, a disabled user’s tokens are refused.`
    : undefined;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (create.isPending || cannotCreate) return;
    setRevoked(null);
    create.mutate(
      { email: account.email, ...(name.trim() ? { name: name.trim() } : {}) },
      {
        onSuccess: (t) => {
          setSecret(t);
          setName('');
        },
      },
    );
  }

  return (
    <section className="tokens" aria-labelledby={ids.title}>
      <h3 className="subheading" id={ids.title}>
        API tokens
      </h3>
      <p className="muted">
        A token acts as {account.name} with their roles, for scripts and integrations (header{' '}
        <code>Authorization: Bearer …</code>). Firebreak keeps only a hash of each one.
      </p>
      {tokens.isPending ? <Loading label="Loading tokens…" /> : null}
      {tokens.isError ? (
        <ErrorNotice error={tokens.error} title="Could not load tokens" onRetry={() => void tokens.refetch()} />
      ) : null}
      {tokens.data && tokens.data.length === 0 ? <p className="empty-inline">No API tokens for {account.name}.</p> : null}
      {tokens.data && tokens.data.length > 0 ? (
        <div className="table-wrap">
          <table className="data-table tokens-table">
            <caption className="visually-hidden">API tokens of {account.name}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Minted by</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.id} data-token-id={t.id} className={t.revoked_at ? 'row--closed' : undefined}>
                  <th scope="row" data-label="Token">
                    <span className="row-title">{t.name || 'unnamed'}</span>
                    <span className="row-sub">
                      <code>{t.prefix}…</code>
                    </span>
                  </th>
                  <td data-label="Minted by">{describeMinter(t.created_by, accounts)}</td>
                  <td data-label="Created">
                    <When iso={t.created_at} />
                  </td>
                  <td data-label="Last used">{t.last_used_at ? <When iso={t.last_used_at} /> : 'never'}</td>
                  <td data-label="Status">
                    {t.revoked_at ? (
                      <>
                        <Badge tone="muted">Revoked</Badge> <When iso={t.revoked_at} />
                      </>
                    ) : (
                      <Badge tone="good">Active</Badge>
                    )}
                  </td>
                  <td className="actions" data-label="Actions">
                    {t.revoked_at ? null : (
                      <button
                        type="button"
                        className="button button--secondary button--small"
                        aria-label={`Revoke token ${t.name || t.prefix}`}
                        onClick={() => {
                          setRevoked(null);
                          setRevoking(t);
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {revoked ? (
        <p className="preflight-ok" role="status">
          Revoked token {revoked.name || revoked.prefix}: anything still using it is refused from now on.
        </p>
      ) : null}

      {secret?.token ? (
        <NewSecret
          token={secret}
          owner={account.name}
          onDone={() => {
            setSecret(null);
            create.reset();
          }}
        />
      ) : (
        <form className="inline-form token-form" aria-label={`Create a token for ${account.name}`} onSubmit={submit}>
          <div className="field">
            <label htmlFor={ids.name}>What it is for</label>
            <input
              id={ids.name}
              type="text"
              value={name}
              placeholder="e.g. ci or zapier"
              onChange={(e) => setName(e.target.value)}
              {...disabledBecause(ids.why, cannotCreate)}
              aria-describedby={cannotCreate ? `${ids.nameHint} ${ids.why}` : ids.nameHint}
            />
            <p className="field-hint visually-hidden" id={ids.nameHint}>
              Optional: a name that tells the tokens apart.
            </p>
          </div>
          <button
            type="submit"
            className="button button--primary"
            {...disabledBecause(ids.why, cannotCreate)}
            disabled={!!cannotCreate || create.isPending}
          >
            {create.isPending ? 'Creating…' : 'Create token'}
          </button>
          <DisabledReason id={ids.why} reason={cannotCreate} />
        </form>
      )}
      {create.error ? <ErrorNotice error={create.error} title="No token created" /> : null}

      {revoking ? (
        <RevokeDialog
          token={revoking}
          owner={account}
          onClose={() => setRevoking(null)}
          onRevoked={(t) => {
            setRevoking(null);
            setRevoked(t);
          }}
        />
      ) : null}
    </section>
  );
}

/** A time to the minute, with seconds on hover. */
function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatTimeSeconds(iso)}>
      {formatDateTime(iso)}
    </time>
  );
}

/**
 * The secret of a token just created: the only time it is shown. Copy puts it
 * on the clipboard; Done forgets it here for good.
 */
function NewSecret({ token, owner, onDone }: { token: ApiToken; owner: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const ids = { title: useId(), field: useId(), warning: useId() };
  const value = token.token ?? '';

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }

  return (
    <section className="callout callout--warn new-secret" aria-labelledby={ids.title}>
      <h4 className="new-secret-title" id={ids.title}>
        New token {token.name ? `“${token.name}” ` : ''}for {owner}
      </h4>
      <p id={ids.warning}>
        <strong>Copy it now: it will not be shown again.</strong> Firebreak keeps only a hash; if it is lost, revoke it
        and create another.
      </p>
      <div className="inline-form">
        <label className="visually-hidden" htmlFor={ids.field}>
          The token
        </label>
        <input
          id={ids.field}
          className="secret"
          type="text"
          readOnly
          value={value}
          aria-describedby={ids.warning}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" className="button button--primary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="button button--secondary" onClick={onDone}>
          Done, I have stored it
        </button>
      </div>
      {copied === 'yes' ? (
        <p role="status">Copied to the clipboard.</p>
      ) : copied === 'failed' ? (
        <p role="status">The browser did not allow copying: select the token and copy it yourself.</p>
      ) : null}
    </section>
  );
}

function RevokeDialog({
  token,
  owner,
  onClose,
  onRevoked,
}: {
  token: ApiToken;
  owner: Account;
  onClose: () => void;
  onRevoked: (t: ApiToken) => void;
}) {
  const revoke = useRevokeToken(owner.id);
  const label = token.name || token.prefix;
  return (
    <ConfirmDialog
      title={`Revoke token “${label}”?`}
      confirmLabel="Revoke token"
      tone="danger"
      pending={revoke.isPending}
      error={revoke.error ? <ErrorNotice error={revoke.error} title="Not revoked" /> : undefined}
      onConfirm={() => revoke.mutate(token.id, { onSuccess: onRevoked })}
      onClose={onClose}
    >
      <p>
        Anything using it (it starts <code>{token.prefix}</code>) is refused from the next request, and it cannot be
        used again: create a new token if {owner.name} still needs one. Their other tokens and their sign-in are
        untouched.
      </p>
    </ConfirmDialog>
  );
}
