import { describe, expect, it } from 'vitest';
import { niceCeil } from './BarChartView';

describe('niceCeil', () => {
  it('rounds an axis top up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceCeil(0.3477)).toBe(0.5);
    expect(niceCeil(0.01)).toBe(0.01);
    expect(niceCeil(0.011)).toBeCloseTo(0.02);
    expect(niceCeil(0.0021)).toBeCloseTo(0.0025);
    expect(niceCeil(7)).toBe(10);
    expect(niceCeil(0)).toBe(1);
  });
});
