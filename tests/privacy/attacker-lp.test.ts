import { describe, expect, it } from 'vitest';
import {
  AttackInfeasibleError,
  feasibleIntervals,
  hiddenTargets,
  type Interval,
  negativeTargets,
} from './attacker/lp.ts';
import { collectRelations } from './attacker/relations.ts';
import { attribute, group, publishedReport, wilson } from './hand-built.ts';

/** The feasible interval of every hidden quantity (and negatives), by id. */
async function intervals(report: Record<string, unknown>): Promise<Map<string, [number, number]>> {
  const system = collectRelations(report);
  const found: Interval[] = await feasibleIntervals(system, [
    ...hiddenTargets(system),
    ...negativeTargets(system),
  ]);
  return new Map(found.map((i) => [i.target.id, [i.min, i.max]]));
}

const DIVERSE = 'attributes[sex].groups[diverse].count';

/** sex × segment with 25 rows in each female and male cell, diverse|a hidden. */
function sexBySegment(diverseB: number | null) {
  return [
    group('female|a', 25),
    group('female|b', 25),
    group('male|a', 25),
    group('male|b', 25),
    group('diverse|a', null),
    group('diverse|b', diverseB),
  ];
}
const FEMALE = 'attributes[sex].groups[female].count';

describe('the LP attack on hand-built published copies', () => {
  it('pins one hidden cell beside a published total (sum family)', async () => {
    const sex = attribute('sex', [group('female', 300), group('male', 296), group('diverse', null)], {
      total: 600,
    });
    const found = await intervals(publishedReport({ attributes: [sex] }));
    expect(found.get(DIVERSE)).toEqual([4, 4]);
  });

  it('gives two hidden cells of one sum the interval [1, rest − 1]', async () => {
    const sex = attribute('sex', [group('female', 588), group('male', null), group('diverse', null)], {
      total: 600,
    });
    const found = await intervals(publishedReport({ attributes: [sex] }));
    expect(found.get(DIVERSE)).toEqual([1, 11]);
    expect(found.get('attributes[sex].groups[male].count')).toEqual([1, 11]);
  });

  it('reads a count back from its share, its Wilson interval, its ratio or its difference', async () => {
    const pi = 0.02;
    const make = (extra: Record<string, unknown>) =>
      publishedReport({
        attributes: [
          attribute(
            'sex',
            [
              group('female', null),
              group('male', null),
              group('diverse', null, { referenceShare: pi, ...extra }),
            ],
            {
              total: 100,
            },
          ),
        ],
      });
    expect((await intervals(make({ share: 0.04 }))).get(DIVERSE)).toEqual([4, 4]);
    expect((await intervals(make({ ci: wilson(4, 100) }))).get(DIVERSE)).toEqual([4, 4]);
    expect((await intervals(make({ ratio: 0.04 / pi }))).get(DIVERSE)).toEqual([4, 4]);
    expect((await intervals(make({ difference: 0.04 - pi }))).get(DIVERSE)).toEqual([4, 4]);
  });

  it('closes a hidden total through rows.used − missing − unmapped (rows family)', async () => {
    const sex = attribute('sex', [group('female', 300), group('male', 296), group('diverse', null)], {
      total: null,
      missing: 7,
      unmapped: 3,
    });
    const rows = { read: 620, used: 610, excludedNoConsent: 10, malformed: 0 };
    const found = await intervals(publishedReport({ rows, attributes: [sex] }));
    expect(found.get('attributes[sex].total')).toEqual([600, 600]);
    expect(found.get(DIVERSE)).toEqual([4, 4]);
  });

  it('links intersection lines to the attribute margins (lines family)', async () => {
    // sex × segment: the diverse line sums to the diverse margin, which is hidden too; the
    // segment margin closes column a. A zero is published (hidden counts are at least 1).
    const sex = attribute('sex', [group('female', 50), group('male', 50), group('diverse', null)], {
      total: null,
    });
    const segment = attribute('segment', [group('a', 53), group('b', 50)]);
    const x = { attributes: ['sex', 'segment'], total: null, groups: sexBySegment(0) };
    const found = await intervals(publishedReport({ attributes: [sex, segment], intersections: [x] }));
    expect(found.get(DIVERSE)).toEqual([3, 3]);
    expect(found.get('intersections[sex|segment].groups[diverse|a].count')).toEqual([3, 3]);
  });

  it('bounds a line only by the invalid rows of the dropped attribute when it has some', async () => {
    const sex = attribute('sex', [group('female', 50), group('male', 50), group('diverse', 12)], {
      total: 112,
    });
    const segment = attribute('segment', [group('a', 55), group('b', 55)], { missing: 2 });
    const x = { attributes: ['sex', 'segment'], total: 110, groups: sexBySegment(null) };
    const rows = { read: 112, used: 112, excludedNoConsent: 0, malformed: 0 };
    const found = await intervals(publishedReport({ rows, attributes: [sex, segment], intersections: [x] }));
    expect(found.get('intersections[sex|segment].groups[diverse|a].count')).toEqual([5, 5]);
  });

  it('reads positives from a label rate, and the negatives from count − positives', async () => {
    const labels = {
      positiveRate: 0.5,
      groups: [
        { group: 'female', positives: 50, positiveRate: 0.5 },
        { group: 'male', positives: null, positiveRate: 0.49 },
        { group: 'diverse', positives: null, positiveRate: null },
      ],
    };
    const sex = attribute(
      'sex',
      [
        group('female', 100, { positives: 50 }),
        group('male', 100, { positives: null }),
        group('diverse', 4, { positives: null }),
      ],
      { labels },
    );
    const found = await intervals(publishedReport({ attributes: [sex] }));
    expect(found.get('attributes[sex].labels.groups[male].positives')).toEqual([49, 49]);
    // rate × total = Σ positives: 102 = 50 + 49 + diverse.
    expect(found.get('attributes[sex].groups[diverse].positives')).toEqual([3, 3]);
    expect(found.get('attributes[sex].groups[diverse].negatives')).toEqual([1, 1]);
  });

  it('reads positives from DPL, disparate impact and the positive-class composition', async () => {
    // female 100 rows (positives p hidden), rest 100 rows with 40 positives: q_rest = 0.4.
    const make = (row: Record<string, unknown>, composition?: unknown) =>
      publishedReport({
        attributes: [
          attribute('sex', [group('female', 100), group('male', 100, { positives: 40 })], {
            labels: {
              positiveRate: null,
              groups: [
                { group: 'female', positives: null, positiveRate: null, ...row },
                { group: 'male', positives: 40, positiveRate: 0.4 },
              ],
              positiveComposition: composition ?? null,
            },
          }),
        ],
      });
    const female = 'attributes[sex].labels.groups[female].positives';
    expect((await intervals(make({ dpl: 0.4 - 0.3 }))).get(female)).toEqual([30, 30]);
    expect((await intervals(make({ disparateImpact: 0.3 / 0.4 }))).get(female)).toEqual([30, 30]);
    const composition = {
      groups: [
        { group: 'female', share: 30 / 70 },
        { group: 'male', share: 40 / 70 },
      ],
    };
    expect((await intervals(make({}, composition))).get(female)).toEqual([30, 30]);
  });

  it('reads a hidden count from its class imbalance against a published total', async () => {
    const sex = attribute('sex', [group('female', null), group('male', null)], {
      total: 200,
      labels: {
        positiveRate: null,
        groups: [{ group: 'female', positives: null, classImbalance: (200 - 2 * 96) / 200 }],
      },
    });
    const found = await intervals(publishedReport({ attributes: [sex] }));
    expect(found.get(FEMALE)).toEqual([96, 96]);
  });

  it('reads source cells from shares and bounds them by the largest share (sources family)', async () => {
    const sex = attribute('sex', [group('female', 60), group('male', 40)]);
    const sources = {
      groups: [
        { source: 'app', count: null, share: null },
        { source: 'web', count: null, share: null },
      ],
      largestShare: 0.97,
      attributes: [
        {
          name: 'sex',
          groups: [
            {
              group: 'female',
              sources: [
                { source: 'app', count: null, share: 0.05 },
                { source: 'web', count: null, share: 0.95 },
              ],
            },
            { group: 'male', sources: [{ source: 'web', count: 40, share: 1 }] },
          ],
        },
      ],
    };
    const rows = { read: 100, used: 100, excludedNoConsent: 0, malformed: 0 };
    const found = await intervals(publishedReport({ rows, attributes: [sex], sources }));
    expect(found.get('sources.attributes[sex].groups[female].sources[app].count')).toEqual([3, 3]);
    expect(found.get('sources.groups[app].count')).toEqual([3, 3]);
  });

  it('reads the unreferenced group back from correction.rows (correction family)', async () => {
    const rows = { read: 600, used: 600, excludedNoConsent: 0, malformed: 0 };
    const sex = attribute(
      'sex',
      [
        group('female', null, { referenceShare: 0.51 }),
        group('male', 298, { referenceShare: 0.49 }),
        group('diverse', null, { referenceShare: null }),
      ],
      { total: 600 },
    );
    const state = attribute('state', [
      group('Bayern', 300, { referenceShare: 0.5 }),
      group('Berlin', 300, { referenceShare: 0.5 }),
    ]);
    const correction = { method: 'raking', attributes: ['sex', 'state'], rows: 596 };
    const found = await intervals(publishedReport({ rows, attributes: [sex, state], correction }));
    expect(found.get(DIVERSE)).toEqual([4, 4]);
    expect(found.get(FEMALE)).toEqual([298, 298]);
  });

  it('treats a marker in the place of a number ("<10") as a hidden number', async () => {
    const sex = attribute(
      'sex',
      [group('female', 300), group('male', 296), group('diverse', '<10' as never)],
      {
        total: 600,
      },
    );
    const found = await intervals(publishedReport({ attributes: [sex] }));
    expect(found.get(DIVERSE)).toEqual([4, 4]);
  });

  it('refuses contradicting relations with AttackInfeasibleError', async () => {
    const sex = attribute('sex', [group('female', 300), group('male', 301), group('diverse', null)], {
      total: 600,
    });
    await expect(intervals(publishedReport({ attributes: [sex] }))).rejects.toThrow(AttackInfeasibleError);
  });
});
