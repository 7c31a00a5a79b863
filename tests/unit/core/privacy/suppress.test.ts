import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectCountCells } from '../../../../functions/core/privacy/engine.ts';
import { HIDDEN_NOTE, PRIVACY_WARNING } from '../../../../functions/core/privacy/messages.ts';
import { intersectionRules } from '../../../../functions/core/privacy/rules/intersections.ts';
import { collectTotalCells } from '../../../../functions/core/privacy/rules/totals.ts';
import { suppressReport } from '../../../../functions/core/privacy/suppress.ts';
import {
  type AttributeResult,
  type GroupResult,
  type IntersectionResult,
  type LabelGroup,
  type Labels,
  type Report,
  reportSchema,
  type Sources,
} from '../../../../functions/core/report/schema.ts';
import { labelledReport, sampleReport } from '../../../fixtures/reports.ts';

const K = 10;

function byName(groups: readonly GroupResult[], name: string): GroupResult {
  const found = groups.find((g) => g.group === name);
  if (!found) throw new Error(`no group ${name}`);
  return found;
}

const hidden = (g: GroupResult): boolean => g.count === null;

/** A schema-valid group with only a count: enough for suppression, which never reads the rest. */
function plainGroup(group: string, count: number, total: number): GroupResult {
  const share = total > 0 ? count / total : null;
  return {
    group,
    count,
    share,
    ci: share === null ? null : [share, share],
    referenceShare: null,
    ratio: null,
    difference: null,
    pValue: null,
    pAdjusted: null,
    status: 'no-reference',
  };
}

function plainAttribute(name: string, counts: Record<string, number>): AttributeResult {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    name,
    column: name,
    reference: null,
    missing: 0,
    unmapped: 0,
    total,
    groups: Object.entries(counts).map(([g, n]) => plainGroup(g, n, total)),
    tests: { chiSquare: null },
    distances: { tvd: null, jsDivergence: null },
    diversity: {},
    status: 'pass',
  };
}

function plainIntersection(attributes: string[], counts: Record<string, number>): IntersectionResult {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    attributes,
    reference: null,
    basis: 'none',
    total,
    groups: Object.entries(counts).map(([g, n]) => plainGroup(g, n, total)),
    emptyCells: [],
  };
}

function reportWith(attributes: AttributeResult[], intersections: IntersectionResult[] = []): Report {
  return reportSchema.parse({ ...sampleReport(), attributes, intersections, warnings: [] });
}

describe('suppressReport: primary suppression', () => {
  const published = suppressReport(sampleReport(), K);
  const sex = published.attributes[0]!;

  it('hides a count in 1..k−1 and everything that would give it back', () => {
    const diverse = byName(sex.groups, 'diverse');
    expect(diverse).toEqual({
      group: 'diverse',
      count: null,
      share: null,
      ci: null,
      referenceShare: null,
      ratio: null,
      difference: null,
      pValue: null,
      pAdjusted: null,
      status: 'suppressed',
      note: HIDDEN_NOTE,
      positives: null,
    });
    expect(HIDDEN_NOTE).toBe('hidden to protect small groups');
  });

  it('keeps zeros visible, and hides a count of exactly 1 but not k', () => {
    const report = reportWith([plainAttribute('a', { zero: 0, one: 1, ten: 10, big: 50, other: 60 })]);
    const groups = suppressReport(report, K).attributes[0]!.groups;
    expect(byName(groups, 'zero')).toMatchObject({ count: 0, status: 'no-reference' });
    expect(byName(groups, 'one')).toMatchObject({ count: null, status: 'suppressed', note: HIDDEN_NOTE });
    expect(byName(groups, 'ten').count).toBe(null); // the complement: smallest visible non-zero
    expect(byName(groups, 'ten').note).toBe(HIDDEN_NOTE);
    // #17's audit: one + ten = 121 − 50 − 60 = 11 pins one to 1..10 (narrower than k), so the
    // next smallest cell beside it goes too.
    expect(byName(groups, 'big').count).toBe(null);
    expect(byName(groups, 'other').count).toBe(60);
  });

  it('drops rows needed from a hidden group (it gives the count back from N and π)', () => {
    const report = sampleReport();
    const target = byName(report.attributes[1]!.groups, '75+');
    target.count = 7;
    const groups = suppressReport(report, K).attributes[1]!.groups;
    expect(byName(groups, '75+').rowsNeeded).toBeUndefined();
    // 65-74 (100) is then the smallest visible group, hidden as the complement: same rule.
    expect(byName(groups, '65-74')).toMatchObject({ count: null, note: HIDDEN_NOTE });
    expect(byName(groups, '65-74').rowsNeeded).toBeUndefined();
  });

  it('hides positives of a visible group when positives or negatives are small', () => {
    const report = sampleReport();
    byName(report.attributes[0]!.groups, 'male').positives = 3;
    const out = suppressReport(report, K);
    expect(byName(out.attributes[0]!.groups, 'male')).toMatchObject({ count: 507, positives: null });
    const again = sampleReport();
    byName(again.attributes[0]!.groups, 'male').positives = 500; // 7 negatives
    expect(byName(suppressReport(again, K).attributes[0]!.groups, 'male').positives).toBeNull();
  });

  it('hides nothing with minCellSize 0 or 1 but still marks the copy suppressed', () => {
    for (const k of [0, 1]) {
      const out = suppressReport(sampleReport(), k);
      expect(out.privacy).toEqual({ minCellSize: k, suppressed: true, withheld: [] });
      expect(out.attributes.flatMap((a) => a.groups).filter(hidden)).toEqual([]);
    }
  });

  it('refuses a minCellSize that is not a non-negative integer', () => {
    for (const bad of [-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => suppressReport(sampleReport(), bad)).toThrow(RangeError);
    }
  });
});

