import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conditionalDemographicDisparity,
  type FacetLabelCounts,
} from '../../../../functions/core/stats/index.ts';

function stratum(
  groupRows: number,
  groupPositives: number,
  restRows: number,
  restPositives: number,
): FacetLabelCounts {
  return { groupRows, groupPositives, restRows, restPositives };
}

/** UC Berkeley 1973 (R's UCBAdmissions): per department, women applied/admitted, men applied/admitted. */
const berkeley = [
  stratum(108, 89, 825, 512),
  stratum(25, 17, 560, 353),
  stratum(593, 202, 325, 120),
  stratum(375, 131, 417, 138),
  stratum(393, 94, 191, 53),
  stratum(341, 24, 373, 22),
];

describe('conditional demographic disparity (Clarify CDDL)', () => {
  it("Clarify's example: women are 46 % of the rejected and 32 % of the accepted, DD = 0.14", () => {
    // 100 rejected (46 women), 100 accepted (32 women): group 78 rows, 32 positive; rest 122, 68.
    const r = conditionalDemographicDisparity([stratum(78, 32, 122, 68)]);
    expect(r.value).toBeCloseTo(0.14, 15);
    expect(r.strata).toEqual([{ rows: 200, demographicDisparity: r.value }]);
  });

  it("Berkeley 1973: pooled DD = 0.1438 (women over-represented among the rejected), CDD = −0.0193 by department (Simpson's paradox) [cdd_rows in label_oracle.py]", () => {
    const pooled = berkeley.reduce((s, c) =>
      stratum(
        s.groupRows + c.groupRows,
        s.groupPositives + c.groupPositives,
        s.restRows + c.restRows,
        s.restPositives + c.restPositives,
      ),
    );
    // cdd_rows(*strata_rows([(1835, 557, 2691, 1198)]), k=1) = 0.14382642365320097
    expect(conditionalDemographicDisparity([pooled]).value).toBeCloseTo(0.14382642365320097, 14);
    // cdd_rows(*strata_rows(BERKELEY.values()), k=6) = -0.019283267035269232
    expect(conditionalDemographicDisparity(berkeley).value).toBeCloseTo(-0.019283267035269232, 14);
  });

  it('a stratum with only accepted rows counts its rejected share as 0, with a note', () => {
    const r = conditionalDemographicDisparity([stratum(10, 4, 30, 20), stratum(5, 5, 5, 5)]);
    expect(r.strata[1]).toEqual({
      rows: 10,
      demographicDisparity: -0.5,
      note: "no rejected rows in this stratum: that share counts as 0 (Clarify's convention)",
    });
    expect(r.strata[0]?.note).toBeUndefined();
  });

  it('an empty stratum is listed with a null DD and no weight', () => {
    const with0 = conditionalDemographicDisparity([
      stratum(10, 4, 30, 20),
      stratum(0, 0, 0, 0),
      stratum(8, 1, 12, 3),
    ]);
    const without = conditionalDemographicDisparity([stratum(10, 4, 30, 20), stratum(8, 1, 12, 3)]);
    expect(with0.value).toBe(without.value);
    expect(with0.strata[1]).toEqual({ rows: 0, demographicDisparity: null });
  });

  it('null with a reason: no strata, no rows, empty group, empty rest, no accepted, no rejected, bad counts', () => {
    const cases: [FacetLabelCounts[], string][] = [
      [[], 'no strata'],
      [[stratum(0, 0, 0, 0)], 'no rows'],
      [[stratum(0, 0, 30, 10)], 'group has no rows'],
      [[stratum(30, 10, 0, 0)], 'rest'],
      [[stratum(10, 0, 30, 0)], 'no accepted rows'],
      [[stratum(10, 10, 30, 30)], 'no rejected rows'],
      [[stratum(10, 11, 30, 3)], 'stratum 0: groupPositives (11) exceeds'],
    ];
    for (const [strata, reason] of cases) {
      const r = conditionalDemographicDisparity(strata);
      expect(r.value).toBeNull();
      expect(r.reason).toContain(reason);
    }
  });

  it('N = 1 per side: one accepted group row and one rejected rest row give DD = 0 − 1 = −1', () => {
    expect(conditionalDemographicDisparity([stratum(1, 1, 1, 0)]).value).toBe(-1);
  });

  const strataArb = fc.array(
    fc
      .tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300))
      .map(([nd, pd, na, pa]) => stratum(nd, Math.min(pd, nd), na, Math.min(pa, na))),
    { minLength: 1, maxLength: 8 },
  );

  it('property: CDD ∈ [−1, 1]; every stratum DD ∈ [−1, 1]; null comes with a reason', () => {
    fc.assert(
      fc.property(strataArb, (strata) => {
        const r = conditionalDemographicDisparity(strata);
        if (r.value === null) expect(r.reason).toBeTypeOf('string');
        else {
          expect(r.value).toBeGreaterThanOrEqual(-1);
          expect(r.value).toBeLessThanOrEqual(1);
        }
        expect(r.strata).toHaveLength(strata.length);
        for (const s of r.strata) {
          if (s.demographicDisparity === null) continue;
          expect(Math.abs(s.demographicDisparity)).toBeLessThanOrEqual(1);
        }
      }),
      { seed: 31, numRuns: 1000 },
    );
  });

  it('property: weights all equal give the unweighted CDD', () => {
    fc.assert(
      fc.property(strataArb, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (strata, w) => {
        const a = conditionalDemographicDisparity(strata);
        const b = conditionalDemographicDisparity(
          strata.map((s) =>
            stratum(s.groupRows * w, s.groupPositives * w, s.restRows * w, s.restPositives * w),
          ),
        );
        expect(b.value === null).toBe(a.value === null);
        if (a.value !== null) expect(Math.abs((b.value ?? 0) - a.value)).toBeLessThanOrEqual(1e-12);
      }),
      { seed: 32, numRuns: 500 },
    );
  });
});
