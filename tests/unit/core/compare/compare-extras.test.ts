import { describe, expect, it } from 'vitest';
import { compare } from '../../../../functions/core/compare/compare.ts';
import type { CompareRow } from '../../../../functions/core/compare/compare-sql.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import { buildPlan } from '../../../../functions/core/profile/plan.ts';
import { ProfileBuilder } from '../../../../functions/core/profile/profile.ts';

/**
 * The wiring of label metrics, source composition and raking into a comparison, on counts small
 * enough to check by hand (the functions themselves are oracle-tested in tests/unit/core/stats).
 */
const manifest = parseManifest(
  `dataset: t
label: { column: y, positive: ["1"], strata: age }
source: { column: channel }
attributes:
  - { name: sex, column: sex, reference: x-1/sex }
  - { name: age, column: age_group, reference: x-1/age }
`,
  'm.yaml',
);

function row(
  attribute: string,
  group: string,
  count: number,
  positives: number,
  referenceShare: number | null = null,
): CompareRow {
  return {
    attribute,
    group,
    count,
    weightSum: count,
    weightSqSum: count,
    positives,
    positiveWeightSum: positives,
    labelMissing: 0,
    labelMissingWeightSum: 0,
    labelOther: 0,
    labelOtherWeightSum: 0,
    unlabelledWeightSqSum: 0,
    referenceShare,
    referenceCount: null,
  };
}

// female 40 rows (10 positive), male 60 (30); young 50, old 50.
const rows: CompareRow[] = [
  row('sex', 'female', 40, 10, 0.6),
  row('sex', 'male', 60, 30, 0.4),
  row('age', 'young', 50, 15, 0.4),
  row('age', 'old', 50, 25, 0.6),
  row('_strata_by_sex', 'female|young', 30, 5),
  row('_strata_by_sex', 'female|old', 10, 5),
  row('_strata_by_sex', 'male|young', 20, 10),
  row('_strata_by_sex', 'male|old', 40, 20),
  row('_source', 'web', 70, 0),
  row('_source', 'app', 30, 0),
  row('_source_by_sex', 'female|web', 36, 0),
  row('_source_by_sex', 'female|app', 4, 0),
  row('_source_by_sex', 'male|web', 34, 0),
  row('_source_by_sex', 'male|app', 26, 0),
  row('_rake', 'female|young', 30, 5),
  row('_rake', 'female|old', 10, 5),
  row('_rake', 'male|young', 20, 10),
  row('_rake', 'male|old', 40, 20),
];
const profile = new ProfileBuilder(buildPlan(manifest)).toProfile();
const result = compare(manifest, profile, rows);
const sex = result.attributes[0]!;

describe('label metrics in a comparison', () => {
  const female = sex.labels!.groups.find((g) => g.group === 'female')!;

  it("uses the group as Clarify's facet d and the rest as facet a", () => {
    // q_d = 10/40 = 0.25, q_a = 30/60 = 0.5: DI = q_d/q_a = 0.5, DPL = q_a − q_d = 0.25, CI = (n_a − n_d)/n = 0.2
    expect(female.disparateImpact).toBeCloseTo(0.5, 12);
    expect(female.dpl).toBeCloseTo(0.25, 12);
    expect(female.classImbalance).toBeCloseTo(0.2, 12);
    expect(female.positiveRate).toBe(0.25);
    // Wilson by formula with z = scipy.stats.norm.ppf(0.975) for 10 of 40: (0.14187118639096302, 0.40193961420768026)
    expect(female.ci![0]).toBeCloseTo(0.14187118639096302, 12);
    expect(female.ci![1]).toBeCloseTo(0.40193961420768026, 12);
    expect(female.fourFifths).toBe('fail');
    expect(result.checks.find((c) => c.id === 'labels:sex')).toMatchObject({ status: 'warn' });
  });

  it('computes CDD given the strata attribute', () => {
    // DD_young = 25/35 − 5/15, DD_old = 5/25 − 5/25 = 0; CDD = (50·DD_young + 50·0)/100 = 0.19047619047619052 (by hand)
    expect(sex.labels!.cdd!.strata).toBe('age');
    expect(sex.labels!.cdd!.groups.find((g) => g.group === 'female')!.value).toBeCloseTo(
      0.19047619047619052,
      12,
    );
  });

  it('compares the positive class with the reference', () => {
    // positives: female 10, male 30 → shares 0.25 / 0.75 vs 0.6 / 0.4 → TVD 0.35
    expect(sex.labels!.positiveComposition!.tvd).toBeCloseTo(0.35, 12);
  });
});

