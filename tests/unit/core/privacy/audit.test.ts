import { describe, expect, it } from 'vitest';
import { auditCounts, bounds } from '../../../../functions/core/privacy/audit.ts';
import {
  type Cell,
  countCell,
  isHidden,
  protect,
  type SumSet,
} from '../../../../functions/core/privacy/engine.ts';

const K = 10;

/** `parts` add up to `sum`, as a table line and its margin. */
function line(path: string, parts: Cell[], sum: Cell): SumSet {
  return { section: 'intersections', path, members: [...parts, sum], sum };
}

/**
 * Two small cells side by side in one row: the greedy rule is content (the row holds two hidden
 * cells), but the row's visible cells and margin say a + b = 7, so a is pinned to 1..6.
 *
 *          col1  col2  col3 | row
 *   row1     3     4    100 | 107
 *   row2    50    60     70 | 180
 *   col     53    64    170 | 287
 */
function twoSmallCellsInARow() {
  const [a, b, e] = [countCell(3, K), countCell(4, K), countCell(100, K)];
  const [c, d, f] = [countCell(50, K), countCell(60, K), countCell(70, K)];
  const [r1, r2] = [countCell(107, K), countCell(180, K)];
  const [c1, c2, c3, t] = [countCell(53, K), countCell(64, K), countCell(170, K), countCell(287, K)];
  const sets = [
    line('row1', [a, b, e], r1),
    line('row2', [c, d, f], r2),
    line('col1', [a, c], c1),
    line('col2', [b, d], c2),
    line('col3', [e, f], c3),
    line('rows', [r1, r2], t),
    line('cols', [c1, c2, c3], t),
  ];
  return { a, b, sets };
}

function unknowns(sets: readonly SumSet[]): Cell[] {
  return [...new Set(sets.flatMap((s) => s.members.filter(isHidden)))];
}

describe('auditCounts', () => {
  it('finds the count the greedy rule leaves pinned: a + b = 7 gives 1 <= a <= 6', () => {
    const { a, sets } = twoSmallCellsInARow();
    protect(sets);
    // python: scipy.optimize.linprog over the same equations gives min a = 1, max a = 6
    expect(bounds(a, unknowns(sets), sets)).toEqual([1, 6]);
  });

  it('hides further cells until every small count spans at least k', () => {
    const { a, b, sets } = twoSmallCellsInARow();
    protect(sets);
    expect(auditCounts(sets, K)).toEqual([]);
    for (const cell of [a, b]) {
      const [low, high] = bounds(cell, unknowns(sets), sets);
      expect(high - low).toBeGreaterThanOrEqual(K);
    }
    // Still no published sum with exactly one hidden cell.
    expect(sets.filter((s) => s.members.filter(isHidden).length === 1)).toEqual([]);
  });

  it('looks one sum further when every cell beside the count is hidden already', () => {
    // a + b = s and s + u = 12 with a, b, u small: a <= 12 - 1 - 1 = 10, and every cell of a's
    // own sum is hidden, so the 12 of the next sum goes.
    const [a, b, s, u, t] = [3, 7, 10, 2, 12].map((n) => countCell(n, K)) as [Cell, Cell, Cell, Cell, Cell];
    const sets = [line('row', [a, b], s), line('outer', [s, u], t)];
    protect(sets);
    expect(bounds(a, unknowns(sets), sets)).toEqual([1, 10]);
    expect(auditCounts(sets, K)).toEqual([]);
    expect(isHidden(t)).toBe(true);
    expect(bounds(a, unknowns(sets), sets)[1]).toBe(Number.POSITIVE_INFINITY);
  });

  it('says which sets it could not protect', () => {
    // a + b = s, s + u = v, v + w = 13, all small: a <= 13 - 3 = 10, and the only visible cell
    // (the 13) is two sums away.
    const [a, b, s, u, v, w, t] = [3, 4, 7, 2, 9, 4, 13].map((n) => countCell(n, K)) as Cell[];
    const sets = [line('row', [a!, b!], s!), line('mid', [s!, u!], v!), line('outer', [v!, w!], t!)];
    expect(bounds(a!, unknowns(sets), sets)).toEqual([1, 10]);
    expect(auditCounts(sets, K).map((set) => set.path)).toEqual(['row']);
  });
});

