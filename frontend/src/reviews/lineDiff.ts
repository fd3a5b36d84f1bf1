/**
 * A line diff by longest common subsequence, for "what changed since you last
 * saw it": a notice is a few hundred lines at most, so the O(n·m) table is
 * cheap, and a small function of our own is easier to trust than a dependency.
 * Lines are compared exactly (whitespace counts: a reviewer approves the exact
 * text).
 */
export type DiffOp = 'same' | 'added' | 'removed';

export interface DiffLine {
  op: DiffOp;
  text: string;
}

/** Splits a body into lines; "" is no lines at all (an empty subject or part). */
export function splitLines(s: string): string[] {
  if (s === '') return [];
  return s.replace(/\r\n?/g, '\n').split('\n');
}

/**
 * The lines of `after` against `before`, in order: unchanged lines as `same`,
 * lines only in `before` as `removed` (listed before the lines that replace
 * them), lines only in `after` as `added`.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i:] and b[j:].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push({ op: 'removed', text: a[i]! });
      i++;
    } else {
      out.push({ op: 'added', text: b[j]! });
      j++;
    }
  }
  while (i < n) out.push({ op: 'removed', text: a[i++]! });
  while (j < m) out.push({ op: 'added', text: b[j++]! });
  return out;
}

/** Whether a diff has any change in it. */
export function hasChanges(diff: readonly DiffLine[]): boolean {
  return diff.some((l) => l.op !== 'same');
}
