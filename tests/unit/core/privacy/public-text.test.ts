import { describe, expect, it } from 'vitest';
import { suppressReport } from '../../../../functions/core/privacy/suppress.ts';
import type { Report } from '../../../../functions/core/report/schema.ts';
import { type Case, reportOf } from '../../../fixtures/random-reports.ts';

/**
 * Issue #17's case in miniature: g3 has 4 rows and no reference share, g-ref-only is in the
 * reference with no rows; raking leaves g3's rows out and says how many.
 */
const SMALL_GROUP: Case = {
  weighted: false,
  cells: [
    [300, 100],
    [300, 100],
    [100, 30],
    [200, 60],
    [2, 1],
    [2, 1],
  ],
  weightFactor: 1,
  aShares: [0.3, 0.3, 0.4],
  bShares: [0.5, 0.5],
  missingReferenceGroup: true,
  sources: [400, 500, 3, 100],
};

function hiddenNames(report: Report): string[] {
  return [...report.attributes, ...report.intersections].flatMap((t) =>
    t.groups.filter((g) => g.status === 'suppressed').map((g) => g.group),
  );
}

describe('sentences of a published copy', () => {
  const exact = reportOf(SMALL_GROUP);
  const published = suppressReport(exact, 10);

  it('hides g3 and its complements (the case this test is about)', () => {
    expect(hiddenNames(published)).toContain('g3');
  });

  it('checks name no hidden group and classify none', () => {
    const hidden = hiddenNames(published);
    for (const check of published.checks) {
      for (const name of hidden)
        expect(check.message, check.id).not.toMatch(new RegExp(`\\b${name.replace('|', '\\|')}\\b`));
    }
    expect(published.checks.find((c) => c.id === 'representation:a')!.message).toBe(
      'a: under-represented: g-ref-only; over-represented: g1; some groups are hidden to protect small groups (the status was decided on the exact counts)',
    );
  });

  it('keep every status: they were decided on the exact counts', () => {
    expect(published.checks.map((c) => c.status)).toEqual(exact.checks.map((c) => c.status));
  });

  it('quote no withheld statistic', () => {
    const tvd = exact.attributes[0]!.distances.tvd!;
    expect(exact.checks.some((c) => c.message.includes(tvd.toFixed(3)))).toBe(true);
    expect(published.attributes[0]!.distances.tvd).toBeNull();
    for (const check of published.checks) expect(check.message).not.toContain(tvd.toFixed(3));
  });

  it('say how many rows raking left out only when no group is hidden', () => {
    const said = (r: Report) => r.warnings.find((w) => w.code === 'raking-excluded')!.message;
    expect(said(exact)).toBe('raking left out 4 rows in groups without a reference share: g3');
    expect(said(published)).toBe('raking left out the rows in groups without a reference share: g3');
  });

  it('stay the same when the copy is suppressed again', () => {
    expect(suppressReport(published, 10)).toEqual(published);
  });
});

describe('k counts people', () => {
  // Weight 5 per row: g3's 4 rows weigh 20, above k = 10, but they are 4 people.
  const weighted: Case = { ...SMALL_GROUP, weighted: true, weightFactor: 5 };
  const exact = reportOf(weighted);
  const published = suppressReport(exact, 10);

  it('hides a group of fewer than k rows whatever its weight sum', () => {
    const g3 = exact.attributes[0]!.groups.find((g) => g.group === 'g3')!;
    expect(g3).toMatchObject({ count: 20, rows: 4 });
    expect(published.attributes[0]!.groups.find((g) => g.group === 'g3')!.status).toBe('suppressed');
  });

  it('publishes no row counts behind weight sums (they are for the lake)', () => {
    const groups = [...published.attributes, ...published.intersections].flatMap((t) => t.groups);
    expect(groups.filter((g) => 'rows' in g)).toEqual([]);
    expect(
      [...exact.attributes, ...exact.intersections].flatMap((t) => t.groups).every((g) => 'rows' in g),
    ).toBe(true);
  });
});
