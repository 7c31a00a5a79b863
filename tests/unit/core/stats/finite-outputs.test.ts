/** Property: no statistic returns NaN or ±Infinity for any finite input; it returns null instead. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  binomialTestTwoSided,
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
  shannonEntropy,
  simpsonIndex,
  totalVariationDistance,
  wilsonInterval,
} from '../../../../functions/core/stats/index.ts';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const finiteArray = fc.array(finite, { maxLength: 8 });

function expectFiniteOrNull(v: number | null | undefined): void {
  if (v === null || v === undefined) return;
  expect(Number.isFinite(v), String(v)).toBe(true);
}

const options = { seed: 99, numRuns: 500 };

describe('no NaN or Infinity for finite inputs', () => {
  it('scalar statistics', () => {
    fc.assert(
      fc.property(finite, finite, finite, (a, b, c) => {
        const ci = wilsonInterval(a, b, c);
        expectFiniteOrNull(ci?.[0]);
        expectFiniteOrNull(ci?.[1]);
        expectFiniteOrNull(wilsonInterval(a, b)?.[0]);
        expectFiniteOrNull(binomialTestTwoSided(a, b, c));
        expectFiniteOrNull(binomialTestTwoSided(Math.round(Math.abs(a)) % 1000, 1000, Math.abs(c) % 1));
        expectFiniteOrNull(kishEffectiveN(a, b));
        expectFiniteOrNull(designEffect(a, b, c));
        expectFiniteOrNull(rowsNeeded(a, b, c));
        expectFiniteOrNull(rowsNeeded(Math.abs(a) % 1000, 1000, Math.abs(c) % 1));
      }),
      options,
    );
  });

  it('vector statistics', () => {
    fc.assert(
      fc.property(finiteArray, finiteArray, finite, (p, q, order) => {
        for (const fn of [
          totalVariationDistance,
          linfDistance,
          hellingerDistance,
          klDivergence,
          jensenShannonDivergence,
          cohensW,
        ]) {
          expectFiniteOrNull(fn(p, q).value);
          const abs = p.map(Math.abs);
          expectFiniteOrNull(fn(abs, abs.slice().reverse()).value);
        }
        for (const fn of [shannonEntropy, evenness, simpsonIndex, imbalanceRatio]) {
          expectFiniteOrNull(fn(p).value);
          expectFiniteOrNull(fn(p.map(Math.abs)).value);
        }
        expectFiniteOrNull(hillNumber(p.map(Math.abs), Math.abs(order)).value);
        expectFiniteOrNull(hillNumber(p.map(Math.abs), Math.abs(order) % 10).value);
        for (const v of benjaminiHochberg([...p, ...q])) expectFiniteOrNull(v);
      }),
      options,
    );
  });

  it('chi-square goodness of fit', () => {
    fc.assert(
      fc.property(finiteArray, finiteArray, (observed, shares) => {
        const k = Math.min(observed.length, shares.length);
        for (const [o, s] of [
          [observed, shares],
          [observed.slice(0, k).map(Math.abs), shares.slice(0, k).map(Math.abs)],
        ] as const) {
          const r = chiSquareGoodnessOfFit(o, s, { simulate: 'never' });
          expectFiniteOrNull(r.statistic);
          expectFiniteOrNull(r.pValue);
          expectFiniteOrNull(r.df);
        }
      }),
      options,
    );
  });
});