describe('suppressReport: complementary suppression', () => {
  const published = suppressReport(sampleReport(), K);
  const [sex, age] = published.attributes;

  it('hides the smallest visible non-zero group when an attribute has exactly one hidden group', () => {
    // diverse (4) is small; female (480) is smaller than male (507), so female is the complement.
    expect(sex!.groups.map((g) => [g.group, g.count])).toEqual([
      ['female', null],
      ['male', 507],
      ['diverse', null],
    ]);
    expect(byName(sex!.groups, 'female')).toMatchObject({ status: 'suppressed', note: HIDDEN_NOTE });
    expect(byName(sex!.groups, 'female').referenceShare).toBe(0.507); // reference data stay
  });

  it('leaves an attribute without small groups alone', () => {
    expect(age!.groups.every((g) => g.count !== null)).toBe(true);
    expect(byName(age!.groups, '65-74').rowsNeeded).toBe(16);
    expect(age!.distances.tvd).toBeCloseTo(0.1321, 10);
  });

  it('in the intersection every row and column has zero or at least two hidden cells', () => {
    const x = published.intersections[0]!;
    const lines = new Map<string, GroupResult[]>();
    for (const g of x.groups) {
      const [s, a] = g.group.split('|');
      for (const key of [`row ${s}`, `column ${a}`]) lines.set(key, [...(lines.get(key) ?? []), g]);
    }
    for (const [key, cells] of lines) {
      const n = cells.filter(hidden).length;
      expect(n === 0 || n >= 2, `${key} has ${n} hidden`).toBe(true);
    }
    expect(byName(x.groups, 'male|75+').note).toBe(HIDDEN_NOTE);
    expect(byName(x.groups, 'diverse|35-44').note).toBe(HIDDEN_NOTE);
  });

  it('links the intersection to the attribute tables: a hidden marginal is not the sum of a visible row', () => {
    // female is hidden in `sex`; were the whole female row visible in sex × age_band, its sum would
    // give female back (up to rows with a missing age), and then diverse from sex's total.
    const femaleRow = published.intersections[0]!.groups.filter((g) => g.group.startsWith('female|'));
    expect(femaleRow.filter(hidden).length).toBeGreaterThanOrEqual(1);
  });

  it('splits cell names on `|` using the attributes’ groups, so names containing `|` still form lines', () => {
    const report = reportWith(
      [plainAttribute('x', { 'p|q': 53, r: 100 }), plainAttribute('y', { s: 43, t: 110 })],
      [plainIntersection(['x', 'y'], { 'p|q|s': 3, 'p|q|t': 50, 'r|s': 40, 'r|t': 60 })],
    );
    const cells = suppressReport(report, K).intersections[0]!.groups;
    // p|q|s is small → its row p|q needs p|q|t, its column s needs r|s, then row r needs r|t.
    expect(cells.map((g) => [g.group, g.count])).toEqual([
      ['p|q|s', null],
      ['p|q|t', null],
      ['r|s', null],
      ['r|t', null],
    ]);
  });

  it('warns when a hidden count cannot be protected (the only non-zero group equals the total)', () => {
    const report = reportWith([plainAttribute('tiny', { a: 5, b: 0 })]);
    const out = suppressReport(report, K);
    expect(out.attributes[0]!.groups[0]!.count).toBeNull();
    expect(out.warnings).toContainEqual(
      expect.objectContaining({ code: PRIVACY_WARNING.cellRecoverable, path: 'tiny' }),
    );
  });
});

describe('suppressReport: statistics that would give hidden counts back', () => {
  const published = suppressReport(sampleReport(), K);
  const sex = published.attributes[0]!;

  it('withholds the χ² statistic, distances and diversity of an attribute with hidden groups', () => {
    expect(sex.tests.chiSquare).toEqual({ statistic: null, df: 1, pValue: null, method: 'asymptotic' });
    expect(Object.values(sex.distances).every((v) => v === null)).toBe(true);
    expect(Object.keys(sex.distances).sort()).toEqual(['hellinger', 'jsDivergence', 'kl', 'linf', 'tvd']);
    expect(Object.values(sex.diversity).every((v) => v === null)).toBe(true);
    expect(sex.status).toBe('pass');
  });

  it('keeps the labels of such an attribute, hiding only the rows of hidden groups (and their complements)', () => {
    const labels = sex.labels!;
    expect(labels.groups.map((r) => [r.group, r.positives])).toEqual([
      ['female', null],
      ['male', 70],
      ['diverse', null],
    ]);
    expect(labels.positiveRate).toBeCloseTo(129 / 991, 12); // the label's margin stays
    expect(byName(sex.groups, 'male').positives).toBe(70);
  });

  it('says so once per attribute and section, and keeps the original warnings and checks', () => {
    const codes = published.warnings.map((w) => `${w.code} ${w.path}`);
    expect(codes).toEqual([
      'no-reference-group sex/diverse',
      `${PRIVACY_WARNING.statisticsWithheld} sex`,
      `${PRIVACY_WARNING.labelsWithheld} sex`,
      // #17: totals are cells; 8 without consent, 4 malformed and 7 or 9 missing are small.
      `${PRIVACY_WARNING.totalsWithheld} rows`,
      `${PRIVACY_WARNING.totalsWithheld} sex`,
      `${PRIVACY_WARNING.totalsWithheld} age_band`,
      // #17: the data file's size sums rows whose lengths differ by group.
      `${PRIVACY_WARNING.totalsWithheld} dataset.source.bytes`,
    ]);
    expect(published.dataset.source.bytes).toBeNull();
    expect(published.checks).toEqual(sampleReport().checks);
    expect(published.status).toBe('fail');
  });
});

/** A label row with every metric set, so that what suppression nulls is visible. */
function labelRow(group: string, count: number, positives: number): LabelGroup {
  const rate = count > 0 ? positives / count : null;
  return {
    group,
    positives,
    positiveRate: rate,
    ci: rate === null ? null : [rate, rate],
    classImbalance: 0.25,
    dpl: 0.01,
    disparateImpact: 0.95,
    fourFifths: 'pass',
    kl: 0.001,
    js: 0.0005,
    lp: 0.014,
    tvd: 0.01,
    ks: 0.01,
  };
}

/** An attribute whose groups carry positives, with a full `labels` section: `[group, rows, positives]`. */
function labelledAttribute(name: string, rows: readonly [string, number, number][]): AttributeResult {
  const attribute = plainAttribute(name, Object.fromEntries(rows.map(([g, n]) => [g, n])));
  const positives = rows.reduce((sum, [, , p]) => sum + p, 0);
  for (const [i, [, , p]] of rows.entries()) attribute.groups[i]!.positives = p;
  const labels: Labels = {
    column: 'label',
    positiveRate: attribute.total! > 0 ? positives / attribute.total! : null,
    groups: rows.map(([g, n, p]) => labelRow(g, n, p)),
    cdd: { strata: 'other', groups: rows.map(([g]) => ({ group: g, value: 0.02 })) },
    positiveComposition: {
      tvd: 0.05,
      jsDivergence: 0.01,
      groups: rows.map(([g, , p]) => ({
        group: g,
        share: positives > 0 ? p / positives : null,
        referenceShare: 1 / rows.length,
      })),
    },
  };
  return { ...attribute, labels };
}

function row(labels: Labels | undefined, group: string): LabelGroup {
  const found = labels?.groups.find((r) => r.group === group);
  if (!found) throw new Error(`no label row ${group}`);
  return found;
}

