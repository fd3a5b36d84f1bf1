import type { StepName } from '../api/types';

/** The six steps of the crisis response (DESIGN.md), in order. */
export const STEPS: ReadonlyArray<{ name: StepName; title: string }> = [
  { name: 'own', title: 'Own it' },
  { name: 'stop', title: 'Stop the fire' },
  { name: 'assess', title: 'Assess' },
  { name: 'plan', title: 'Plan' },
  { name: 'communicate', title: 'Communicate' },
  { name: 'monitor', title: 'Proceed with caution' },
];

export function stepTitle(name: string): string {
  return STEPS.find((s) => s.name === name)?.title ?? name;
}

export function stepNumber(name: string): number {
  return STEPS.findIndex((s) => s.name === name) + 1;
}