describe('sources in a comparison', () => {
  it('carries the rows (people) behind weighted source cells, for the lake and for k', () => {
    const weighted = parseManifest(
      `dataset: t
weight: w
source: { column: channel }
attributes:
  - { name: sex, column: sex, reference: x-1/sex }
`,
      'm.yaml',
    );
    const w = (
      attribute: string,
      group: string,
      count: number,
      weightSum: number,
      pi: number | null = null,
    ) => ({
      ...row(attribute, group, count, 0, pi),
      weightSum,
      weightSqSum: 2 * weightSum,
    });
    const s = compare(weighted, new ProfileBuilder(buildPlan(weighted)).toProfile(), [
      w('sex', 'female', 40, 80, 0.6),
      w('sex', 'male', 60, 90, 0.4),
      w('_source', 'web', 70, 120),
      w('_source', 'app', 30, 50),
      w('_source_by_sex', 'female|web', 36, 70),
      w('_source_by_sex', 'female|app', 4, 10),
      w('_source_by_sex', 'male|web', 34, 50),
      w('_source_by_sex', 'male|app', 26, 40),
    ]).sources!;
    expect(s.groups).toEqual([
      { source: 'web', count: 120, rows: 70, share: 120 / 170 },
      { source: 'app', count: 50, rows: 30, share: 50 / 170 },
    ]);
    expect(s.attributes[0]!.groups.find((g) => g.group === 'female')!.sources).toEqual([
      { source: 'app', count: 10, rows: 4, share: 10 / 80 },
      { source: 'web', count: 70, rows: 36, share: 70 / 80 },
    ]);
    // Without weights the counts are the rows: none is carried twice.
    expect(result.sources!.groups.every((g) => !('rows' in g))).toBe(true);
  });

  it('reports shares, the largest share and the effective number of sources', () => {
    const s = result.sources!;
    expect(s.groups).toEqual([
      { source: 'web', count: 70, share: 0.7 },
      { source: 'app', count: 30, share: 0.3 },
    ]);
    expect(s.largestShare).toBeCloseTo(0.7, 12);
    // 1 / (0.7² + 0.3²) = 1.7241379310344827
    expect(s.effectiveNumber).toBeCloseTo(1.7241379310344827, 12);
  });

  it('flags a source that provides most rows of an under-represented group, beyond its overall share', () => {
    // female: 40 % vs 60 %, ratio 0.67; scipy.stats.binomtest(40, 100, 0.6).pvalue == 5.887826495941696e-05 → under
    expect(sex.groups.find((g) => g.group === 'female')!.status).toBe('under');
    const table = result.sources!.attributes[0]!;
    expect(table.groups.find((g) => g.group === 'female')!.sources).toEqual([
      { source: 'app', count: 4, share: 0.1 },
      { source: 'web', count: 36, share: 0.9 },
    ]);
    // 36 / 40 = 0.9 > 0.5 and ≥ 1.2 × 0.7 (web's share of all rows)
    expect(table.dominantSource).toEqual({ source: 'web', share: 0.9 });
    expect(result.warnings.find((w) => w.code === 'dominant-source')!.message).toMatch(
      /sex: 90 % of the rows of its under-represented groups \(female\) come from source 'web', which provides 70 % of all rows/,
    );
    expect(result.checks.find((c) => c.id === 'sources')!.status).toBe('warn');
  });
});

describe('raking in a comparison', () => {
  it('rakes the cross-table to the reference marginals', () => {
    const c = result.correction!;
    expect(c.attributes).toEqual(['sex', 'age']);
    expect(c.converged).toBe(true);
    expect(c.maxMarginError!).toBeLessThan(1e-6);
    expect(c.rows).toBe(100);
    expect(c.designEffect!).toBeGreaterThan(1);
    expect(c.effectiveSampleSize!).toBeCloseTo(100 / c.designEffect!, 9);
  });
});

describe('raking cells', () => {
  it('keeps per-cell rows and weights that reproduce the reference marginals', () => {
    const cells = result.correction!.cells!;
    expect(cells.map((c) => c.cell).sort()).toEqual(['female|old', 'female|young', 'male|old', 'male|young']);
    const total = cells.reduce((s, c) => s + c.rows * c.weight!, 0);
    const share = (pick: (cell: string) => boolean) =>
      cells.filter((c) => pick(c.cell)).reduce((s, c) => s + c.rows * c.weight!, 0) / total;
    // the targets given in the rows above: sex 0.6 / 0.4, age young 0.4 / old 0.6
    expect(Math.abs(share((c) => c.startsWith('female|')) - 0.6)).toBeLessThanOrEqual(1e-6); // rake tolerance
    expect(Math.abs(share((c) => c.endsWith('|young')) - 0.4)).toBeLessThanOrEqual(1e-6);
  });
});