const WITHHELD_ROW = {
  positives: null,
  positiveRate: null,
  ci: null,
  dpl: null,
  disparateImpact: null,
  fourFifths: null,
  kl: null,
  js: null,
  lp: null,
  tvd: null,
  ks: null,
};

describe('suppressReport: labels', () => {
  it('positives 3 of 500 → the row’s positives, rate, interval and metrics are hidden; class imbalance stays', () => {
    const report = reportWith([
      labelledAttribute('a', [
        ['x', 500, 3],
        ['y', 600, 120],
        ['z', 700, 200],
      ]),
    ]);
    const a = suppressReport(report, K).attributes[0]!;
    expect(row(a.labels, 'x')).toEqual({ group: 'x', ...WITHHELD_ROW, classImbalance: 0.25 });
    expect(byName(a.groups, 'x')).toMatchObject({ count: 500, positives: null, status: 'no-reference' });
    // 3 = total positives − 120 − 200: the smallest other positives (y, 120) are hidden with it.
    expect(row(a.labels, 'y')).toMatchObject(WITHHELD_ROW);
    expect(byName(a.groups, 'y').positives).toBeNull();
    expect(row(a.labels, 'z')).toEqual(labelRow('z', 700, 200));
    expect(a.labels!.positiveRate).toBeCloseTo(323 / 1800, 12);
  });

  it('negatives 2 → hidden too (count − positives is a small cell of the same table)', () => {
    const report = reportWith([
      labelledAttribute('a', [
        ['x', 500, 498],
        ['y', 600, 120],
        ['z', 700, 200],
      ]),
    ]);
    const a = suppressReport(report, K).attributes[0]!;
    expect(row(a.labels, 'x')).toMatchObject(WITHHELD_ROW);
    expect(row(a.labels, 'y').positives).toBeNull();
    expect(row(a.labels, 'z').positives).toBe(200);
  });

  it('hides the whole row of a hidden group, class imbalance included (it gives the count back)', () => {
    const report = reportWith([
      labelledAttribute('a', [
        ['x', 4, 0],
        ['y', 600, 120],
        ['z', 700, 200],
      ]),
    ]);
    const a = suppressReport(report, K).attributes[0]!;
    expect(row(a.labels, 'x')).toEqual({ group: 'x', ...WITHHELD_ROW, classImbalance: null });
    // y is the complement of x in the attribute table: hidden group, hidden row.
    expect(byName(a.groups, 'y').count).toBeNull();
    expect(row(a.labels, 'y').classImbalance).toBeNull();
    expect(row(a.labels, 'z')).toEqual(labelRow('z', 700, 200));
  });

  it('keeps every row when no positives or negatives are small', () => {
    const report = labelledReport();
    const sex = suppressReport(report, K).attributes[0]!;
    expect(sex.labels!.groups).toEqual(report.attributes[0]!.labels!.groups);
    expect(sex.labels!.positiveComposition).toEqual(report.attributes[0]!.labels!.positiveComposition);
  });

  it('the labelled fixture: 75+ has 3 approvals of 480 and 65-74 (the smallest other positives) protects it', () => {
    const age = suppressReport(labelledReport(), K).attributes[1]!;
    expect(age.labels!.groups.filter((r) => r.positives === null).map((r) => r.group)).toEqual([
      '65-74',
      '75+',
    ]);
    expect(age.groups.filter((g) => g.positives === null).map((g) => g.group)).toEqual(['65-74', '75+']);
    expect(age.groups.every((g) => g.count !== null)).toBe(true); // hiding positives never hides a group
  });

  it('hides composition shares of hidden positives, and then its TVD and JS', () => {
    const age = suppressReport(labelledReport(), K).attributes[1]!;
    const composition = age.labels!.positiveComposition!;
    expect(composition.groups.filter((g) => g.share === null).map((g) => g.group)).toEqual(['65-74', '75+']);
    expect(byName(age.groups, '65-74').referenceShare).toBe(0.14);
    expect(composition.groups.find((g) => g.group === '75+')!.referenceShare).toBe(0.135);
    expect([composition.tvd, composition.jsDivergence]).toEqual([null, null]);
  });

  it('withholds CDD whenever k > 1 (its group × stratum × label cells are not in the report) and keeps it with k = 1', () => {
    const report = labelledReport();
    const hidden = suppressReport(report, K).attributes[0]!.labels!.cdd!;
    expect(hidden.strata).toBe('age_band');
    expect(hidden.groups.map((g) => [g.group, g.value])).toEqual([
      ['female', null],
      ['male', null],
      ['diverse', null],
    ]);
    const out = suppressReport(report, K);
    expect(out.warnings).toContainEqual(
      expect.objectContaining({ code: PRIVACY_WARNING.cddWithheld, path: 'sex' }),
    );
    const kept = suppressReport(report, 1);
    expect(kept.attributes[0]!.labels!.cdd).toEqual(report.attributes[0]!.labels!.cdd);
    expect(kept.warnings.map((w) => w.code)).not.toContain(PRIVACY_WARNING.cddWithheld);
  });

  it('hides every row and the overall rate when the label’s total positives are small', () => {
    const report = reportWith([
      labelledAttribute('a', [
        ['x', 500, 3],
        ['y', 600, 0],
        ['z', 700, 4],
      ]),
    ]);
    const a = suppressReport(report, K).attributes[0]!;
    expect(a.labels!.positiveRate).toBeNull();
    // y has no positives, but its DPL would be the rest's rate 7/1200 and give the total back.
    for (const name of ['x', 'y', 'z'])
      expect(row(a.labels, name)).toMatchObject({ dpl: null, positiveRate: null });
  });

  it('links intersection positives to the attribute’s: a line of cells sums to the group’s positives', () => {
    const a = labelledAttribute('a', [
      ['a0', 100, 40],
      ['a1', 100, 30],
    ]);
    const b = labelledAttribute('b', [
      ['b0', 100, 3],
      ['b1', 100, 67],
    ]);
    const x = plainIntersection(['a', 'b'], { 'a0|b0': 50, 'a0|b1': 50, 'a1|b0': 50, 'a1|b1': 50 });
    const positives: Record<string, number> = { 'a0|b0': 2, 'a0|b1': 38, 'a1|b0': 1, 'a1|b1': 29 };
    for (const cell of x.groups) cell.positives = positives[cell.group]!;
    const out = suppressReport(reportWith([a, b], [x]), K);
    // b0's positives (3) are small; b1's protect them; a0|b0 and a1|b0 are small cells themselves;
    // then each a-line has one hidden cell and hides its other cell, which the a column then needs.
    expect(byName(out.attributes[1]!.groups, 'b0').positives).toBeNull();
    expect(out.intersections[0]!.groups.map((g) => [g.group, g.positives])).toEqual([
      ['a0|b0', null],
      ['a0|b1', null],
      ['a1|b0', null],
      ['a1|b1', null],
    ]);
    checkProtected(out, K, reportWith([a, b], [x]));
  });

  it('keeps weights: weight sum, Kish N_eff and design effect never split by group', () => {
    const report = sampleReport();
    report.attributes[0]!.weights = { weightSum: 991, effectiveN: 950.2, designEffect: 1.043 };
    const sex = suppressReport(report, K).attributes[0]!;
    expect(sex.groups.some((g) => g.status === 'suppressed')).toBe(true);
    expect(sex.weights).toEqual({ weightSum: 991, effectiveN: 950.2, designEffect: 1.043 });
  });
});

