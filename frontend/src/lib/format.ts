/** How numbers, rates, times and durations read everywhere in the dashboard. */
import { differenceInSeconds, format, isValid, parseISO } from 'date-fns';

const integer = new Intl.NumberFormat('en-US');

/** 12345 → "12,345". */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : integer.format(n);
}

/** A ratio (0.0123) as a percentage with two decimals: "1.23 %". */
export function formatRate(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—';
  return `${(ratio * 100).toFixed(2)} %`;
}

/** Cents as dollars: 123456 → "$1,234.56". */
export function formatCents(cents: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
}

export function toDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = parseISO(iso);
  return isValid(d) ? d : null;
}

/** Local wall-clock time "14:32". */
export function formatTime(iso: string | null | undefined): string {
  const d = toDate(iso);
  return d ? format(d, 'HH:mm') : '—';
}

/** Local time with seconds "14:32:05". */
export function formatTimeSeconds(iso: string | null | undefined): string {
  const d = toDate(iso);
  return d ? format(d, 'HH:mm:ss') : '—';
}

/** Local date and time "3 Jun 14:32". */
export function formatDateTime(iso: string | null | undefined): string {
  const d = toDate(iso);
  return d ? format(d, 'd MMM HH:mm') : '—';
}

/** Local date and time to the second, for a hover: "3 Jun 2030, 14:32:05". */
export function formatDateTimeSeconds(iso: string | null | undefined): string {
  const d = toDate(iso);
  return d ? format(d, 'd MMM yyyy, HH:mm:ss') : '—';
}

/** Seconds as a short duration: "45 s", "4 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** A countdown clock: "4:05", "71:59:12". Negative values count up from zero. */
export function formatClock(totalSeconds: number): string {
  const s = Math.abs(Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** Whole seconds from `now` until `iso` (negative once past). */
export function secondsUntil(iso: string | null | undefined, now: Date): number | null {
  const d = toDate(iso);
  return d ? differenceInSeconds(d, now) : null;
}

/** Whole seconds from `iso` until `now`. */
export function secondsSince(iso: string | null | undefined, now: Date): number | null {
  const d = toDate(iso);
  return d ? differenceInSeconds(now, d) : null;
}

/** "complaint_rate" → "complaint rate"; "deliverability-spike" → "deliverability spike". */
export function humanize(id: string): string {
  return id.replaceAll(/[_-]+/g, ' ');
}

/** "n thing" / "n things". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
