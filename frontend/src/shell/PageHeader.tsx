import type { ReactNode } from 'react';
import { useAlertCount } from './IncidentAlerts';

/** The top of a page: its heading (which also names the browser tab) and an optional line of context. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  const alerts = useAlertCount(); // incident alerts waiting: "(2) Campaigns · Firebreak"
  return (
    <div className="page-header">
      <title>{`${alerts > 0 ? `(${alerts}) ` : ''}${title} · Firebreak`}</title>
      <h1 className="page-title">{title}</h1>
      {children ? <p className="page-intro">{children}</p> : null}
    </div>
  );
}
