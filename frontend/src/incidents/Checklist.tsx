import { useEffect, useState } from 'react';

/**
 * The runbook's checklist for the current step. Ticks are a personal aid kept
 * in this browser only (the API has no checklist state).
 */
export function Checklist({ incidentId, step, items }: { incidentId: string; step: string; items: string[] }) {
  const key = `firebreak.checklist.${incidentId}.${step}`;
  const [checked, setChecked] = useState<number[]>(() => load(key));
  useEffect(() => setChecked(load(key)), [key]);

  function toggle(i: number, on: boolean) {
    const next = on ? [...checked, i] : checked.filter((x) => x !== i);
    setChecked(next);
    try {
      localStorage.setItem(key, JSON.stringify(next));
    } catch {
      // Private mode or full storage: the ticks just do not survive a reload.
    }
  }

  if (items.length === 0) return <p className="muted">The runbook has no checklist for this step.</p>;
  return (
    <ul className="checklist">
      {items.map((item, i) => (
        <li key={i}>
          <label className="checkbox">
            <input type="checkbox" checked={checked.includes(i)} onChange={(e) => toggle(i, e.target.checked)} />
            <span>{item}</span>
          </label>
        </li>
      ))}
    </ul>
  );
}

function load(key: string): number[] {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
  } catch {
    return [];
  }
}
