/**
 * Every case in tests/fixtures/oracles/stats.json, written by tests/oracles/stats_oracle.py from
 * scipy/numpy. Each test is named by the exact Python call that produced its expected value;
 * tolerances come from the fixture: |actual − expected| ≤ atol + rtol·|expected|.
 */
import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  binomialTestTwoSided,
  type ChiSquareOptions,
  chiSquareGoodnessOfFit,
  cohensW,
  designEffect,
  evenness,
  hellingerDistance,
  hillNumber,
  imbalanceRatio,
  jensenShannonDivergence,
  kishEffectiveN,
  klDivergence,
  linfDistance,
  rowsNeeded,
  type StatValue,
  shannonEntropy,
  simpsonIndex,
  totalVariationDistance,
  wilsonInterval,
} from '../../../../functions/core/stats/index.ts';
import { casesOf, expectClose, loadFixture, type OracleCase } from './oracle-fixture.ts';

type ExpectedChiSquare = {
  readonly statistic: number | null;
  readonly df: number | null;
  readonly pValue: number | null;
  readonly unexpectedGroups: number[];
  readonly monteCarlo?: {
    readonly referencePValue: number;
    readonly referenceCall: string;
    readonly draws: number;
    readonly absTolerance: number;
  };
};

const fixture = loadFixture('stats');
const cases = (name: string): OracleCase[] => casesOf(fixture, name);

function expectStatValue(actual: StatValue, c: OracleCase): void {
  expectClose(actual.value, c.expected as number | null, c);
  if (actual.value === null) expect(actual.reason, c.call).toBeTypeOf('string');
}

describe(`scipy ${fixture.versions['scipy']} / numpy ${fixture.versions['numpy']} oracle`, () => {
  describe('wilsonInterval', () => {
    for (const c of cases('wilsonInterval')) {
      it(c.call, () => {
        const [n, N, z] = c.args as [number, number, number | undefined];
        const actual = wilsonInterval(n, N, z);
        const expected = c.expected as [number, number] | null;
        if (expected === null) {
          expect(actual).toBeNull();
          return;
        }
        expectClose(actual?.[0], expected[0], c, ' low');
        expectClose(actual?.[1], expected[1], c, ' high');
      });
    }
  });

  describe('binomialTestTwoSided', () => {
    for (const c of cases('binomialTestTwoSided')) {
      it(c.call, () => {
        const [k, n, p] = c.args as [number, number, number];
        expectClose(binomialTestTwoSided(k, n, p), c.expected as number | null, c);
      });
    }
  });

  describe('benjaminiHochberg', () => {
    for (const c of cases('benjaminiHochberg')) {
      it(c.call, () => {
        const [ps] = c.args as [(number | null)[]];
        const actual = benjaminiHochberg(ps);
        const expected = c.expected as (number | null)[];
        expect(actual).toHaveLength(expected.length);
        expected.forEach((e, i) => {
          expectClose(actual[i], e, c, ` [${i}]`);
        });
      });
    }
  });

  describe('chiSquareGoodnessOfFit', () => {
    for (const c of cases('chiSquareGoodnessOfFit')) {
      it(c.call, () => {
        const [observed, shares, options] = c.args as [number[], number[], ChiSquareOptions | undefined];
        const actual = chiSquareGoodnessOfFit(observed, shares, options);
        const expected = c.expected as ExpectedChiSquare;
        expectClose(actual.statistic, expected.statistic, c, ' statistic');
        expect(actual.df).toBe(expected.df);
        expectClose(actual.pValue, expected.pValue, c, ' pValue');
        expect(actual.unexpectedGroups).toEqual(expected.unexpectedGroups);
        const mc = expected.monteCarlo;
        if (mc === undefined) {
          expect(actual.monteCarlo).toBeUndefined();
          return;
        }
        // Reference: mc.referenceCall (exact enumeration or a 2e6-draw numpy simulation).
        expect(actual.monteCarlo, mc.referenceCall).toBeDefined();
        const seed = options?.seed ?? 42;
        expect(actual.monteCarlo?.draws).toBe(mc.draws);
        expect(actual.monteCarlo?.seed).toBe(seed);
        expect(actual.method).toContain(`Monte-Carlo, ${mc.draws} draws, seed ${seed}`);
        const p = actual.monteCarlo?.pValue ?? Number.NaN;
        expect(Math.abs(p - mc.referencePValue), `${mc.referenceCall}: MC ${p}`).toBeLessThanOrEqual(
          mc.absTolerance,
        );
      });
    }
  });

  const pairwise = {
    totalVariationDistance,
    linfDistance,
    hellingerDistance,
    klDivergence,
    jensenShannonDivergence,
    cohensW,
  } as const;
  for (const [name, fn] of Object.entries(pairwise)) {
    describe(name, () => {
      for (const c of cases(name)) {
        it(c.call, () => {
          const [p, q] = c.args as [number[], number[]];
          expectStatValue(fn(p, q), c);
        });
      }
    });
  }

  const single = { shannonEntropy, evenness, simpsonIndex, imbalanceRatio } as const;
  for (const [name, fn] of Object.entries(single)) {
    describe(name, () => {
      for (const c of cases(name)) {
        it(c.call, () => {
          const [shares] = c.args as [number[]];
          expectStatValue(fn(shares), c);
        });
      }
    });
  }

  describe('hillNumber', () => {
    for (const c of cases('hillNumber')) {
      it(`${c.call}  [order ${String(c.args[1])}]`, () => {
        const [shares, order] = c.args as [number[], number];
        expectStatValue(hillNumber(shares, order), c);
      });
    }
  });

  describe('kishEffectiveN', () => {
    for (const c of cases('kishEffectiveN')) {
      it(c.call, () => {
        const [s1, s2] = c.args as [number, number];
        expectClose(kishEffectiveN(s1, s2), c.expected as number | null, c);
      });
    }
  });

  describe('designEffect', () => {
    for (const c of cases('designEffect')) {
      it(c.call, () => {
        const [n, s1, s2] = c.args as [number, number, number];
        expectClose(designEffect(n, s1, s2), c.expected as number | null, c);
      });
    }
  });

  describe('rowsNeeded', () => {
    for (const c of cases('rowsNeeded')) {
      it(c.call, () => {
        const [n, N, t] = c.args as [number, number, number];
        expect(rowsNeeded(n, N, t)).toBe(c.expected);
      });
    }
  });
});
