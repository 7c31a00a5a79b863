import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RakeCell, rake } from '../../../../functions/core/stats/index.ts';

/** Cells of a full cross-classification in row-major order, from nested counts. */
function grid(levels: string[][], counts: number[]): RakeCell[] {
  const keys: string[][] = levels.reduce<string[][]>(
    (acc, lv) => acc.flatMap((k) => lv.map((g) => [...k, g])),
    [[]],
  );
  return keys.map((key, i) => ({ key, count: counts[i] ?? 0 }));
}

/** Weighted share of each group of each dimension, computed here independently of `rake`. */
function margins(cells: readonly RakeCell[], weights: readonly (number | null)[], dimensions: number) {
  const total = cells.reduce((s, c, i) => s + c.count * (weights[i] ?? 0), 0);
  return Array.from({ length: dimensions }, (_, d) => {
    const m: Record<string, number> = {};
    cells.forEach((c, i) => {
      const g = c.key[d] ?? '';
      m[g] = (m[g] ?? 0) + (c.count * (weights[i] ?? 0)) / total;
    });
    return m;
  });
}

const sexAge = [
  ['M', 'F'],
  ['young', 'old'],
];
const targets2x2: Record<string, number>[] = [
  { M: 0.5, F: 0.5 },
  { young: 0.3, old: 0.7 },
];

