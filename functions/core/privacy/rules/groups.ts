import { type GroupResult, groupResultSchema } from '../../report/schema.ts';
import { type CountCells, isHidden, isSuppressed } from '../engine.ts';
import { HIDDEN_NOTE } from '../messages.ts';
import { withholdCell, withholdOverTotal } from '../withhold.ts';

/**
 * Hides the groups of `tables` that the protection loop marked: every field computed from the
 * group's count or positives goes (by its tag), the status says `suppressed`, and the note is the
 * same whether the group is small or hides one (`HIDDEN_NOTE`).
 */
export function hideMarkedGroups(tables: readonly { groups: GroupResult[] }[], counts: CountCells): void {
  for (const table of tables) {
    for (const group of table.groups) {
      const cell = counts.groups.get(group);
      if (cell === undefined) continue;
      if (cell.hide !== undefined || (isHidden(cell) && isSuppressed(group))) hideGroup(group);
    }
  }
}

/** The rows behind a weighted count are for the lake: no published group carries them. */
export function dropRows(tables: readonly { groups: GroupResult[] }[]): void {
  for (const table of tables) for (const group of table.groups) delete group.rows;
}

/**
 * In a table whose total is hidden, withholds every group's ratios to that total (share, interval,
 * ratio and difference to the reference, test, rows needed): a visible count over its share is the
 * total, and the total gives back the hidden cells it was hidden with (issue #17).
 */
export function withholdOverHiddenTotals(
  tables: readonly { total: number | null; groups: GroupResult[] }[],
): void {
  for (const table of tables) {
    if (table.total !== null) continue;
    for (const group of table.groups) withholdOverTotal(groupResultSchema, group);
  }
}

function hideGroup(group: GroupResult): void {
  withholdCell(groupResultSchema, group, ['count', 'positives']);
  group.status = 'suppressed';
  group.note = HIDDEN_NOTE;
}