/** The sample report with a `sources` section whose group × source tables add up to its groups. */
function sampleWithSources(): Report {
  const report = sampleReport();
  const count = (source: string, n: number, total: number) => ({
    source,
    count: n,
    share: total > 0 ? n / total : null,
  });
  const table = (name: string, rows: Record<string, [number, number]>): Sources['attributes'][number] => ({
    name,
    dominantSource: name === 'age_band' ? { source: 'web', share: 0.6 } : null,
    groups: Object.entries(rows).map(([group, [web, app]]) => ({
      group,
      sources: [count('web', web, web + app), count('app', app, web + app)],
    })),
  });
  report.sources = {
    column: 'channel',
    groups: [count('web', 600, 991), count('app', 391, 991)],
    largestShare: 600 / 991,
    effectiveNumber: 1 / ((600 / 991) ** 2 + (391 / 991) ** 2),
    attributes: [
      table('sex', { female: [290, 190], male: [307, 200], diverse: [3, 1] }),
      table('age_band', {
        '18-24': [70, 50],
        '25-34': [130, 80],
        '35-44': [110, 80],
        '45-54': [110, 70],
        '55-64': [90, 60],
        '65-74': [60, 40],
        '75+': [25, 16],
      }),
    ],
  };
  return reportSchema.parse(report);
}

function sourceRow(sources: Sources | undefined, attribute: string, group: string) {
  const found = sources?.attributes.find((a) => a.name === attribute)?.groups.find((g) => g.group === group);
  if (!found) throw new Error(`no source row ${attribute}/${group}`);
  return Object.fromEntries(found.sources.map((s) => [s.source, s.count]));
}

describe('suppressReport: sources', () => {
  it('k counts people in source cells: few rows of a large weight are hidden, and the rows are dropped', () => {
    // Unweighted (no rows), male's row is shown: diverse's small cells are protected in female's.
    const plain = suppressReport(sampleWithSources(), K).sources!;
    expect(sourceRow(plain, 'sex', 'male')).toEqual({ web: 307, app: 200 });
    // Weighted: male's app cell weighs 200 but holds 3 people; every other cell holds as many
    // people as its weight sum.
    const report = sampleWithSources();
    for (const table of report.sources!.attributes)
      for (const row of table.groups) for (const cell of row.sources) cell.rows = cell.count ?? 0;
    for (const cell of report.sources!.groups) cell.rows = cell.count ?? 0;
    report.sources!.attributes[0]!.groups[1]!.sources[1]!.rows = 3;
    const sources = suppressReport(report, K).sources!;
    // Hidden, with a second cell of its row (the row sums to male's published count).
    expect(sourceRow(sources, 'sex', 'male')).toEqual({ web: null, app: null });
    const cells = [
      ...sources.groups,
      ...sources.attributes.flatMap((t) => t.groups.flatMap((g) => g.sources)),
    ];
    expect(cells.some((c) => 'rows' in c)).toBe(false);
  });

  it('a group × source table: small cells hidden, complements hidden in the same row and column', () => {
    const sources = suppressReport(labelledReport(), K).sources!;
    // diverse: 4 from the app and 2 from branches (small); female's app and branch cells protect them
    // in their columns, and hide each other in female's row.
    // #17's audit: with web-form's 17 visible, mobile-app + branch = 23 − 17 = 6 pins the 4 to
    // 1..5, narrower than k, so web-form is hidden too.
    expect(sourceRow(sources, 'sex', 'diverse')).toEqual({
      'web-form': null,
      'mobile-app': null,
      branch: null,
      'partner-list': 0,
    });
    expect(sourceRow(sources, 'sex', 'female')).toEqual({
      'web-form': null, // protects diverse's web-form cell in its column
      'mobile-app': null,
      branch: null,
      'partner-list': 196,
    });
    expect(sourceRow(sources, 'sex', 'male')).toEqual({
      'web-form': 3363,
      'mobile-app': 1888,
      branch: 670,
      'partner-list': 226,
    });
    const hidden = sources.attributes[0]!.groups[0]!.sources[1]!;
    expect(hidden).toEqual({ source: 'mobile-app', count: null, share: null });
    // Source totals are all ≥ 10 and visible: their statistics stay.
    expect(sources.groups.every((s) => s.count !== null)).toBe(true);
    expect(sources.effectiveNumber).toBeCloseTo(2.462, 3);
    expect(sources.largestShare).toBe(0.545);
  });

  it('a hidden group also hides cells in its row of the source table (its count is the row’s margin)', () => {
    const out = suppressReport(sampleWithSources(), K);
    // female (480) is hidden in `sex` as the complement of diverse (4); had its web and app cells
    // both stayed visible they would add up to it.
    const female = sourceRow(out.sources, 'sex', 'female');
    expect(Object.values(female).filter((n) => n === null).length).toBeGreaterThanOrEqual(1);
    expect(sourceRow(out.sources, 'sex', 'diverse')).toEqual({ web: null, app: null });
    checkProtected(out, K, sampleWithSources());
  });

  it('hides source totals below k with their share, protects them, and withholds the effective number', () => {
    const report = sampleWithSources();
    report.sources!.groups.push({ source: 'fax', count: 6, share: 6 / 997 });
    const out = suppressReport(report, K).sources!;
    // web's share is over the sum of all sources: 600 over it would give that sum, app + fax = 391.
    expect(out.groups.map((s) => [s.source, s.count, s.share])).toEqual([
      ['web', 600, null],
      ['app', null, null], // the complement: the smallest other total
      ['fax', null, null],
    ]);
    expect(out.largestShare).toBeNull(); // the share of web, over the same hidden sum
    expect(out.effectiveNumber).toBeNull();
  });

  it('withholds the largest share when the largest source is hidden', () => {
    const report = sampleWithSources();
    report.sources!.groups = [
      { source: 'web', count: 5, share: 5 / 17 },
      { source: 'app', count: 12, share: 12 / 17 },
    ];
    report.sources!.largestShare = 12 / 17;
    const out = suppressReport(report, K).sources!;
    expect(out.groups.map((s) => s.count)).toEqual([null, null]);
    expect(out.largestShare).toBeNull();
  });

  it('keeps a dominant source when its under-represented groups and their cells are visible', () => {
    const out = suppressReport(labelledReport(), K);
    expect(out.sources!.attributes[1]!.dominantSource).toEqual({ source: 'branch', share: 570 / 1100 });
  });

  it('withholds a dominant source when a cell of an under-represented group is hidden', () => {
    const report = labelledReport();
    const row75 = report.sources!.attributes[1]!.groups.find((g) => g.group === '75+')!;
    row75.sources[3]!.count = 4; // partner-list: 4 of 75+'s rows
    row75.sources[0]!.count = 176;
    const out = suppressReport(report, K);
    expect(sourceRow(out.sources, 'age_band', '75+')['partner-list']).toBeNull();
    expect(out.sources!.attributes[1]!.dominantSource).toBeNull();
    expect(out.warnings).toContainEqual(
      expect.objectContaining({ code: PRIVACY_WARNING.sourcesWithheld, path: 'sources' }),
    );
  });
});

