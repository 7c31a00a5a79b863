import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportSchema } from '../../../../functions/core/report/schema.ts';
import { arbitraryCase, reportOf } from '../../../fixtures/random-reports.ts';

/** Paths of numbers that are NaN or ±Infinity (JSON would silently write them as null). */
function nonFiniteNumbers(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFiniteNumbers(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => nonFiniteNumbers(v, `${path}.${k}`));
  }
  return [];
}

/**
 * Over many random inputs (empty groups, one group, huge counts, reference shares of 0 and 1,
 * weights, labels, sources), every report validates against report@1, whose numbers reject NaN
 * and ±Infinity, and every attribute's shares add up to 1.
 */
describe('random reports', () => {
  it('always validate against report@1: no NaN, no Infinity, shares in [0, 1]', () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const report = reportOf(c);
        const parsed = reportSchema.safeParse(report);
        expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(
          true,
        );
        expect(nonFiniteNumbers(report)).toEqual([]);
      }),
      { seed: 20261129, numRuns: 400 },
    );
  });

  it('shares of every attribute add up to 1 when it has rows', () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        for (const a of reportOf(c).attributes) {
          if (a.total === 0) continue;
          const sum = a.groups.reduce((s, g) => s + (g.share ?? 0), 0);
          expect(sum).toBeCloseTo(1, 9);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('weights all equal give the unweighted shares, intervals and tests', () => {
    fc.assert(
      fc.property(arbitraryCase, fc.double({ min: 0.1, max: 10, noNaN: true }), (c, factor) => {
        const plain = reportOf({ ...c, weighted: false });
        const weighted = reportOf({ ...c, weighted: true, weightFactor: factor });
        for (const [i, a] of plain.attributes.entries()) {
          const b = weighted.attributes[i]!;
          for (const [k, g] of a.groups.entries()) {
            const h = b.groups[k]!;
            if (g.share === null) expect(h.share).toBeNull();
            else expect(h.share!).toBeCloseTo(g.share, 9);
            expect(h.status).toBe(g.status);
            if (g.pValue !== null && g.pValue > 1e-300) expect(h.pValue! / g.pValue).toBeCloseTo(1, 6);
            if (g.ci) {
              expect(h.ci![0]).toBeCloseTo(g.ci[0], 9);
              expect(h.ci![1]).toBeCloseTo(g.ci[1], 9);
            }
          }
        }
      }),
      { seed: 11, numRuns: 150 },
    );
  });
});
