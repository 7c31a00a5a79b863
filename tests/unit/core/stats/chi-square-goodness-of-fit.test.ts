import { describe, expect, it } from 'vitest';
import { chiSquareGoodnessOfFit } from '../../../../functions/core/stats/chi-square-goodness-of-fit.ts';

const relErr = (a: number | null, e: number) => Math.abs((a ?? Number.NaN) - e) / Math.abs(e);

describe('chiSquareGoodnessOfFit', () => {
  it('chisquare([50, 30, 20], f_exp=[40, 40, 20]) = (5.0, 0.0820849986238988) [scipy]', () => {
    const r = chiSquareGoodnessOfFit([50, 30, 20], [0.4, 0.4, 0.2]);
    expect(r.statistic).toBeCloseTo(5, 12);
    expect(r.df).toBe(2);
    expect(relErr(r.pValue, 0.0820849986238988)).toBeLessThan(1e-12);
    expect(r.monteCarlo).toBeUndefined();
    expect(r.method).not.toContain('Monte-Carlo');
  });

  it('[1, 2, 60] vs [0.1, 0.1, 0.8]: asymptotic p 0.009940766872773947 [scipy], Monte-Carlo near the exact 0.00996', () => {
    // scipy.stats.chisquare([1, 2, 60], f_exp=63 * np.array([0.1, 0.1, 0.8])) -> (9.222222222222221, 0.009940766872773947)
    // exact multinomial p (full enumeration, tests/oracles/stats_oracle.py) = 0.009962696579484741
    // @stdlib/stats-chi2gof with simulate: true returned 1 here (DESIGN.md).
    const r = chiSquareGoodnessOfFit([1, 2, 60], [0.1, 0.1, 0.8], { simulate: 'always' });
    expect(relErr(r.pValue, 0.009940766872773947)).toBeLessThan(1e-12);
    expect(r.monteCarlo?.seed).toBe(42);
    expect(r.monteCarlo?.draws).toBe(10000);
    expect(Math.abs((r.monteCarlo?.pValue ?? 1) - 0.009962696579484741)).toBeLessThan(0.0046);
    expect(r.method).toContain('Monte-Carlo, 10000 draws, seed 42');
  });

  it('is reproducible for a seed', () => {
    const a = chiSquareGoodnessOfFit([0, 3, 7], [0.2, 0.3, 0.5], { seed: 123, draws: 2000 });
    const b = chiSquareGoodnessOfFit([0, 3, 7], [0.2, 0.3, 0.5], { seed: 123, draws: 2000 });
    expect(a.monteCarlo).toEqual(b.monteCarlo);
    expect(a.method).toContain('Monte-Carlo, 2000 draws, seed 123');
  });

  it('unexpected group: reference share 0 with rows -> statistic null, p = 0, listed', () => {
    // scipy.stats.chisquare([5, 3, 7], f_exp=[7.5, 0, 7.5]) -> (inf, 0.0)
    const r = chiSquareGoodnessOfFit([5, 3, 7], [0.5, 0, 0.5]);
    expect(r.statistic).toBeNull();
    expect(r.pValue).toBe(0);
    expect(r.df).toBe(2);
    expect(r.unexpectedGroups).toEqual([1]);
    expect(r.reason).toBeTypeOf('string');
  });

  it('drops a group absent from both sides from k', () => {
    // scipy.stats.chisquare([5, 7], f_exp=[6, 6]) -> (0.3333333333333333, 0.5637028616507731)
    const r = chiSquareGoodnessOfFit([5, 0, 7], [0.5, 0, 0.5]);
    expect(r.df).toBe(1);
    expect(relErr(r.pValue, 0.5637028616507731)).toBeLessThan(1e-12);
  });

  it('one group: df = 0 and a null p-value with a reason (scipy gives nan)', () => {
    const r = chiSquareGoodnessOfFit([10], [1]);
    expect(r.statistic).toBe(0);
    expect(r.df).toBe(0);
    expect(r.pValue).toBeNull();
    expect(r.reason).toContain('one group');
  });

  it('weighted (non-integer) counts: asymptotic only, Monte-Carlo skipped and said so', () => {
    const r = chiSquareGoodnessOfFit([1.5, 2.25, 60.1], [0.05, 0.05, 0.9]);
    expect(r.pValue).not.toBeNull();
    expect(r.monteCarlo).toBeUndefined();
    expect(r.method).toContain('Monte-Carlo skipped');
  });

  it('invalid input gives nulls with a reason; bad options throw RangeError', () => {
    expect(chiSquareGoodnessOfFit([1, 2], [0.5]).reason).toContain('same groups');
    expect(chiSquareGoodnessOfFit([0, 0], [0.5, 0.5]).reason).toContain('N = 0');
    expect(chiSquareGoodnessOfFit([1, -2], [0.5, 0.5]).statistic).toBeNull();
    expect(() => chiSquareGoodnessOfFit([1, 2], [0.5, 0.5], { seed: 0 })).toThrow(RangeError);
    expect(() => chiSquareGoodnessOfFit([1, 2], [0.5, 0.5], { draws: 1.5 })).toThrow(RangeError);
  });
});
