import { describe, expect, it } from 'vitest';
import { compare } from '../../../../functions/core/compare/compare.ts';
import { referenceAlias } from '../../../../functions/core/compare/compare-sql.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import { buildPlan } from '../../../../functions/core/profile/plan.ts';
import { ProfileBuilder } from '../../../../functions/core/profile/profile.ts';
import { compareRow as row } from '../../../fixtures/compare-rows.ts';

/** compare() on rows as the statement returns them for an attribute with two references (#18). */
const manifest = parseManifest(
  `dataset: t
attributes:
  - { name: age, column: age, reference: [x-1/age, m-2/age] }
thresholds: { references: { m-2: { minRatio: 0.5 } } }
`,
  'm.yaml',
);

const counts: [string, number, number, number][] = [
  ['18-34', 30, 0.2, 0.3],
  ['35-64', 45, 0.5, 0.5],
  ['65+', 25, 0.3, 0.2],
];
const alias = referenceAlias('age', 'm-2/age');
const rows = [
  ...counts.map(([g, n, x]) => row('age', g, n, x)),
  ...counts.map(([g, n, , m]) => row(alias, g, n, m)),
];
const result = compare(manifest, new ProfileBuilder(buildPlan(manifest)).toProfile(), rows, {
  kindOf: (population) => (population === 'm-2' ? 'market' : 'official'),
});
const age = result.attributes[0]!;

describe('compare with several references', () => {
  it('gives the primary block the attribute own numbers and the kind its population has', () => {
    const [primary, market] = age.comparisons!;
    expect(primary).toMatchObject({ reference: 'x-1/age', primary: true, kind: 'official', checked: true });
    expect(primary!.groups.map((g) => g.pValue)).toEqual(age.groups.map((g) => g.pValue));
    expect(market).toMatchObject({ reference: 'm-2/age', primary: false, kind: 'market', checked: true });
    expect(market!.thresholds).toMatchObject({ minRatio: 0.5, maxRatio: 1.25 });
  });

  it("tests each group against the further reference's share (scipy)", () => {
    const market = age.comparisons![1]!;
    // scipy.stats.binomtest(30, 100, 0.3).pvalue == 1.0
    expect(market.groups[0]!.pValue).toBeCloseTo(1, 12);
    // scipy.stats.binomtest(45, 100, 0.5).pvalue == 0.36820161732669615
    expect(market.groups[1]!.pValue).toBeCloseTo(0.36820161732669615, 12);
    // scipy.stats.binomtest(25, 100, 0.2).pvalue == 0.21179693847104022
    expect(market.groups[2]!.pValue).toBeCloseTo(0.21179693847104022, 12);
    expect(market.groups.map((g) => g.ratio)).toEqual([1, 0.9, 1.25]);
  });

  it('runs the goodness-of-fit test against the further reference (scipy)', () => {
    const chi = age.comparisons![1]!.tests.chiSquare!;
    // scipy.stats.chisquare([30, 45, 25], [30, 50, 20]) == (1.75, 0.41686201967850856)
    expect(chi.statistic).toBeCloseTo(1.75, 12);
    expect(chi.pValue).toBeCloseTo(0.41686201967850856, 12);
    expect(chi.df).toBe(2);
  });

  it('adds a check for a further reference with thresholds of its own, judged by them', () => {
    const check = result.checks.find((c) => c.id === 'representation:age@m-2/age')!;
    expect(check.status).toBe(age.comparisons![1]!.status);
    expect(check.message).toMatch(/^age vs m-2\/age: /);
  });
});
