import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classImbalance,
  differenceInPositiveProportions,
  disparateImpact,
  type FacetLabelCounts,
  fourFifthsRule,
  labelJsDivergence,
  labelKlDivergence,
  labelKolmogorovSmirnov,
  labelLpNorm,
  labelTotalVariationDistance,
  type StatValue,
} from '../../../../functions/core/stats/index.ts';

/** Group (Clarify's facet d) and rest (facet a) as rows and positives. */
function counts(
  groupRows: number,
  groupPositives: number,
  restRows: number,
  restPositives: number,
): FacetLabelCounts {
  return { groupRows, groupPositives, restRows, restPositives };
}

const all = {
  classImbalance,
  differenceInPositiveProportions,
  disparateImpact,
  labelKlDivergence,
  labelJsDivergence,
  labelLpNorm: (c: FacetLabelCounts) => labelLpNorm(c),
  labelTotalVariationDistance,
  labelKolmogorovSmirnov,
} as const;

describe('label metrics, group = facet d, rest = facet a', () => {
  // 10 group rows with 3 positives (q_d = 0.3); 90 rest rows with 45 positives (q_a = 0.5).
  const typical = counts(10, 3, 90, 45);

  it('CI = (90 − 10)/100 = 0.8: the group is the smaller side', () => {
    expect(classImbalance(typical).value).toBeCloseTo(0.8, 15);
  });

  it('DPL = q_a − q_d = 0.5 − 0.3 = 0.2; DI = q_d/q_a = 0.6, failing the four-fifths rule', () => {
    expect(differenceInPositiveProportions(typical).value).toBeCloseTo(0.2, 15);
    const di = disparateImpact(typical).value;
    expect(di).toBeCloseTo(0.6, 15);
    expect(fourFifthsRule(di)).toEqual({ passes: false, impactRatio: di, threshold: 0.8 });
  });

  it('KL(P_a‖P_d) = scipy.stats.entropy([0.5, 0.5], [0.7, 0.3]) = 0.08717669357238894 (nats)', () => {
    expect(labelKlDivergence(typical).value).toBeCloseTo(0.08717669357238894, 15);
  });

  it('JS is in nats, as Clarify states: jensenshannon([0.5, 0.5], [0.7, 0.3]) ** 2 = 0.021005925701837017', () => {
    expect(labelJsDivergence(typical).value).toBeCloseTo(0.021005925701837017, 15);
  });

  it('binary labels: TVD = KS = |DPL| and L2 = √2·|DPL|, Lp = 2^(1/p)·|DPL|', () => {
    expect(labelTotalVariationDistance(typical).value).toBeCloseTo(0.2, 14);
    expect(labelKolmogorovSmirnov(typical).value).toBeCloseTo(0.2, 14);
    expect(labelLpNorm(typical).value).toBeCloseTo(Math.SQRT2 * 0.2, 14);
    expect(labelLpNorm(typical, 1).value).toBeCloseTo(0.4, 14);
    expect(labelLpNorm(typical, 3).value).toBeCloseTo(2 ** (1 / 3) * 0.2, 14);
    expect(labelLpNorm(typical, 1000).value).toBeCloseTo(0.2 * 2 ** (1 / 1000), 14);
  });

  it('parity: DPL, KL, JS, TVD, KS, Lp are 0 and DI is 1', () => {
    const parity = counts(50, 20, 150, 60);
    for (const fn of [
      differenceInPositiveProportions,
      labelKlDivergence,
      labelJsDivergence,
      labelTotalVariationDistance,
      labelKolmogorovSmirnov,
    ]) {
      expect(Math.abs(fn(parity).value ?? 1)).toBeLessThan(1e-15);
    }
    expect(labelLpNorm(parity).value).toBe(0);
    expect(disparateImpact(parity).value).toBe(1);
  });

  describe('edge cases', () => {
    it('empty group: CI = 1 (Clarify raises); every label metric null with a reason', () => {
      const c = counts(0, 0, 100, 30);
      expect(classImbalance(c).value).toBe(1);
      for (const [name, fn] of Object.entries(all)) {
        if (name === 'classImbalance') continue;
        const v = fn(c);
        expect(v.value, name).toBeNull();
        expect(v.reason, name).toContain('group has no rows');
      }
    });

    it('all rows in the group: CI = −1; every label metric null, naming the empty rest', () => {
      const c = counts(100, 30, 0, 0);
      expect(classImbalance(c).value).toBe(-1);
      for (const [name, fn] of Object.entries(all)) {
        if (name === 'classImbalance') continue;
        expect(fn(c).reason, name).toContain('rest');
      }
    });

    it('no rows at all: every metric null with a reason', () => {
      for (const fn of Object.values(all)) {
        const v = fn(counts(0, 0, 0, 0));
        expect(v.value).toBeNull();
        expect(v.reason).toBeTypeOf('string');
      }
    });

    it('the group has no positives: DI = 0 (fails four-fifths); KL infinite → null with a reason', () => {
      const c = counts(5, 0, 95, 40);
      expect(disparateImpact(c).value).toBe(0);
      expect(fourFifthsRule(disparateImpact(c).value).passes).toBe(false);
      const kl = labelKlDivergence(c);
      expect(kl.value).toBeNull();
      expect(kl.reason).toContain('no positive labels');
      expect(labelJsDivergence(c).value).toBeGreaterThan(0);
    });

    it('the rest (facet a) has no positives: DI null with a reason, four-fifths check null', () => {
      const di = disparateImpact(counts(20, 8, 80, 0));
      expect(di.value).toBeNull();
      expect(di.reason).toContain('rest (facet a) has no positive labels');
      const check = fourFifthsRule(di.value);
      expect(check.passes).toBeNull();
      expect(check.reason).toContain('not available');
    });

    it('no positives anywhere: DI 0/0 → null; DPL and the distances are 0', () => {
      const c = counts(20, 0, 80, 0);
      expect(disparateImpact(c).reason).toContain('0/0');
      expect(differenceInPositiveProportions(c).value).toBe(0);
      expect(labelKlDivergence(c).value).toBe(0);
    });

    it('N = 1: only CI exists (−1 for a group row, 1 for a rest row)', () => {
      expect(classImbalance(counts(1, 1, 0, 0)).value).toBe(-1);
      expect(classImbalance(counts(0, 0, 1, 0)).value).toBe(1);
      expect(differenceInPositiveProportions(counts(1, 1, 0, 0)).value).toBeNull();
    });

    it('N = 2, one row each side: DPL = 0 − 1 = −1, TVD = KS = 1, L2 = √2, JS = ln 2', () => {
      const c = counts(1, 1, 1, 0);
      expect(differenceInPositiveProportions(c).value).toBe(-1);
      expect(labelTotalVariationDistance(c).value).toBe(1);
      expect(labelKolmogorovSmirnov(c).value).toBe(1);
      expect(labelLpNorm(c).value).toBeCloseTo(Math.SQRT2, 15);
      expect(labelJsDivergence(c).value).toBeCloseTo(Math.LN2, 15);
      expect(labelKlDivergence(c).value).toBeNull();
    });

    it('invalid counts are null with a reason that names the field', () => {
      expect(classImbalance(counts(-1, 0, 10, 2)).reason).toContain('groupRows');
      expect(differenceInPositiveProportions(counts(5, 6, 10, 2)).reason).toContain(
        'groupPositives (6) exceeds',
      );
      expect(disparateImpact(counts(5, 2, Number.NaN, 2)).reason).toContain('restRows');
      expect(labelLpNorm(counts(5, 2, 10, 2), 0.5).reason).toContain('p must be');
      expect(labelLpNorm(counts(5, 2, 10, 2), Number.POSITIVE_INFINITY).value).toBeNull();
    });

    it('weight sums that overshoot by rounding are accepted (positives = rows + 1 ulp)', () => {
      const rows = 0.1 + 0.2; // 0.30000000000000004
      expect(differenceInPositiveProportions(counts(0.3, rows, 1, 0.5)).value).toBeCloseTo(-0.5, 15);
    });
  });

  describe('fourFifthsRule', () => {
    it('DI = 0.4/0.5 passes at the boundary despite rounding; 0.79 fails; 1.3 passes (one-sided)', () => {
      expect(fourFifthsRule(0.4 / 0.5).passes).toBe(true);
      expect(fourFifthsRule(disparateImpact(counts(10, 4, 10, 5)).value).passes).toBe(true);
      expect(fourFifthsRule(0.79).passes).toBe(false);
      expect(fourFifthsRule(1.3).passes).toBe(true);
    });

    it('custom and invalid thresholds', () => {
      expect(fourFifthsRule(0.85, 0.9).passes).toBe(false);
      expect(fourFifthsRule(0.85, 0).reason).toContain('threshold');
      expect(fourFifthsRule(0.85, 1.5).passes).toBeNull();
      expect(fourFifthsRule(Number.NaN).passes).toBeNull();
    });
  });

  const labelCounts = fc
    .tuple(
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    )
    .map(([nd, fd, na, fa]) => counts(nd, nd * fd, na, na * fa));

  it('property: CI ∈ [−1, 1], DPL ∈ [−1, 1], DI ≥ 0, KL ≥ 0, JS ∈ [0, ln 2], TVD/KS ∈ [0, 1], L2 ∈ [0, √2]', () => {
    fc.assert(
      fc.property(labelCounts, (c) => {
        const within = (v: StatValue, lo: number, hi: number) => {
          if (v.value === null) return;
          expect(v.value).toBeGreaterThanOrEqual(lo);
          expect(v.value).toBeLessThanOrEqual(hi);
        };
        within(classImbalance(c), -1, 1);
        within(differenceInPositiveProportions(c), -1, 1);
        within(disparateImpact(c), 0, Number.MAX_VALUE);
        within(labelKlDivergence(c), 0, Number.MAX_VALUE);
        within(labelJsDivergence(c), 0, Math.LN2);
        within(labelTotalVariationDistance(c), 0, 1);
        within(labelKolmogorovSmirnov(c), 0, 1);
        within(labelLpNorm(c), 0, Math.SQRT2 + 1e-15);
      }),
      { seed: 21, numRuns: 1000 },
    );
  });

  it('property: for binary labels TVD = KS = |DPL| and L2 = √2·|DPL|', () => {
    fc.assert(
      fc.property(labelCounts, (c) => {
        const dpl = differenceInPositiveProportions(c).value;
        if (dpl === null) return;
        expect(labelTotalVariationDistance(c).value).toBeCloseTo(Math.abs(dpl), 12);
        expect(labelKolmogorovSmirnov(c).value).toBeCloseTo(Math.abs(dpl), 12);
        expect(labelLpNorm(c).value).toBeCloseTo(Math.SQRT2 * Math.abs(dpl), 12);
      }),
      { seed: 22, numRuns: 1000 },
    );
  });

  it('property: weights all equal give the unweighted result (counts scaled by one weight)', () => {
    const integerCounts = fc
      .tuple(fc.nat(500), fc.nat(500), fc.nat(500), fc.nat(500))
      .map(([nd, pd, na, pa]) => counts(nd, Math.min(pd, nd), na, Math.min(pa, na)));
    fc.assert(
      fc.property(integerCounts, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (c, w) => {
        const weighted = counts(c.groupRows * w, c.groupPositives * w, c.restRows * w, c.restPositives * w);
        for (const [name, fn] of Object.entries(all)) {
          const a = fn(c);
          const b = fn(weighted);
          expect(b.value === null, name).toBe(a.value === null);
          if (a.value !== null)
            expect(Math.abs((b.value ?? 0) - a.value), name).toBeLessThanOrEqual(
              1e-12 * Math.max(1, Math.abs(a.value)),
            );
        }
      }),
      { seed: 23, numRuns: 500 },
    );
  });

  it('property: no NaN or ±Infinity for any finite input; null comes with a reason', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(finite, finite, finite, finite, finite, (a, b, c, d, p) => {
        for (const input of [
          counts(a, b, c, d),
          counts(Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d)),
        ]) {
          for (const fn of Object.values(all)) {
            const v = fn(input);
            if (v.value === null) expect(v.reason).toBeTypeOf('string');
            else expect(Number.isFinite(v.value)).toBe(true);
          }
          const lp = labelLpNorm(input, Math.abs(p));
          if (lp.value !== null) expect(Number.isFinite(lp.value)).toBe(true);
          const check = fourFifthsRule(disparateImpact(input).value);
          expect(check.passes === null || typeof check.passes === 'boolean').toBe(true);
        }
      }),
      { seed: 24, numRuns: 1000 },
    );
  });
});
