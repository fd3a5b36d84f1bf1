import type { ReactNode } from 'react';

/** The top of a page: its heading (which also names the browser tab) and an optional line of context. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <title>{`${title} · Firebreak`}</title>
      <h1 className="page-title">{title}</h1>
      {children ? <p className="page-intro">{children}</p> : null}
    </div>
  );
}
