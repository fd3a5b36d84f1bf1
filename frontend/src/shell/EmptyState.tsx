import type { ReactNode } from 'react';

/** A calm "nothing here yet" panel: a short headline and one sentence of context. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <section className="empty-state" aria-label={title}>
      <svg className="empty-state-icon" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
        <circle cx="24" cy="24" r="20" fill="none" stroke="currentColor" strokeWidth="2" />
        <path d="M16 25l6 6 11-13" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <h2 className="empty-state-title">{title}</h2>
      {children ? <p className="empty-state-text">{children}</p> : null}
    </section>
  );
}