describe('suppressReport: ratios over a hidden denominator (#17)', () => {
  const copies = [sampleReport(), labelledReport(), sampleWithSources()].map((r) => suppressReport(r, K));

  it('withholds every group’s share, interval, ratio, difference and test where the table’s total is hidden', () => {
    // 3 missing rows are small: the total (180 of 183 used) hides with them, and groups with it.
    const small = reportWith([{ ...plainAttribute('a', { x: 50, y: 60, z: 70 }), missing: 3 }]);
    small.rows = { read: 183, used: 183, excludedNoConsent: 0, malformed: 0 };
    const tables = [...copies, suppressReport(small, K)].flatMap((c) => [
      ...c.attributes,
      ...c.intersections,
    ]);
    const hiddenTotals = tables.filter((t) => t.total === null);
    expect(hiddenTotals.length).toBeGreaterThan(0);
    const ratios = hiddenTotals.flatMap((t) =>
      t.groups.flatMap((g) => [g.share, g.ci, g.ratio, g.difference, g.pValue, g.rowsNeeded]),
    );
    expect(ratios.filter((v) => v !== null && v !== undefined)).toEqual([]);
    // The counts themselves stay where they are not hidden.
    expect(hiddenTotals.some((t) => t.groups.some((g) => g.count !== null && g.count > 0))).toBe(true);
  });

  it('withholds every share of a source row (or the source totals) that holds a hidden cell', () => {
    const sources = copies[2]!.sources!;
    const rows = [sources.groups, ...sources.attributes.flatMap((t) => t.groups.map((g) => g.sources))];
    const withHidden = rows.filter((row) => row.some((s) => s.count === null));
    expect(withHidden.length).toBeGreaterThan(0);
    expect(withHidden.flatMap((row) => row.map((s) => s.share)).filter((v) => v !== null)).toEqual([]);
  });
});

describe('suppressReport: an intersection is tied to every smaller table it has', () => {
  it('sums a 3-way line to the attribute’s group when the 2-way table is not published', () => {
    const report = reportWith(
      [
        plainAttribute('s', { a: 103, b: 200 }),
        plainAttribute('t', { x: 150, y: 153 }),
        plainAttribute('u', { p: 140, q: 163 }),
      ],
      [
        plainIntersection(['s', 't', 'u'], {
          'a|x|p': 3,
          'a|x|q': 30,
          'a|y|p': 30,
          'a|y|q': 40,
          'b|x|p': 50,
          'b|x|q': 67,
          'b|y|p': 57,
          'b|y|q': 26,
        }),
      ],
    );
    const counts = collectCountCells(report, K, collectTotalCells(report, report, K));
    const sets = intersectionRules.countSets!(report, counts);
    const cellOf = (g: GroupResult) => counts.groups.get(g)!;
    const line = sets.find(
      (set) =>
        set.path === 's × t × u (line along t, u)' &&
        set.sum === cellOf(byName(report.attributes[0]!.groups, 'a')),
    );
    const cells = ['a|x|p', 'a|x|q', 'a|y|p', 'a|y|q'].map((n) =>
      cellOf(byName(report.intersections[0]!.groups, n)),
    );
    expect(line?.members).toEqual([...cells, line?.sum]);
    // The rows missing or unmapped in t and u bound how far the line may fall short of a.
    expect(line?.shortfall).toEqual(
      ['t', 'u'].flatMap((n) => [counts.totals.get(`${n}.missing`), counts.totals.get(`${n}.unmapped`)]),
    );
    // With the 2-way table missing, the lines along one dimension keep their cells only.
    expect(
      sets.filter((set) => set.path === 's × t × u (line along u)').every((set) => set.sum === undefined),
    ).toBe(true);
  });
});

describe('suppressReport: correction', () => {
  const correction = {
    method: 'raking' as const,
    attributes: ['sex', 'age_band'],
    converged: true,
    iterations: 5,
    maxMarginError: 1e-7,
    designEffect: 1.31,
    effectiveSampleSize: 735.9,
    minWeight: 0.52,
    maxWeight: 4.9,
    cap: null,
    capped: false,
    rows: 964,
  };

  it('nulls the min and max weight when a cell is hidden, and says so in a warning', () => {
    const out = suppressReport(reportSchema.parse({ ...sampleReport(), correction }), K);
    expect(out.correction).toMatchObject({
      minWeight: null,
      maxWeight: null,
      iterations: null, // #17: iterations run over the raked counts, hidden ones included
      converged: true,
    });
    expect(out.warnings).toContainEqual(
      expect.objectContaining({ code: PRIVACY_WARNING.correctionWithheld, path: 'correction' }),
    );
  });

  it('nulls the design effect and effective sample size when a raked attribute has hidden groups', () => {
    const out = suppressReport(reportSchema.parse({ ...sampleReport(), correction }), K);
    expect(out.correction).toMatchObject({ designEffect: null, effectiveSampleSize: null, rows: 964 });
  });

  it('keeps the design effect when only attributes that are not raked have hidden cells', () => {
    const report = reportSchema.parse({
      ...sampleReport(),
      correction: { ...correction, attributes: ['age_band'] },
    });
    report.intersections = [];
    const out = suppressReport(report, K).correction!;
    expect(out).toMatchObject({
      designEffect: 1.31,
      effectiveSampleSize: 735.9,
      minWeight: null,
      maxWeight: null,
    });
  });

  it('keeps everything when nothing is hidden (hidden positives and source cells do not matter to raking)', () => {
    const report = labelledReport();
    const out = suppressReport(report, K);
    expect(out.correction).toEqual(report.correction);
    expect(out.warnings.map((w) => w.code)).not.toContain(PRIVACY_WARNING.correctionWithheld);
  });
});

