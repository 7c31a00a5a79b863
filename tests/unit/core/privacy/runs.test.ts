import { describe, expect, it } from 'vitest';
import { type AuditedRun, auditAcrossRuns } from '../../../../functions/core/privacy/audit.ts';
import {
  type Cell,
  countCell,
  isHidden,
  protect,
  type SumSet,
} from '../../../../functions/core/privacy/engine.ts';
import { linkRuns, preferHiddenBefore } from '../../../../functions/core/privacy/runs.ts';

const K = 10;

/** One attribute: female, male, diverse and their total, as a run's cells by name and its sum. */
function run(female: number, male: number, diverse: number) {
  const cells = new Map<string, Cell>([
    ['female', countCell(female, K)],
    ['male', countCell(male, K)],
    ['diverse', countCell(diverse, K)],
    ['total', countCell(female + male + diverse, K)],
  ]);
  const sum = cells.get('total')!;
  const sets: SumSet[] = [
    {
      section: 'attributes',
      path: 'sex',
      members: ['female', 'male', 'diverse', 'total'].map((n) => cells.get(n)!),
      sum,
    },
  ];
  const audited: AuditedRun = { sets, k: K, options: {} };
  return { cells, sets, audited };
}

function hidden(cells: ReadonlyMap<string, Cell>): string[] {
  return [...cells].filter(([, c]) => isHidden(c)).map(([n]) => n);
}

describe('suppression across runs', () => {
  it('links the cells both runs have and takes d as the largest change of any of them', () => {
    const before = run(148, 147, 4);
    const after = run(148, 149, 4);
    const { links, change } = linkRuns(before.cells, after.cells);
    expect(links).toHaveLength(4);
    expect(change).toBe(2);
  });

  it('prefers the cells the previous run hid, so the complementary choice stays stable', () => {
    const before = run(148, 147, 4);
    protect(before.sets);
    expect(hidden(before.cells)).toEqual(['male', 'diverse']);
    const alone = run(148, 149, 4);
    protect(alone.sets);
    expect(hidden(alone.cells)).toEqual(['female', 'diverse']);
    const stable = run(148, 149, 4);
    preferHiddenBefore(before.cells, stable.cells);
    protect(stable.sets);
    expect(hidden(stable.cells)).toEqual(['male', 'diverse']);
  });

  it('hides a further cell of the new run when the two runs differenced pin a hidden count', () => {
    const before = run(148, 147, 4);
    protect(before.sets);
    const after = run(148, 149, 4);
    protect(after.sets);
    const { links, change } = linkRuns(before.cells, after.cells);
    // Alone: diverse + female = 152 with female hidden. Together, female moved by at most 2 from
    // 148, so diverse lies in [2, 6]: the audit hides male too.
    expect(auditAcrossRuns(after.audited, before.audited, links, change)).toEqual([]);
    expect(hidden(after.cells)).toEqual(['female', 'male', 'diverse']);
    expect(hidden(before.cells)).toEqual(['male', 'diverse']);
  });

  it('says a count that fell under k cannot be protected, without hiding cells in vain', () => {
    const before = run(150, 140, 10);
    protect(before.sets);
    expect(hidden(before.cells)).toEqual([]);
    const after = run(150, 140, 9);
    protect(after.sets);
    expect(hidden(after.cells)).toEqual(['male', 'diverse']);
    const { links, change } = linkRuns(before.cells, after.cells);
    expect(change).toBe(1);
    expect(auditAcrossRuns(after.audited, before.audited, links, change)).toEqual(after.sets);
    expect(hidden(after.cells)).toEqual(['male', 'diverse']);
  });

  it('says a previous count whose group emptied is bounded by d (zeros stay visible)', () => {
    const before = run(150, 140, 1);
    protect(before.sets);
    const after = run(150, 140, 0);
    protect(after.sets);
    expect(hidden(after.cells)).toEqual([]);
    const { links, change } = linkRuns(before.cells, after.cells);
    expect(auditAcrossRuns(after.audited, before.audited, links, change)).toEqual(after.sets);
    expect(hidden(after.cells)).toEqual([]);
  });
});
