import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { designEffect } from '../../../../functions/core/stats/design-effect.ts';
import { kishEffectiveN } from '../../../../functions/core/stats/kish-effective-n.ts';

describe('Kish effective N and design effect', () => {
  it('w = [1, 2, 3, 4]: w.sum()**2 / (w**2).sum() = 100/30; np.mean(w**2)/np.mean(w)**2 = 1.2 [numpy]', () => {
    expect(kishEffectiveN(10, 30)).toBeCloseTo(100 / 30, 15);
    expect(designEffect(4, 10, 30)).toBeCloseTo(1.2, 15);
  });

  it('equal weights: N_eff = n and deff = 1', () => {
    expect(kishEffectiveN(10, 10)).toBe(10);
    expect(designEffect(10, 10, 10)).toBe(1);
  });

  it('null when nothing is weighted', () => {
    expect(kishEffectiveN(0, 0)).toBeNull();
    expect(designEffect(0, 0, 0)).toBeNull();
  });

  it('property: 1 ≤ N_eff ≤ n, deff ≥ 1, deff = n / N_eff', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (w) => {
          const s1 = w.reduce((s, x) => s + x, 0);
          const s2 = w.reduce((s, x) => s + x * x, 0);
          const nEff = kishEffectiveN(s1, s2) ?? Number.NaN;
          const deff = designEffect(w.length, s1, s2) ?? Number.NaN;
          expect(nEff).toBeGreaterThanOrEqual(1 - 1e-9);
          expect(nEff).toBeLessThanOrEqual(w.length * (1 + 1e-9));
          expect(deff).toBeGreaterThanOrEqual(1 - 1e-9);
          expect(deff).toBeCloseTo(w.length / nEff, 9);
        },
      ),
      { seed: 13, numRuns: 500 },
    );
  });
});