describe('suppressReport: worst cells', () => {
  it('drops hidden cells from the worst cells and keeps the order of the rest', () => {
    const report = sampleReport();
    report.intersections[0]!.worstCells = [
      'male|75+',
      'female|18-24',
      'female|75+',
      'male|25-34',
      'diverse|35-44',
    ];
    const out = suppressReport(report, K).intersections[0]!;
    // male|75+ (6) and diverse|35-44 (1) are small; female|75+ is hidden as a complement.
    expect(['male|75+', 'female|75+', 'diverse|35-44'].map((c) => byName(out.groups, c).count)).toEqual([
      null,
      null,
      null,
    ]);
    expect(out.worstCells).toEqual(['female|18-24', 'male|25-34']);
  });

  it('keeps them all when no cell is hidden', () => {
    const report = labelledReport();
    expect(suppressReport(report, K).intersections[0]!.worstCells).toEqual(
      report.intersections[0]!.worstCells,
    );
  });
});

describe('suppressReport: privacy.withheld', () => {
  it('lists each withheld section with its subject and reason, one warning per entry', () => {
    const out = suppressReport(labelledReport(), K);
    expect(out.privacy.withheld).toEqual([
      { section: 'labels', subject: 'sex', reason: 'unverifiable-counts' },
      { section: 'labels', subject: 'age_band', reason: 'hidden-positives' },
      { section: 'sources', subject: 'sources', reason: 'hidden-cells' },
      { section: 'rows', subject: 'rows', reason: 'hidden-cells' },
      { section: 'rows', subject: 'dataset.source.bytes', reason: 'hidden-cells' },
    ]);
    const privacy = out.warnings.filter((w) => w.code.startsWith('privacy-'));
    expect(privacy.map((w) => `${w.code} ${w.path}`)).toEqual([
      `${PRIVACY_WARNING.cddWithheld} sex`,
      `${PRIVACY_WARNING.labelsWithheld} age_band`,
      `${PRIVACY_WARNING.sourcesWithheld} sources`,
      `${PRIVACY_WARNING.totalsWithheld} rows`,
      `${PRIVACY_WARNING.totalsWithheld} dataset.source.bytes`,
    ]);
  });

  it('is empty when nothing is hidden, and the same after suppressing again', () => {
    expect(suppressReport(sampleReport(), 1).privacy.withheld).toEqual([]);
    const once = suppressReport(labelledReport(), K);
    expect(suppressReport(once, K).privacy.withheld).toEqual(once.privacy.withheld);
  });

  it('names a cell that cannot be protected', () => {
    const report = reportWith([plainAttribute('tiny', { a: 3, b: 0 })]);
    expect(suppressReport(report, K).privacy.withheld).toContainEqual({
      section: 'attributes',
      subject: 'tiny',
      reason: 'recoverable-cell',
    });
  });
});

describe('suppressReport: contract', () => {
  it('returns a valid report@1 marked suppressed with the threshold used', () => {
    for (const report of [sampleReport(), labelledReport(), sampleWithSources()]) {
      const out = suppressReport(report, K);
      expect(reportSchema.parse(out)).toEqual(out);
      expect(out.privacy).toEqual({ minCellSize: 10, suppressed: true, withheld: expect.any(Array) });
    }
  });

  it('does not mutate its input', () => {
    for (const input of [sampleReport(), labelledReport(), sampleWithSources()]) {
      const before = structuredClone(input);
      suppressReport(input, K);
      expect(input).toEqual(before);
    }
  });

  it('is idempotent', () => {
    for (const report of [sampleReport(), labelledReport(), sampleWithSources()]) {
      const once = suppressReport(report, K);
      expect(suppressReport(once, K)).toEqual(once);
    }
  });

  it('keeps the larger threshold when an already suppressed copy is suppressed again', () => {
    const once = suppressReport(sampleReport(), K);
    expect(suppressReport(once, 5).privacy.minCellSize).toBe(10);
  });

  it('the fixtures pass the independent protection check', () => {
    for (const report of [sampleReport(), labelledReport(), sampleWithSources()]) {
      checkProtected(suppressReport(report, K), K, report);
    }
  });

  it('property: no visible count below k, and no sum set with exactly one hidden cell unless warned', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 2, max: 3 }),
        fc.integer({ min: 2, max: 3 }),
        fc.array(fc.nat({ max: 25 }), { minLength: 36, maxLength: 36 }),
        fc.array(fc.nat({ max: 30 }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 15 }),
        (nA, nB, nS, counts, positives, k) => {
          const report = randomReport(nA, nB, nS, counts, positives);
          const out = suppressReport(report, k);
          checkProtected(out, k, report);
          expect(reportSchema.parse(out)).toEqual(out);
          expect(suppressReport(out, k)).toEqual(out);
        },
      ),
      { seed: 20240501, numRuns: 200 },
    );
  });
});

/**
 * A consistent random report from a three-way table of counts (a × b × source) and positives
 * per a × b cell: attributes a and b with labels (a's first group under-represented), their
 * intersection with positives and worst cells, sources with both group × source tables and a
 * dominant source, and a raking correction over a and b.
 */
