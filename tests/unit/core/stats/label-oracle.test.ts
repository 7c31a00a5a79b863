/**
 * Every case in tests/fixtures/oracles/label.json, written by tests/oracles/label_oracle.py from
 * row-level numpy/scipy computations. Each test is named by the Python call that produced its
 * expected value (the group is Clarify's facet d, the rest facet a).
 */
import { describe, expect, it } from 'vitest';
import {
  classImbalance,
  conditionalDemographicDisparity,
  differenceInPositiveProportions,
  disparateImpact,
  type FacetLabelCounts,
  type GroupRate,
  impactRatios,
  labelJsDivergence,
  labelKlDivergence,
  labelKolmogorovSmirnov,
  labelLpNorm,
  labelTotalVariationDistance,
  positiveClassComposition,
  type StatValue,
} from '../../../../functions/core/stats/index.ts';
import { casesOf, expectClose, loadFixture, type OracleCase, title } from './oracle-fixture.ts';

const fixture = loadFixture('label');

function expectStatValue(actual: StatValue, c: OracleCase, what = ''): void {
  expectClose(actual.value, c.expected as number | null, c, what);
  if (actual.value === null) expect(actual.reason, c.call).toBeTypeOf('string');
}

describe(`label metrics: scipy ${fixture.versions['scipy']} / numpy ${fixture.versions['numpy']} oracle`, () => {
  const single = {
    classImbalance,
    differenceInPositiveProportions,
    disparateImpact,
    labelKlDivergence,
    labelJsDivergence,
    labelTotalVariationDistance,
    labelKolmogorovSmirnov,
  } as const;
  for (const [name, fn] of Object.entries(single)) {
    describe(name, () => {
      for (const c of casesOf(fixture, name)) {
        it(title(c), () => {
          const [counts] = c.args as [FacetLabelCounts];
          expectStatValue(fn(counts), c);
        });
      }
    });
  }

  describe('impactRatios', () => {
    for (const c of casesOf(fixture, 'impactRatios')) {
      it(title(c), () => {
        const [groups] = c.args as [GroupRate[]];
        const expected = c.expected as { highest: number | null; ratios: (number | null)[] };
        const actual = impactRatios(groups);
        expect(actual.highest).toBe(expected.highest);
        expected.ratios.forEach((r, i) => {
          expectClose(actual.ratios[i]?.value, r, c, ` ratios[${i}]`);
          if (r === null) expect(actual.ratios[i]?.reason).toBeTypeOf('string');
        });
      });
    }
  });

  describe('labelLpNorm', () => {
    for (const c of casesOf(fixture, 'labelLpNorm')) {
      it(title(c), () => {
        const [counts, p] = c.args as [FacetLabelCounts, number];
        expectStatValue(labelLpNorm(counts, p), c);
      });
    }
  });

  describe('conditionalDemographicDisparity', () => {
    type Expected = {
      value: number | null;
      strata: { rows: number; demographicDisparity: number | null }[];
    };
    for (const c of casesOf(fixture, 'conditionalDemographicDisparity')) {
      it(title(c), () => {
        const [strata] = c.args as [FacetLabelCounts[]];
        const expected = c.expected as Expected;
        const actual = conditionalDemographicDisparity(strata);
        expectClose(actual.value, expected.value, c, ' CDD');
        if (actual.value === null) expect(actual.reason).toBeTypeOf('string');
        expect(actual.strata).toHaveLength(expected.strata.length);
        expected.strata.forEach((s, i) => {
          expectClose(actual.strata[i]?.rows, s.rows, c, ` strata[${i}].rows`);
          expectClose(actual.strata[i]?.demographicDisparity, s.demographicDisparity, c, ` DD[${i}]`);
        });
      });
    }
  });

  describe('positiveClassComposition', () => {
    type Expected = {
      groups: { group: string; positives: number; share: number; referenceShare: number }[];
      totalVariationDistance: number | null;
      jsDivergenceBits: number | null;
    };
    for (const c of casesOf(fixture, 'positiveClassComposition')) {
      it(title(c), () => {
        const [positives, reference] = c.args as [Record<string, number>, Record<string, number>];
        const expected = c.expected as Expected;
        const actual = positiveClassComposition(positives, reference);
        expect(actual.groups.map((g) => g.group)).toEqual(expected.groups.map((g) => g.group));
        expected.groups.forEach((g, i) => {
          expectClose(actual.groups[i]?.positives, g.positives, c, ` ${g.group} positives`);
          expectClose(actual.groups[i]?.share, g.share, c, ` ${g.group} share`);
          expectClose(actual.groups[i]?.referenceShare, g.referenceShare, c, ` ${g.group} reference`);
        });
        expectClose(actual.totalVariationDistance.value, expected.totalVariationDistance, c, ' TVD');
        expectClose(actual.jsDivergenceBits.value, expected.jsDivergenceBits, c, ' JS');
      });
    }
  });
});