describe('rake (iterative proportional fitting)', () => {
  it('2×2 solved by hand: weights (10√7−20)/20, (70−10√7)/40, (50−10√7)/30, √7 [raking_oracle.py docstring]', () => {
    // counts M-young 20, M-old 40, F-young 30, F-old 10; raking keeps the odds ratio 1/6, so the
    // weighted M-young count a solves a(20 + a) / ((50 − a)(30 − a)) = 1/6, a = 10√7 − 20.
    const r = rake(grid(sexAge, [20, 40, 30, 10]), targets2x2, { tolerance: 1e-12, maxIterations: 10_000 });
    const s7 = Math.sqrt(7);
    const hand = [(10 * s7 - 20) / 20, (70 - 10 * s7) / 40, (50 - 10 * s7) / 30, s7];
    hand.forEach((w, i) => {
      expect(Math.abs((r.weights[i] ?? 0) - w) / w).toBeLessThan(1e-10);
    });
    expect(r.converged).toBe(true);
    expect(r.capped).toBe(false);
    expect(r.reason).toBeUndefined();
    // Kish: n·Σw²/(Σw)² over the 100 rows, and N_eff = n / deff.
    const s1 = 20 * hand[0]! + 40 * hand[1]! + 30 * hand[2]! + 10 * hand[3]!;
    const s2 = 20 * hand[0]! ** 2 + 40 * hand[1]! ** 2 + 30 * hand[2]! ** 2 + 10 * hand[3]! ** 2;
    expect(r.designEffect).toBeCloseTo((100 * s2) / (s1 * s1), 9);
    expect(r.effectiveSampleSize).toBeCloseTo(100 / (r.designEffect ?? 1), 9);
  });

  it('targets equal to the sample margins: weights exactly 1, no iterations, design effect 1', () => {
    const sampleShares: Record<string, number>[] = [
      { M: 0.5, F: 0.5 },
      { young: 0.5, old: 0.5 },
    ];
    const r = rake(grid(sexAge, [20, 30, 30, 20]), sampleShares);
    expect(r).toEqual({
      weights: [1, 1, 1, 1],
      iterations: 0,
      converged: true,
      maxMarginError: 0,
      designEffect: 1,
      effectiveSampleSize: 100,
      capped: false,
    });
  });

  it('weights all equal (base weight 2.5 everywhere) equal the unweighted result times 2.5', () => {
    const cells = grid(sexAge, [20, 40, 30, 10]);
    const plain = rake(cells, targets2x2);
    const based = rake(
      cells.map((c) => ({ ...c, baseWeight: 2.5 })),
      targets2x2,
    );
    plain.weights.forEach((w, i) => {
      expect(based.weights[i]).toBeCloseTo((w ?? 0) * 2.5, 12);
    });
    expect(based.designEffect).toBeCloseTo(plain.designEffect ?? 0, 12);
    expect(based.effectiveSampleSize).toBeCloseTo(plain.effectiveSampleSize ?? 0, 9);
    expect(based.iterations).toBe(plain.iterations);
  });

  it('a target group with no rows cannot be raked up: not converged, base weights, a reason naming it, no NaN', () => {
    const r = rake(grid(sexAge, [20, 40, 0, 0]), targets2x2);
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(0);
    expect(r.reason).toBe(
      "dimension 0: group 'F' has target share 0.5 but no rows, so no weighting can reach it",
    );
    expect(r.weights).toEqual([1, 1, null, null]);
    for (const v of [r.maxMarginError, r.designEffect, r.effectiveSampleSize])
      expect(Number.isFinite(v)).toBe(true);
    expect(r.maxMarginError).toBeCloseTo(0.5, 15);
  });

  it('a group with rows but no target share is reported, not weighted to 0', () => {
    const noOld: Record<string, number>[] = [{ M: 0.5, F: 0.5 }, { young: 1 }];
    const r = rake(grid(sexAge, [20, 40, 30, 10]), noOld);
    expect(r.converged).toBe(false);
    expect(r.reason).toContain("dimension 1: group 'old' has rows but no target share");
  });

  it('targets that cannot be met together (structural zeros): not converged, finite weights, a reason', () => {
    const r = rake(grid(sexAge, [0, 10, 10, 0]), targets2x2, { maxIterations: 50 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(50);
    expect(r.reason).toContain('did not converge in 50 sweeps');
    expect(r.maxMarginError).toBeCloseTo(0.2, 12);
    expect(r.weights.every((w) => w === null || (Number.isFinite(w) && w > 0))).toBe(true);
  });

  it('cap: the largest weight ends at cap × mean and the margins still fit when they can', () => {
    // Uncapped, the F-old weight is √7 ≈ 2.65 times the mean; cap 2.4 moves weight elsewhere.
    const cells = grid(sexAge, [20, 40, 30, 10]);
    const r = rake(cells, targets2x2, { cap: 2.4, tolerance: 1e-10, maxIterations: 10_000 });
    expect(r.converged).toBe(true);
    expect(r.capped).toBe(true);
    const rows = 100;
    const mean = cells.reduce((s, c, i) => s + c.count * (r.weights[i] ?? 0), 0) / rows;
    expect(Math.max(...r.weights.map((w) => w ?? 0)) / mean).toBeCloseTo(2.4, 9);
    expect(mean).toBeCloseTo(1, 12);
  });

  it('a cap too tight for the targets: not converged, the cap still holds, a hint in the reason', () => {
    const cells = grid(
      [
        ['g1', 'g2', 'g3'],
        ['p', 'q'],
      ],
      [200, 150, 40, 60, 3, 5],
    );
    const skewTargets: Record<string, number>[] = [
      { g1: 0.4, g2: 0.35, g3: 0.25 },
      { p: 0.5, q: 0.5 },
    ];
    const r = rake(cells, skewTargets, { cap: 5, maxIterations: 200 });
    expect(r.converged).toBe(false);
    expect(r.capped).toBe(true);
    expect(r.reason).toContain('the cap may be too tight');
    const rows = cells.reduce((s, c) => s + c.count, 0);
    const mean = cells.reduce((s, c, i) => s + c.count * (r.weights[i] ?? 0), 0) / rows;
    expect(Math.max(...r.weights.map((w) => w ?? 0)) / mean).toBeLessThanOrEqual(5 * (1 + 1e-12));
  });

  it('empty cells get a null weight; bad cells and targets give a reason; bad options throw', () => {
    const r = rake([...grid(sexAge, [20, 40, 30, 10]), { key: ['M', 'young'], count: 0 }], targets2x2);
    expect(r.weights[4]).toBeNull();
    expect(rake([{ key: ['M'], count: 5 }], targets2x2).reason).toContain('one per target dimension (2)');
    expect(rake([{ key: ['M', 'old'], count: -1 }], targets2x2).reason).toContain('count must be');
    expect(rake([{ key: ['M', 'old'], count: 1, baseWeight: 0 }], targets2x2).reason).toContain('baseWeight');
    expect(rake(grid(sexAge, [0, 0, 0, 0]), targets2x2).reason).toContain('no rows');
    expect(rake(grid(sexAge, [1, 1, 1, 1]), []).reason).toContain('no dimensions');
    const zeroSum: Record<string, number>[] = [{ M: 0, F: 0 }, { young: 1 }];
    const negative: Record<string, number>[] = [{ M: -1, F: 2 }, { young: 1 }];
    expect(rake(grid(sexAge, [1, 1, 1, 1]), zeroSum).reason).toContain('sum to 0');
    expect(rake(grid(sexAge, [1, 1, 1, 1]), negative).reason).toContain("targets[0]['M']");
    expect(() => rake([], targets2x2, { maxIterations: 0 })).toThrow(RangeError);
    expect(() => rake([], targets2x2, { tolerance: 0 })).toThrow(RangeError);
    expect(() => rake([], targets2x2, { cap: 1 })).toThrow('cap must be a finite number > 1');
  });

  it('N = 1: one row in one cell already fits targets that put everything in its groups', () => {
    const everything: Record<string, number>[] = [{ M: 1 }, { old: 1 }];
    const r = rake([{ key: ['M', 'old'], count: 1 }], everything);
    expect(r.weights).toEqual([1]);
    expect(r.converged).toBe(true);
    expect(r.designEffect).toBe(1);
  });

  /** A full cross-classification with 1–3 dimensions of 2–4 groups, positive counts and targets. */
  const problem = fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 3 }).chain((sizes) => {
    const levels = sizes.map((k, d) => Array.from({ length: k }, (_, g) => `d${d}g${g}`));
    const cellsN = sizes.reduce((a, b) => a * b, 1);
    return fc.record({
      levels: fc.constant(levels),
      counts: fc.array(fc.integer({ min: 1, max: 500 }), { minLength: cellsN, maxLength: cellsN }),
      base: fc.array(fc.double({ min: 0.2, max: 5, noNaN: true }), { minLength: cellsN, maxLength: cellsN }),
      targets: fc.tuple(
        ...levels.map((lv) =>
          fc.array(fc.double({ min: 0.02, max: 1, noNaN: true }), {
            minLength: lv.length,
            maxLength: lv.length,
          }),
        ),
      ),
    });
  });

  it('property: with every cell filled, raking converges, reproduces the target margins within tolerance, and all weights are finite and > 0', () => {
    fc.assert(
      fc.property(problem, ({ levels, counts, base, targets }) => {
        const cells = grid(levels, counts).map((c, i) => ({ ...c, baseWeight: base[i] ?? 1 }));
        const targetMaps = targets.map((t, d) =>
          Object.fromEntries((levels[d] ?? []).map((g, i) => [g, t[i] ?? 0])),
        );
        const tolerance = 1e-8;
        const r = rake(cells, targetMaps, { tolerance, maxIterations: 5000 });
        expect(r.converged, r.reason).toBe(true);
        expect(r.weights.every((w) => w !== null && Number.isFinite(w) && w > 0)).toBe(true);
        const got = margins(cells, r.weights, levels.length);
        targetMaps.forEach((t, d) => {
          const sum = Object.values(t).reduce((s, x) => s + x, 0);
          for (const [g, share] of Object.entries(t)) {
            expect(Math.abs((got[d]?.[g] ?? 0) - share / sum)).toBeLessThanOrEqual(tolerance * (1 + 1e-6));
          }
        });
        // The weights keep the base-weighted total, and Kish's N_eff = rows / deff.
        const baseTotal = cells.reduce((s, c) => s + c.count * (c.baseWeight ?? 1), 0);
        const total = cells.reduce((s, c, i) => s + c.count * (r.weights[i] ?? 0), 0);
        expect(Math.abs(total - baseTotal) / baseTotal).toBeLessThan(1e-9);
        const rows = cells.reduce((s, c) => s + c.count, 0);
        expect(r.designEffect ?? 0).toBeGreaterThanOrEqual(1 - 1e-12);
        expect(r.effectiveSampleSize).toBeCloseTo(rows / (r.designEffect ?? 1), 6);
      }),
      { seed: 41, numRuns: 300 },
    );
  });

  it('property: targets equal to the sample margins give weights all 1', () => {
    fc.assert(
      fc.property(problem, ({ levels, counts }) => {
        const cells = grid(levels, counts);
        const ones = cells.map(() => 1);
        const sampleMargins = margins(cells, ones, levels.length);
        const r = rake(cells, sampleMargins);
        expect(r.converged).toBe(true);
        for (const w of r.weights) expect(w).toBeCloseTo(1, 12);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('property: with a cap, any result keeps every weight ≤ cap × mean and finite > 0', () => {
    fc.assert(
      fc.property(
        problem,
        fc.double({ min: 1.2, max: 6, noNaN: true }),
        ({ levels, counts, targets }, cap) => {
          const cells = grid(levels, counts);
          const targetMaps = targets.map((t, d) =>
            Object.fromEntries((levels[d] ?? []).map((g, i) => [g, t[i] ?? 0])),
          );
          const r = rake(cells, targetMaps, { cap, maxIterations: 300 });
          const rows = cells.reduce((s, c) => s + c.count, 0);
          const mean = cells.reduce((s, c, i) => s + c.count * (r.weights[i] ?? 0), 0) / rows;
          for (const w of r.weights) {
            expect(w !== null && Number.isFinite(w) && w > 0).toBe(true);
            if (r.capped || r.converged) expect((w ?? 0) / mean).toBeLessThanOrEqual(cap * (1 + 1e-6));
          }
          if (!r.converged) expect(r.reason).toBeTypeOf('string');
        },
      ),
      { seed: 43, numRuns: 200 },
    );
  });
});

describe('rake on arbitrary finite input', () => {
  it('property: never NaN or ±Infinity; not converged comes with a reason', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    const positive = fc.double({ min: Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true });
    const cellArb = fc.record({
      key: fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y')).map((k) => [...k]),
      count: fc.oneof(finite, positive),
      baseWeight: fc.oneof(finite, positive),
    });
    const targetArb = fc.tuple(
      fc.record({ a: fc.oneof(finite, positive), b: fc.oneof(finite, positive) }),
      fc.record({ x: fc.oneof(finite, positive), y: fc.oneof(finite, positive) }),
    );
    fc.assert(
      fc.property(fc.array(cellArb, { maxLength: 6 }), targetArb, (cells, targets) => {
        const r = rake(cells, targets, { maxIterations: 50 });
        for (const v of [...r.weights, r.maxMarginError, r.designEffect, r.effectiveSampleSize]) {
          if (v !== null) expect(Number.isFinite(v), `${v} ${JSON.stringify({ cells, targets })}`).toBe(true);
        }
        if (!r.converged) expect(r.reason).toBeTypeOf('string');
      }),
      { seed: 44, numRuns: 3000 },
    );
  });
});