function randomReport(
  nA: number,
  nB: number,
  nS: number,
  counts: readonly number[],
  positives: readonly number[],
): Report {
  const n = (i: number, j: number, s: number) => counts[(i * 9 + j * 3 + s) % 36]!;
  const nij = (i: number, j: number) =>
    Array.from({ length: nS }, (_, s) => n(i, j, s)).reduce((x, y) => x + y, 0);
  const pij = (i: number, j: number) => Math.min(nij(i, j), positives[(i * 3 + j) % 12]!);
  const range = (m: number) => Array.from({ length: m }, (_, i) => i);
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);

  const a = labelledAttribute(
    'a',
    range(nA).map((i) => [
      `a${i}`,
      sum(range(nB).map((j) => nij(i, j))),
      sum(range(nB).map((j) => pij(i, j))),
    ]),
  );
  a.groups[0]!.status = 'under';
  const b = labelledAttribute(
    'b',
    range(nB).map((j) => [
      `b${j}`,
      sum(range(nA).map((i) => nij(i, j))),
      sum(range(nA).map((i) => pij(i, j))),
    ]),
  );
  const cells: Record<string, number> = {};
  for (const i of range(nA)) for (const j of range(nB)) cells[`a${i}|b${j}`] = nij(i, j);
  const x = plainIntersection(['a', 'b'], cells);
  for (const cell of x.groups) {
    const [i, j] = cell.group.split('|').map((p) => Number(p.slice(1))) as [number, number];
    cell.positives = pij(i, j);
  }
  x.worstCells = x.groups.map((g) => g.group);

  const share = (count: number, total: number) => (total > 0 ? count / total : null);
  const totals = range(nS).map((s) => sum(range(nA).flatMap((i) => range(nB).map((j) => n(i, j, s)))));
  const grand = sum(totals);
  const sourceTable = (name: string, m: number, cell: (g: number, s: number) => number) => ({
    name,
    dominantSource: name === 'a' ? { source: 's0', share: 0.5 } : null,
    groups: range(m).map((g) => {
      const rowTotal = sum(range(nS).map((s) => cell(g, s)));
      return {
        group: `${name}${g}`,
        sources: range(nS).map((s) => ({
          source: `s${s}`,
          count: cell(g, s),
          share: share(cell(g, s), rowTotal),
        })),
      };
    }),
  });
  const sources: Sources = {
    column: 'channel',
    groups: totals.map((t, s) => ({ source: `s${s}`, count: t, share: share(t, grand) })),
    largestShare: grand > 0 ? Math.max(...totals) / grand : null,
    effectiveNumber: grand > 0 ? 1 / sum(totals.map((t) => (t / grand) ** 2)) : null,
    attributes: [
      sourceTable('a', nA, (i, s) => sum(range(nB).map((j) => n(i, j, s)))),
      sourceTable('b', nB, (j, s) => sum(range(nA).map((i) => n(i, j, s)))),
    ],
  };
  return reportSchema.parse({
    ...reportWith([a, b], [x]),
    sources,
    correction: {
      method: 'raking',
      attributes: ['a', 'b'],
      converged: true,
      iterations: 3,
      maxMarginError: 0,
      designEffect: 1.2,
      effectiveSampleSize: grand / 1.2,
      minWeight: 0.5,
      maxWeight: 2,
      cap: null,
      capped: false,
      rows: grand,
    },
  });
}

/**
 * An independent check of a published copy against the report it came from. Every set of cells
 * with a published sum has zero or at least two hidden cells — or a `privacy-cell-recoverable`
 * warning and no visible non-zero cell left that could have been hidden with it. The sets:
 * attribute groups; intersection cells; each intersection row or column with its attribute group;
 * the same three for positives (a group's positives with the attribute's, the label's total being
 * published); source totals; each group × source table, its rows with the attribute's group and
 * its columns with the source's total. Besides: no visible count, positives or negatives in
 * 1..k−1; hidden positives carry no rate or metric; shares of hidden source cells are hidden;
 * statistics over hidden cells (effective number of sources, min/max weight, CDD, a dominant
 * source over hidden cells, hidden worst cells) are gone.
 */
function checkProtected(report: Report, k: number, input: Report): void {
  const isSmall = (n: number | null | undefined) => n !== null && n !== undefined && n > 0 && n < k;
  const tables = [...report.attributes, ...report.intersections];
  const all = tables.flatMap((t) => t.groups);
  for (const g of all) {
    expect(isSmall(g.count), `${g.group} = ${g.count} is visible`).toBe(false);
    if (g.positives === undefined || g.positives === null) continue;
    expect(g.count, `${g.group}: positives of a hidden group`).not.toBeNull();
    expect(isSmall(g.positives) || isSmall(g.count! - g.positives), `${g.group}: small positives`).toBe(
      false,
    );
  }

  type Member = { count: number | null | undefined };
  const sets: { path: string; cells: Member[] }[] = [];
  const countOf = (g: GroupResult): Member => ({ count: g.count });
  const positivesOf = (g: GroupResult): Member => ({ count: g.positives });
  for (const [suffix, of] of [
    ['', countOf],
    [' (positives)', positivesOf],
  ] as const) {
    // A table whose groups carry no positives has no positives sets.
    const counted = (groups: readonly GroupResult[]) =>
      suffix === '' || groups.every((g) => g.positives !== undefined);
    for (const a of report.attributes) {
      if (counted(a.groups)) sets.push({ path: `${a.name}${suffix}`, cells: a.groups.map(of) });
    }
    for (const x of report.intersections) {
      if (!counted(x.groups)) continue;
      const [first, second] = x.attributes as [string, string];
      const title = x.attributes.join(' × ');
      sets.push({ path: `${title}${suffix}`, cells: x.groups.map(of) });
      const margins = (name: string) => report.attributes.find((a) => a.name === name)!.groups;
      for (const [dim, other] of [
        [0, second],
        [1, first],
      ] as const) {
        for (const margin of margins(dim === 0 ? first : second)) {
          const line = x.groups.filter((g) => g.group.split('|')[dim] === margin.group).map(of);
          const total = counted([margin]) ? [of(margin)] : [];
          sets.push({ path: `${title} (line along ${other})${suffix}`, cells: [...line, ...total] });
        }
      }
    }
  }

  for (const a of report.attributes) {
    for (const r of a.labels?.groups ?? []) {
      const group = a.groups.find((g) => g.group === r.group)!;
      if (group.positives !== undefined) expect(r.positives, `${a.name}/${r.group}`).toBe(group.positives);
      if (r.positives === null) expect(r).toMatchObject(WITHHELD_ROW);
      if (group.count === null) expect(r.classImbalance).toBeNull();
      const visible = (r.positiveRate ?? null) !== null;
      if (visible) expect(r.positives).not.toBeNull();
    }
    const composition = a.labels?.positiveComposition;
    if (composition) {
      for (const entry of composition.groups) {
        const r = a.labels!.groups.find((l) => l.group === entry.group);
        if (r?.positives === null) expect(entry.share).toBeNull();
      }
      if (composition.groups.some((e) => e.share === null)) expect(composition.tvd).toBeNull();
    }
    if (k > 1) for (const entry of a.labels?.cdd?.groups ?? []) expect(entry.value).toBeNull();
  }

  const sources = report.sources;
  if (sources) {
    const entries = [
      ...sources.groups,
      ...sources.attributes.flatMap((t) => t.groups.flatMap((r) => r.sources)),
    ];
    for (const s of entries) {
      expect(isSmall(s.count), `source ${s.source} = ${s.count} is visible`).toBe(false);
      if (s.count === null) expect(s.share).toBeNull();
    }
    if (sources.groups.some((s) => s.count === null)) expect(sources.effectiveNumber).toBeNull();
    sets.push({ path: 'sources', cells: sources.groups });
    for (const t of sources.attributes) {
      const title = `sources: ${t.name} × ${sources.column}`;
      sets.push({ path: title, cells: t.groups.flatMap((r) => r.sources) });
      const attribute = report.attributes.find((a) => a.name === t.name)!;
      for (const r of t.groups) {
        const margin = attribute.groups.find((g) => g.group === r.group)!;
        sets.push({
          path: `${title} (line along ${sources.column})`,
          cells: [...r.sources, countOf(margin)],
        });
      }
      for (const total of sources.groups) {
        const column = t.groups.map((r) => r.sources.find((s) => s.source === total.source)!);
        sets.push({ path: `${title} (line along ${t.name})`, cells: [...column, total] });
      }
      if (t.dominantSource !== null) {
        const under = input.attributes
          .find((a) => a.name === t.name)!
          .groups.filter((g) => g.status === 'under');
        for (const g of under) {
          expect(attribute.groups.find((x) => x.group === g.group)!.count).not.toBeNull();
          const cells = t.groups.find((r) => r.group === g.group)?.sources ?? [];
          expect(cells.every((s) => s.count !== null)).toBe(true);
        }
      }
    }
  }

  const anyHidden = all.some((g) => g.count === null);
  if (report.correction && anyHidden) {
    expect([report.correction.minWeight, report.correction.maxWeight]).toEqual([null, null]);
  }
  for (const x of report.intersections) {
    const hiddenCells = new Set(x.groups.filter(hidden).map((g) => g.group));
    for (const name of x.worstCells ?? [])
      expect(hiddenCells.has(name), `worst cell ${name} is hidden`).toBe(false);
  }

  for (const set of sets) {
    const nHidden = set.cells.filter((c) => c.count === null).length;
    if (nHidden !== 1) continue;
    const warned = report.warnings.some(
      (w) => w.code === PRIVACY_WARNING.cellRecoverable && w.path === set.path,
    );
    const spare = set.cells.some((c) => c.count !== null && c.count !== undefined && c.count > 0);
    expect({ path: set.path, warned, spare }).toEqual({ path: set.path, warned: true, spare: false });
  }
}