describe('auditCounts: sums that are not exact, negatives, sums that do not hold', () => {
  it('bounds a sum its parts may fall short of: 0 <= 55 - (a + 50) <= 2 gives 3 <= a <= 5', () => {
    // The parts add up to 53, not 55: before, the audit dropped such a set and a was unbounded.
    // python: scipy.optimize.linprog(±1, A_ub=[[1], [-1]], b_ub=[5, -3], bounds=[(1, None)]) gives 3 and 5
    const [a, b, margin, missing] = [countCell(3, K), countCell(50, K), countCell(55, K), countCell(2, K)];
    missing.hide = undefined;
    const set: SumSet = { ...line('line', [a, b], margin), shortfall: [missing] };
    expect(bounds(a, [a], [set])).toEqual([3, 5]);
    expect(bounds(a, [a], [{ ...set, shortfall: 'any' }])).toEqual([1, 5]);
  });

  it('hides a further positives cell when the negatives (count − positives) are pinned', () => {
    // p + q + r = 67 with r = 30 visible, p <= 20 and q <= 20: p is in [17, 20], so the
    // negatives 20 − p are in [0, 3], narrower than k; hiding r widens them to [0, 19] (a hidden
    // count here is at least 1).
    const [p, q, r, s] = [countCell(18, K), countCell(19, K), countCell(30, K), countCell(67, K)];
    const [np, nq] = [countCell(20, K), countCell(20, K)];
    p.hide = 'small';
    q.hide = 'small';
    const sets = [line('positives', [p, q, r], s)];
    const atMost = (x: Cell, n: Cell): SumSet => ({ ...line('p <= n', [x], n), shortfall: 'any' });
    const options = {
      bounds: [atMost(p, np), atMost(q, nq)],
      negatives: [[np, p] as const, [nq, q] as const],
      hideable: (c: Cell) => [p, q, r].includes(c),
    };
    expect(bounds({ cell: np, less: p }, [], sets, options)).toEqual([0, 3]);
    expect(auditCounts(sets, K, options)).toEqual([]);
    expect(isHidden(r)).toBe(true);
    expect(isHidden(np)).toBe(false);
    expect(bounds({ cell: np, less: p }, [], sets, options)).toEqual([0, 19]);
  });

  it('audits negatives as count − positives − rows without a label, and widens them', () => {
    // Group x: n = 100 rows, p = 60 positives, u = 37 without a label: negatives 3. With p + q = 100
    // published and q = 40 visible, p is pinned, so the negatives are too (p − n + u = −3); a reader
    // who took count − positives (40) for the negatives would miss it. Hiding q widens p.
    const [n, p, u, q, all] = [
      countCell(100, K),
      countCell(60, K),
      countCell(37, K),
      countCell(40, K),
      countCell(100, K),
    ];
    p.hide = 'small';
    const sets = [line('positives', [p, q], all)];
    const options = {
      bounds: [{ ...line('p + u <= n', [p, u], n), shortfall: 'any' as const }],
      negatives: [[n, p, u] as const],
      hideable: (c: Cell) => [p, q].includes(c),
    };
    expect(bounds({ cell: p, less: n, plus: u }, [], sets, options)).toEqual([-3, -3]);
    expect(auditCounts(sets, K, options)).toEqual([]);
    expect(isHidden(q)).toBe(true);
    const [low, high] = bounds({ cell: p, less: n, plus: u }, [], sets, options);
    expect(high - low).toBeGreaterThanOrEqual(K);
  });

  it('ignores a sum that does not hold on the exact counts (weight sums beside row counts)', () => {
    // 10 + a = 5 cannot hold; kept, it made the program infeasible and every interval unbounded.
    const [a, b, sum, c, d] = [
      countCell(3, K),
      countCell(10, K),
      countCell(5, K),
      countCell(40, K),
      countCell(43, K),
    ];
    const sets = [line('wrong', [a, b], sum), line('right', [a, c], d)];
    expect(bounds(a, [a], sets)).toEqual([3, 3]);
  });

  it('lets a weight sum be 0 and leaves fractional bounds unrounded', () => {
    const [a, b, t] = [countCell(0.5, K), countCell(2, K), countCell(2.5, K)];
    b.hide = 'complementary';
    t.hide = undefined;
    const sets = [line('weights', [a, b], t)];
    expect(bounds(a, [], sets, { weighted: true })).toEqual([0, 2.5]);
    expect(bounds(a, [], sets)).toEqual([1, 1.5]);
  });
});
