import type { StepName } from '../api/types';

/** The six steps of the crisis response (DESIGN.md), in order. */
export const STEPS: ReadonlyArray<{ name: StepName; title: string; coming?: boolean }> = [
  { name: 'own', title: 'Own it' },
  { name: 'stop', title: 'Stop the fire' },
  { name: 'assess', title: 'Assess' },
  { name: 'plan', title: 'Plan' },
  { name: 'communicate', title: 'Communicate' },
  // Step 6 runs in a later version of Firebreak; the strip shows it as coming.
  { name: 'monitor', title: 'Proceed with caution', coming: true },
];

export function stepTitle(name: string): string {
  return STEPS.find((s) => s.name === name)?.title ?? name;
}

export function stepNumber(name: string): number {
  return STEPS.findIndex((s) => s.name === name) + 1;
}