describe('raking cells', () => {
  it('are never published', () => {
    const report = labelledReport();
    report.correction = { ...report.correction!, cells: [{ cell: 'a|b', rows: 3, weight: 2.5 }] };
    expect(suppressReport(report, 10).correction!.cells).toBeUndefined();
    expect(report.correction.cells).toHaveLength(1);
  });
});

/**
 * An attribute as compare writes it since issue #18: `[group, rows, positives, rows without a
 * label]`, rates over the labelled rows, the impact ratio against the highest rate.
 */
function unlabelledAttribute(
  name: string,
  rows: readonly [string, number, number, number][],
): AttributeResult {
  const attribute = labelledAttribute(
    name,
    rows.map(([g, n, p]) => [g, n, p]),
  );
  const labelled = rows.reduce((s, [, n, , u]) => s + n - u, 0);
  const positives = rows.reduce((s, [, , p]) => s + p, 0);
  const rates = rows.map(([, n, p, u]) => p / (n - u));
  const top = Math.max(...rates);
  const labels = attribute.labels!;
  labels.positiveRate = positives / labelled;
  labels.missing = rows.reduce((s, [, , , u]) => s + u, 0);
  labels.highestRateGroup = rows[rates.indexOf(top)]![0];
  labels.notJudged = [];
  labels.groups = rows.map(([g, n, p, u], i) => ({
    ...labelRow(g, n - u, p),
    unlabelled: u,
    impactRatio: rates[i]! / top,
    fourFifths: rates[i]! / top >= 0.8 ? 'pass' : 'fail',
  }));
  return attribute;
}

describe('suppressReport: rows without a label (issue #18)', () => {
  it('3 rows of a group without a label → its row is hidden with a partner, impact ratios go', () => {
    const report = reportWith([
      unlabelledAttribute('a', [
        ['x', 500, 200, 3],
        ['y', 600, 240, 20],
        ['z', 700, 300, 45],
      ]),
    ]);
    const a = suppressReport(report, K).attributes[0]!;
    expect(row(a.labels, 'x')).toMatchObject({ ...WITHHELD_ROW, unlabelled: null });
    // 3 = all rows without a label (68) − 20 − 45: the smallest other (y, 20) is hidden with it.
    expect(row(a.labels, 'y')).toMatchObject({ ...WITHHELD_ROW, unlabelled: null });
    expect(row(a.labels, 'z')).toMatchObject({ positives: 300, unlabelled: 45 });
    expect(a.labels!.missing).toBe(68);
    // The impact ratios hold the highest rate; with a hidden row they would give it back.
    expect(a.labels!.groups.map((r) => [r.impactRatio, r.fourFifths])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
    expect(a.labels!.highestRateGroup).toBeNull();
    expect(suppressReport(suppressReport(report, K), K)).toEqual(suppressReport(report, K));
  });

  it('negatives 3 = 500 − 200 − 297 rows without a label → hidden, though count − positives is 300', () => {
    const report = reportWith([
      unlabelledAttribute('a', [
        ['x', 500, 200, 297],
        ['y', 600, 240, 20],
        ['z', 700, 300, 45],
      ]),
    ]);
    const a = suppressReport(report, K).attributes[0]!;
    expect(row(a.labels, 'x').positives).toBeNull();
    expect(a.labels!.groups.filter((r) => r.positives === null).length).toBeGreaterThanOrEqual(2);
  });

  it('4 rows without a label in all: the count, the overall rate and the rows holding them are hidden', () => {
    const report = reportWith([
      unlabelledAttribute('a', [
        ['x', 500, 200, 1],
        ['y', 600, 240, 3],
        ['z', 700, 300, 0],
      ]),
    ]);
    const a = suppressReport(report, K).attributes[0]!;
    expect(a.labels!.missing).toBeNull();
    expect(a.labels!.positiveRate).toBeNull();
    expect(row(a.labels, 'x').positives).toBeNull();
    expect(row(a.labels, 'y').positives).toBeNull();
    expect(JSON.stringify(a.labels)).not.toMatch(/"unlabelled":[13]\b/);
  });

  it('none without a label: nothing is hidden, the impact ratios and the highest-rate group stay', () => {
    const report = reportWith([
      unlabelledAttribute('a', [
        ['x', 500, 200, 0],
        ['y', 600, 240, 0],
        ['z', 700, 350, 0],
      ]),
    ]);
    const a = suppressReport(report, K).attributes[0]!;
    expect(a.labels!.groups.every((r) => r.positives !== null)).toBe(true);
    expect(a.labels!.highestRateGroup).toBe('z');
    expect(row(a.labels, 'x').impactRatio).toBeCloseTo(0.4 / 0.5, 12);
    expect(a.labels!.missing).toBe(0);
  });
});
