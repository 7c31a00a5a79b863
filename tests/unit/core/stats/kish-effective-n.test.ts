import { describe, expect, it } from 'vitest';
import { effectiveRows } from '../../../../functions/core/stats/kish-effective-n.ts';

describe('effectiveRows', () => {
  it('is the row count without weights, whatever the sums say', () => {
    expect(effectiveRows(false, 7, 7, 7)).toBe(7);
    expect(effectiveRows(false, 3, 0, 0)).toBe(3);
  });

  it("is Kish's N_eff with weights", () => {
    // numpy: w = [1, 2, 3]; w.sum()**2 / (w**2).sum() = 36 / 14
    expect(effectiveRows(true, 3, 6, 14)).toBeCloseTo(36 / 14, 15);
  });

  it('is 0 where N_eff is undefined: no row carries weight, or no squared sum', () => {
    expect(effectiveRows(true, 4, 0, 0)).toBe(0);
    expect(effectiveRows(true, 4, 5, 0)).toBe(0);
    expect(effectiveRows(true, 4, Number.NaN, 1)).toBe(0);
  });
});
