import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare } from '../../../../functions/core/compare/compare.ts';
import type { CompareRow } from '../../../../functions/core/compare/compare-sql.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import { buildPlan } from '../../../../functions/core/profile/plan.ts';
import { ProfileBuilder } from '../../../../functions/core/profile/profile.ts';
import { buildReport } from '../../../../functions/core/report/build.ts';
import { reportSchema } from '../../../../functions/core/report/schema.ts';

/**
 * Over many random inputs (empty groups, one group, huge counts, reference shares of 0 and 1,
 * weights, labels, sources), every report validates against report@1, whose numbers reject NaN
 * and ±Infinity, and every attribute's shares add up to 1.
 */
const MANIFEST = `dataset: random
WEIGHT
label: { column: y, positive: ["1"], strata: b }
source: { column: src }
attributes:
  - { name: a, column: a, reference: p-1/a }
  - { name: b, column: b, reference: p-1/b }
  - { name: c, column: c }
intersections: [[a, b]]
`;

const GROUPS = { a: ['g1', 'g2', 'g3'], b: ['h1', 'h2'], c: ['k1', 'k2'], src: ['s1', 's2'] };

const count = fc.oneof(
  fc.constant(0),
  fc.constant(1),
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: 0, max: 1e9 }),
);
const share = fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }));

const arbitraryCase = fc.record({
  weighted: fc.boolean(),
  cells: fc.array(fc.tuple(count, count), { minLength: 6, maxLength: 6 }),
  weightFactor: fc.double({ min: 0.01, max: 50, noNaN: true }),
  aShares: fc.array(share, { minLength: 3, maxLength: 3 }),
  bShares: fc.array(share, { minLength: 2, maxLength: 2 }),
  missingReferenceGroup: fc.boolean(),
  sources: fc.array(count, { minLength: 4, maxLength: 4 }),
});

function normalise(xs: number[]): number[] {
  const total = xs.reduce((s, x) => s + x, 0);
  return total > 0 ? xs.map((x) => x / total) : xs.map(() => 1 / xs.length);
}

function row(
  attribute: string,
  group: string,
  n: number,
  positives: number,
  w: number,
  ref: number | null,
): CompareRow {
  return {
    attribute,
    group,
    count: n,
    weightSum: n * w,
    weightSqSum: n * w * w,
    positives,
    positiveWeightSum: positives * w,
    referenceShare: ref,
    referenceCount: null,
  };
}

type Case = typeof arbitraryCase extends fc.Arbitrary<infer T> ? T : never;

function reportOf(c: Case) {
  const manifest = parseManifest(MANIFEST.replace('WEIGHT', c.weighted ? 'weight: w' : ''), 'm.yaml');
  const w = c.weighted ? c.weightFactor : 1;
  const aRef = normalise(c.aShares);
  const bRef = normalise(c.bShares);
  const rows: CompareRow[] = [];
  // cells of a × b: counts and positives (positives ≤ count)
  const cell = (i: number) => {
    const [n, p] = c.cells[i]!;
    return { n, p: Math.min(n, p) };
  };
  const aTotals = GROUPS.a.map((_, i) => [0, 1].reduce((s, j) => s + cell(i * 2 + j).n, 0));
  const aPos = GROUPS.a.map((_, i) => [0, 1].reduce((s, j) => s + cell(i * 2 + j).p, 0));
  const bTotals = GROUPS.b.map((_, j) => [0, 1, 2].reduce((s, i) => s + cell(i * 2 + j).n, 0));
  const bPos = GROUPS.b.map((_, j) => [0, 1, 2].reduce((s, i) => s + cell(i * 2 + j).p, 0));
  GROUPS.a.forEach((g, i) => {
    const ref = c.missingReferenceGroup && i === 2 ? null : aRef[i]!;
    rows.push(row('a', g, aTotals[i]!, aPos[i]!, w, ref));
  });
  if (c.missingReferenceGroup) rows.push(row('a', 'g-ref-only', 0, 0, w, 0.1));
  for (const [j, g] of GROUPS.b.entries()) rows.push(row('b', g, bTotals[j]!, bPos[j]!, w, bRef[j]!));
  rows.push(row('c', 'k1', aTotals[0]!, aPos[0]!, w, null));
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 2; j++) {
      const { n, p } = cell(i * 2 + j);
      const name = `${GROUPS.a[i]}|${GROUPS.b[j]}`;
      rows.push(row('a_x_b', name, n, p, w, c.missingReferenceGroup ? null : aRef[i]! * bRef[j]!));
      rows.push(row('_strata_by_a', name, n, p, w, null));
      rows.push(row('_rake', name, n, p, w, null));
    }
  }
  for (const [k, s] of GROUPS.src.entries()) rows.push(row('_source', s, c.sources[k]!, 0, w, null));
  for (const [i, g] of GROUPS.a.entries()) {
    for (const [k, s] of GROUPS.src.entries()) {
      rows.push(row('_source_by_a', `${g}|${s}`, c.sources[(i + k) % 4]!, 0, w, null));
    }
  }
  const profile = new ProfileBuilder(buildPlan(manifest)).toProfile();
  const comparison = compare(manifest, profile, rows);
  return buildReport({
    manifest,
    manifestSha256: '0'.repeat(64),
    profile,
    comparison,
    dataset: {
      id: 'random',
      version: 'v1',
      source: { uri: 'file:///x.csv', bytes: 1, format: 'csv', compression: 'none' },
    },
    run: {
      id: '20260101T000000Z',
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:00:01Z',
      reason: 'manual',
    },
    fileColumns: [],
    populations: [],
    referenceRows: [],
    codeVersion: 'test',
  });
}

/** Paths of numbers that are NaN or ±Infinity (JSON would silently write them as null). */
function nonFiniteNumbers(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFiniteNumbers(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => nonFiniteNumbers(v, `${path}.${k}`));
  }
  return [];
}

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
