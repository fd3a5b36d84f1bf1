/**
 * In-app alerts (issue 16): the shell watches GET /api/v1/incidents (the live
 * incidents list, shared with the incidents page) and, for an incident that
 * opens while you are signed in and whose runbook pages one of your roles (its
 * acknowledge.escalation), or one that becomes yours, shows a toast linking to
 * it, counts the alerts in the tab's title ("(2) Firebreak") and, when you
 * opted in, raises a browser notification. What was already open when the page
 * loaded is not announced: the incidents page lists it.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Link, useLocation } from 'react-router';
import type { Incident, Runbook, User } from '../api/types';
import { incidentTitle } from '../incidents/describe';
import { useIncidents, useRunbooks } from '../incidents/api';

export interface IncidentAlert {
  incident: Incident;
  /** new: it opened and pages your role (or is yours); owned: it became yours. */
  reason: 'new' | 'owned';
}

const OPT_IN_KEY = 'firebreak.browserNotifications';

// The alerts not yet dismissed, for the tab's title: PageHeader renders the
// page's <title> (React owns it), so the count reaches it through this store.
let alertCount = 0;
const countListeners = new Set<() => void>();
function setAlertCount(n: number) {
  if (n === alertCount) return;
  alertCount = n;
  countListeners.forEach((l) => l());
}

/** How many incident alerts wait: the "(2) " in front of the tab's title. */
export function useAlertCount(): number {
  return useSyncExternalStore(
    (l) => {
      countListeners.add(l);
      return () => countListeners.delete(l);
    },
    () => alertCount,
  );
}

/** The roles a runbook pages when nobody acknowledges; undefined when the runbook is unknown. */
function pagedRoles(runbooks: Runbook[] | undefined, id: string): string[] | undefined {
  const rb = runbooks?.find((r) => r.id === id);
  return rb?.acknowledge.escalation.flatMap((t) => (t.role ? [t.role] : []));
}

/**
 * Whether an incident concerns user: it is theirs, or its runbook pages one of
 * their roles. With the runbooks unknown (not loaded, or failed), every open
 * incident does: better one alert too many than an incident nobody hears of.
 */
export function concerns(inc: Incident, user: User, runbooks: Runbook[] | undefined): boolean {
  if (inc.owner === user.id) return true;
  const roles = pagedRoles(runbooks, inc.runbook);
  return roles === undefined || roles.some((r) => (user.roles as string[]).includes(r));
}

/**
 * New alerts between two looks at the incidents list: an open incident that was
 * not there before and concerns the user, or one that was someone else's (or
 * nobody's) and is now the user's.
 */
export function newAlerts(before: Map<string, Incident>, now: Incident[], user: User, runbooks: Runbook[] | undefined): IncidentAlert[] {
  const out: IncidentAlert[] = [];
  for (const inc of now) {
    if (inc.status !== 'open') continue;
    const prev = before.get(inc.id);
    if (!prev) {
      if (concerns(inc, user, runbooks)) out.push({ incident: inc, reason: 'new' });
    } else if (prev.owner !== user.id && inc.owner === user.id) {
      out.push({ incident: inc, reason: 'owned' });
    }
  }
  return out;
}

function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

function optedIn(): boolean {
  return notificationsSupported() && Notification.permission === 'granted' && localStorage.getItem(OPT_IN_KEY) === '1';
}

function notifyBrowser(a: IncidentAlert) {
  if (!optedIn()) return;
  try {
    const n = new Notification(a.reason === 'owned' ? 'You now own an incident' : `New ${a.incident.severity} incident`, {
      body: incidentTitle(a.incident),
      tag: `firebreak-incident-${a.incident.id}`,
    });
    n.onclick = () => {
      window.focus();
      window.location.assign(`/incidents/${encodeURIComponent(a.incident.id)}`);
    };
  } catch {
    // Some browsers only allow notifications from a service worker: the toast and the title still tell.
  }
}

/** Watches the incidents and keeps the alerts not yet dismissed; keeps document.title's count in step. */
export function useIncidentAlerts(user: User) {
  const incidents = useIncidents();
  const runbooks = useRunbooks();
  const location = useLocation();
  const known = useRef<Map<string, Incident> | null>(null);
  const [alerts, setAlerts] = useState<IncidentAlert[]>([]);
  const here = location.pathname;

  useEffect(() => {
    const list = incidents.data;
    if (!list) return;
    const before = known.current;
    known.current = new Map(list.map((i) => [i.id, i]));
    if (!before) return; // the first look: what is open already is on the incidents page
    // Becoming the owner on the incident's own page is your own doing (Acknowledge): no alert for that.
    const fresh = newAlerts(before, list, user, runbooks.data).filter(
      (a) => !(a.reason === 'owned' && here === `/incidents/${a.incident.id}`),
    );
    if (fresh.length === 0) return;
    setAlerts((cur) => [...cur.filter((c) => !fresh.some((f) => f.incident.id === c.incident.id)), ...fresh]);
    fresh.forEach(notifyBrowser);
  }, [incidents.data, runbooks.data, user, here]);

  // Opening the incident is reading the alert.
  useEffect(() => {
    setAlerts((cur) => (cur.some((a) => here === `/incidents/${a.incident.id}`) ? cur.filter((a) => here !== `/incidents/${a.incident.id}`) : cur));
  }, [here]);

  useEffect(() => setAlertCount(alerts.length), [alerts.length]);
  useEffect(() => () => setAlertCount(0), []);

  const dismiss = (id: string) => setAlerts((cur) => cur.filter((a) => a.incident.id !== id));
  return { alerts, dismiss };
}

/** The toasts, newest last, each dismissible and linking to its incident. */
export function IncidentAlerts({ user }: { user: User }) {
  const { alerts, dismiss } = useIncidentAlerts(user);
  return (
    <section className="toasts" aria-label="Incident alerts">
      {alerts.map(({ incident: inc, reason }) => {
        const title = incidentTitle(inc);
        return (
          <div key={inc.id} className={`toast toast--${inc.severity}`} role="alert">
            <p className="toast-what">
              <strong>{reason === 'owned' ? 'You now own an incident' : `New ${inc.severity} incident`}</strong>
              {reason === 'new' ? (inc.owner ? '' : ' · nobody owns it yet') : ''}
            </p>
            <p className="toast-title">
              <Link to={`/incidents/${encodeURIComponent(inc.id)}`} onClick={() => dismiss(inc.id)}>
                {title}
              </Link>
            </p>
            <button type="button" className="toast-close" aria-label={`Dismiss the alert “${title}”`} onClick={() => dismiss(inc.id)}>
              ×
            </button>
          </div>
        );
      })}
    </section>
  );
}

/**
 * Asks the browser's permission for incident notifications (Notification.requestPermission
 * needs a click); shown while the browser can and the user has not opted in yet.
 */
export function BrowserNotificationsButton() {
  const [on, setOn] = useState(optedIn);
  const [denied, setDenied] = useState(() => notificationsSupported() && Notification.permission === 'denied');
  if (!notificationsSupported() || on || denied) return null;
  async function ask() {
    const p = await Notification.requestPermission();
    if (p === 'granted') {
      localStorage.setItem(OPT_IN_KEY, '1');
      setOn(true);
    } else if (p === 'denied') {
      setDenied(true);
    }
  }
  return (
    <button type="button" className="button button--quiet" onClick={() => void ask()}>
      Notify me of incidents
    </button>
  );
}
