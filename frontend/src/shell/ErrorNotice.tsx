import type { ReactNode } from 'react';
import { isApiError } from '../api/client';

/**
 * An API failure in words: the server's message (the `{error:{code,message}}`
 * shape), what we were trying to do, anything the caller adds (children), and a
 * retry when one makes sense.
 */
export function ErrorNotice({
  error,
  title,
  onRetry,
  children,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  const code = isApiError(error) ? error.code : undefined;
  return (
    <div className="alert alert--error notice" role="alert" data-error-code={code}>
      <p>
        {title ? <strong>{title}: </strong> : null}
        {message}
      </p>
      {children}
      {onRetry ? (
        <button type="button" className="button button--secondary button--small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A calm "loading" line that screen readers announce. */
export function Loading({ label }: { label: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
