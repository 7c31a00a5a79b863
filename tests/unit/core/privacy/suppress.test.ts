import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMPLEMENTARY_NOTE,
  PRIVACY_WARNING,
  smallCellNote,
  suppressReport,
} from '../../../../functions/core/privacy/suppress.ts';
import {
  type AttributeResult,
  type GroupResult,
  type IntersectionResult,
  type Report,
  reportSchema,
} from '../../../../functions/core/report/schema.ts';
import { sampleReport } from '../../../fixtures/reports.ts';

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
      note: 'fewer than 10',
      positives: null,
    });
    expect(smallCellNote(K)).toBe('fewer than 10');
  });

  it('keeps zeros visible, and hides a count of exactly 1 but not k', () => {
    const report = reportWith([plainAttribute('a', { zero: 0, one: 1, ten: 10, big: 50, other: 60 })]);
    const groups = suppressReport(report, K).attributes[0]!.groups;
    expect(byName(groups, 'zero')).toMatchObject({ count: 0, status: 'no-reference' });
    expect(byName(groups, 'one')).toMatchObject({ count: null, status: 'suppressed', note: 'fewer than 10' });
    expect(byName(groups, 'ten').count).toBe(null); // the complement: smallest visible non-zero
    expect(byName(groups, 'ten').note).toBe(COMPLEMENTARY_NOTE);
    expect(byName(groups, 'big').count).toBe(50);
  });

  it('drops rows needed from a hidden group (it gives the count back from N and π)', () => {
    const report = sampleReport();
    const target = byName(report.attributes[1]!.groups, '75+');
    target.count = 7;
    const groups = suppressReport(report, K).attributes[1]!.groups;
    expect(byName(groups, '75+').rowsNeeded).toBeUndefined();
    // 65-74 (100) is then the smallest visible group, hidden as the complement: same rule.
    expect(byName(groups, '65-74')).toMatchObject({ count: null, note: COMPLEMENTARY_NOTE });
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
      expect(out.privacy).toEqual({ minCellSize: k, suppressed: true });
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
    expect(byName(sex!.groups, 'female')).toMatchObject({ status: 'suppressed', note: COMPLEMENTARY_NOTE });
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
    expect(byName(x.groups, 'male|75+').note).toBe('fewer than 10');
    expect(byName(x.groups, 'diverse|35-44').note).toBe('fewer than 10');
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

  it('withholds the χ² statistic, distances, diversity and labels of an attribute with hidden groups', () => {
    expect(sex.tests.chiSquare).toEqual({ statistic: null, df: 1, pValue: null, method: 'asymptotic' });
    expect(Object.values(sex.distances).every((v) => v === null)).toBe(true);
    expect(Object.keys(sex.distances).sort()).toEqual(['hellinger', 'jsDivergence', 'kl', 'linf', 'tvd']);
    expect(Object.values(sex.diversity).every((v) => v === null)).toBe(true);
    expect(sex.labels).toBeUndefined();
    expect(sex.status).toBe('pass');
  });

  it('says so once, in a warning on the attribute, and keeps the original warnings and checks', () => {
    const codes = published.warnings.map((w) => `${w.code} ${w.path}`);
    expect(codes).toEqual(['no-reference-group sex/diverse', `${PRIVACY_WARNING.statisticsWithheld} sex`]);
    expect(published.checks).toEqual(sampleReport().checks);
    expect(published.status).toBe('fail');
  });
});

describe('suppressReport: contract', () => {
  it('returns a valid report@1 marked suppressed with the threshold used', () => {
    const out = suppressReport(sampleReport(), K);
    expect(reportSchema.parse(out)).toEqual(out);
    expect(out.privacy).toEqual({ minCellSize: 10, suppressed: true });
  });

  it('does not mutate its input', () => {
    const input = sampleReport();
    const before = structuredClone(input);
    suppressReport(input, K);
    expect(input).toEqual(before);
  });

  it('is idempotent', () => {
    const once = suppressReport(sampleReport(), K);
    expect(suppressReport(once, K)).toEqual(once);
  });

  it('keeps the larger threshold when an already suppressed copy is suppressed again', () => {
    const once = suppressReport(sampleReport(), K);
    expect(suppressReport(once, 5).privacy.minCellSize).toBe(10);
  });

  it('property: no visible count below k, and no sum set with exactly one hidden cell unless warned', () => {
    const attributeCounts = (min: number, max: number) =>
      fc.array(fc.nat({ max: 60 }), { minLength: min, maxLength: max });
    fc.assert(
      fc.property(
        attributeCounts(2, 5),
        attributeCounts(2, 4),
        fc.array(fc.nat({ max: 40 }), { minLength: 20, maxLength: 20 }),
        fc.integer({ min: 0, max: 15 }),
        (aCounts, bCounts, cellCounts, k) => {
          const a = plainAttribute('a', Object.fromEntries(aCounts.map((n, i) => [`a${i}`, n])));
          const b = plainAttribute('b', Object.fromEntries(bCounts.map((n, i) => [`b${i}`, n])));
          const cells: Record<string, number> = {};
          aCounts.forEach((_, i) => {
            bCounts.forEach((_, j) => {
              cells[`a${i}|b${j}`] = cellCounts[(i * 4 + j) % 20]!;
            });
          });
          const out = suppressReport(reportWith([a, b], [plainIntersection(['a', 'b'], cells)]), k);
          checkProtected(out, k);
          expect(suppressReport(out, k)).toEqual(out);
        },
      ),
      { seed: 20240501, numRuns: 300 },
    );
  });
});

/**
 * An independent check of the published copy: every set of cells with a published sum (attribute
 * groups; intersection cells; each intersection row or column together with its attribute group)
 * has zero or at least two hidden cells — or a `privacy-cell-recoverable` warning and no visible
 * non-zero cell left that could have been hidden with it.
 */
function checkProtected(report: Report, k: number): void {
  const all = [...report.attributes, ...report.intersections].flatMap((t) => t.groups);
  for (const g of all) {
    if (g.count !== null)
      expect(g.count === 0 || g.count >= k, `${g.group} = ${g.count} is visible`).toBe(true);
  }
  const sets: { path: string; cells: GroupResult[] }[] = report.attributes.map((a) => ({
    path: a.name,
    cells: a.groups,
  }));
  for (const x of report.intersections) {
    const [first, second] = x.attributes as [string, string];
    sets.push({ path: x.attributes.join(' × '), cells: x.groups });
    const margins = (name: string) => report.attributes.find((a) => a.name === name)!.groups;
    for (const [dim, other] of [
      [0, second],
      [1, first],
    ] as const) {
      for (const margin of margins(dim === 0 ? first : second)) {
        const line = x.groups.filter((g) => g.group.split('|')[dim] === margin.group);
        sets.push({ path: `${x.attributes.join(' × ')} (line along ${other})`, cells: [...line, margin] });
      }
    }
  }
  for (const set of sets) {
    const nHidden = set.cells.filter(hidden).length;
    if (nHidden !== 1) continue;
    const warned = report.warnings.some(
      (w) => w.code === PRIVACY_WARNING.cellRecoverable && w.path === set.path,
    );
    const spare = set.cells.some((g) => g.count !== null && g.count > 0);
    expect({ path: set.path, warned, spare }).toEqual({ path: set.path, warned: true, spare: false });
  }
}
