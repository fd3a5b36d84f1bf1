import type { ReactNode } from 'react';
import { BrandMark } from './BrandMark';

interface StatusScreenProps {
  title: string;
  children?: ReactNode;
  busy?: boolean;
  tone?: 'neutral' | 'error';
  action?: { label: string; onClick: () => void };
}

/** A full-page message for the moments before the shell can be shown. */
export function StatusScreen({ title, children, busy, tone = 'neutral', action }: StatusScreenProps) {
  return (
    <main className="status-screen" aria-busy={busy || undefined}>
      <div className={`status-card status-card--${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
        <BrandMark />
        <h1 className="status-title">{title}</h1>
        {children ? <p className="status-text">{children}</p> : null}
        {action ? (
          <button type="button" className="button button--primary" onClick={action.onClick}>
            {action.label}
          </button>
        ) : null}
      </div>
    </main>
  );
}
