/** Property: the label, composition and source statistics never return NaN or ±Infinity for finite input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conditionalDemographicDisparity,
  dominantSource,
  effectiveNumber,
  type FacetLabelCounts,
  largestShare,
  positiveClassComposition,
  worstCells,
} from '../../../../functions/core/stats/index.ts';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const nonNegative = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true });
const value = fc.oneof(finite, nonNegative);

function expectFiniteOrNull(v: number | null | undefined, context: unknown): void {
  if (v === null || v === undefined) return;
  expect(Number.isFinite(v), `${v} from ${JSON.stringify(context)}`).toBe(true);
}

const options = { seed: 81, numRuns: 2000 };

describe('no NaN or Infinity for finite inputs (labels, composition, sources)', () => {
  it('conditionalDemographicDisparity, including sums that overflow', () => {
    const stratum = fc.record({
      groupRows: value,
      groupPositives: value,
      restRows: value,
      restPositives: value,
    });
    fc.assert(
      fc.property(fc.array(stratum, { maxLength: 5 }), (strata: FacetLabelCounts[]) => {
        const r = conditionalDemographicDisparity(strata);
        expectFiniteOrNull(r.value, strata);
        if (r.value === null) expect(r.reason).toBeTypeOf('string');
        for (const s of r.strata) {
          expectFiniteOrNull(s.rows, strata);
          expectFiniteOrNull(s.demographicDisparity, strata);
        }
      }),
      options,
    );
  });

  it('positiveClassComposition, largestShare, effectiveNumber, dominantSource', () => {
    const counts = fc.dictionary(fc.constantFrom('a', 'b', 'c'), value);
    fc.assert(
      fc.property(
        counts,
        counts,
        fc.array(value, { maxLength: 6 }),
        fc.double({ min: 0, max: 0.99 }),
        (p, q, list, t) => {
          const c = positiveClassComposition(p, q);
          expectFiniteOrNull(c.totalVariationDistance.value, [p, q]);
          expectFiniteOrNull(c.jsDivergenceBits.value, [p, q]);
          for (const g of c.groups) {
            expectFiniteOrNull(g.share, [p, q]);
            expectFiniteOrNull(g.referenceShare, [p, q]);
          }
          expectFiniteOrNull(largestShare(list).value, list);
          expectFiniteOrNull(effectiveNumber(list).value, list);
          const d = dominantSource({ g1: p, g2: q }, t);
          expectFiniteOrNull(d.share, [p, q]);
          expectFiniteOrNull(d.totalRows, [p, q]);
          for (const s of d.bySource) expectFiniteOrNull(s.share, [p, q]);
        },
      ),
      options,
    );
  });

  it('worstCells accepts any finite p and ratio', () => {
    const cell = fc.record({
      pAdjusted: fc.option(finite, { nil: null }),
      ratio: fc.option(finite, { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 10 }), fc.nat(12), (cells, k) => {
        expect(worstCells(cells, k)).toHaveLength(Math.min(k, cells.length));
      }),
      options,
    );
  });
});
