import { describe, expect, it } from 'vitest';
import { compare, verdictOf } from '../../../../functions/core/compare/compare.ts';
import type { CompareRow } from '../../../../functions/core/compare/compare-sql.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import { buildPlan } from '../../../../functions/core/profile/plan.ts';
import { ProfileBuilder } from '../../../../functions/core/profile/profile.ts';
import { compareRow as row } from '../../../fixtures/compare-rows.ts';

const manifest = parseManifest(
  `dataset: t
attributes:
  - { name: sex, column: sex, reference: x-1/sex }
  - { name: state, column: state, reference: x-1/state }
  - { name: channel, column: channel }
`,
  'm.yaml',
);

const rows: CompareRow[] = [
  row('sex', 'female', 30, 0.5),
  row('sex', 'male', 70, 0.5),
  row('state', 'Bayern', 12, 0.6),
  row('state', 'Berlin', 3, 0.3),
  row('state', 'Bremen', null, 0.1),
  row('state', 'Hessen', 5, null),
  row('channel', 'web', 80, null),
  row('channel', 'app', 20, null),
];
const profile = new ProfileBuilder(buildPlan(manifest)).toProfile();
const result = compare(manifest, profile, rows);
const [sex, state, channel] = result.attributes;

describe('compare', () => {
  it('computes share, Wilson interval, ratio, difference and exact binomial p per group', () => {
    const female = sex!.groups[0]!;
    expect(female.share).toBe(0.3);
    // Wilson by formula with z = scipy.stats.norm.ppf(0.975): (0.2189488529493276, 0.3958485463334666)
    expect(female.ci![0]).toBeCloseTo(0.2189488529493276, 12);
    expect(female.ci![1]).toBeCloseTo(0.3958485463334666, 12);
    expect(female.ratio).toBeCloseTo(0.6, 12);
    expect(female.difference).toBeCloseTo(-0.2, 12);
    // scipy.stats.binomtest(30, 100, 0.5).pvalue == 7.85013964559367e-05
    expect(female.pValue! / 7.85013964559367e-5).toBeCloseTo(1, 9);
    // scipy.stats.false_discovery_control([p, p]) == [p, p] (ties)
    expect(female.pAdjusted! / 7.85013964559367e-5).toBeCloseTo(1, 9);
    expect(female.status).toBe('under');
    expect(sex!.groups[1]!.status).toBe('over');
    // least x with (30 + x) / (100 + x) >= 0.8 * 0.5 = 0.4 → x = 17 (by hand: 47/117 = 0.4017)
    expect(female.rowsNeeded).toBe(17);
  });

  it('computes χ², TVD and JS per attribute', () => {
    // scipy.stats.chisquare([30, 70], [50, 50]) == (16.0, 6.334248366623988e-05)
    expect(sex!.tests.chiSquare!.statistic).toBeCloseTo(16, 10);
    expect(sex!.tests.chiSquare!.df).toBe(1);
    expect(sex!.tests.chiSquare!.pValue! / 6.334248366623988e-5).toBeCloseTo(1, 9);
    expect(sex!.distances.tvd).toBeCloseTo(0.2, 12);
    // scipy.spatial.distance.jensenshannon([.3, .7], [.5, .5], base=2) ** 2 == 0.03030514483932229
    expect(sex!.distances.jsDivergence).toBeCloseTo(0.03030514483932229, 12);
    expect(sex!.status).toBe('fail');
  });

  it('keeps reference groups absent from the data and data groups absent from the reference', () => {
    expect(state!.groups.map((g) => [g.group, g.count, g.referenceShare, g.status])).toEqual([
      ['Bayern', 12, 0.6, 'ok'],
      ['Berlin', 3, 0.3, 'ok'],
      ['Bremen', 0, 0.1, 'ok'],
      ['Hessen', 5, null, 'no-reference'],
    ]);
    const bremen = state!.groups[2]!;
    // scipy.stats.binomtest(0, 20, 0.1).pvalue == 0.25452997802490435
    expect(bremen.pValue!).toBeCloseTo(0.25452997802490435, 12);
    // scipy.stats.false_discovery_control([1.0, 0.22041826738070913, 0.25452997802490435]) → 0.38179497
    expect(bremen.pAdjusted!).toBeCloseTo(0.38179497, 7);
    expect(bremen.note).toMatch(/not significant.*too small to conclude/);
    // π = 0 with n > 0 → p = 0 and an unexpected-group finding
    expect(state!.tests.chiSquare!.pValue).toBe(0);
    expect(state!.tests.chiSquare!.statistic).toBeNull();
    expect(result.warnings.find((w) => w.code === 'unexpected-group')!.message).toMatch(
      /state: group 'Hessen'/,
    );
    expect(state!.status).toBe('warn');
  });

  it('profiles an attribute without a reference without judging it', () => {
    expect(channel!.groups.every((g) => g.status === 'no-reference' && g.pValue === null)).toBe(true);
    expect(channel!.tests.chiSquare).toBeNull();
    expect(channel!.diversity['simpson']).toBeCloseTo(1 - 0.8 ** 2 - 0.2 ** 2, 12);
    expect(result.checks.find((c) => c.id === 'representation:channel')!.status).toBe('pass');
  });

  it('the verdict is the worst check', () => {
    expect(verdictOf(result.checks)).toBe('fail');
    expect(verdictOf([{ id: 'a', status: 'warn', message: '' }])).toBe('warn');
    expect(verdictOf([])).toBe('pass');
  });
});
