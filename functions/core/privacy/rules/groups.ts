import { type GroupResult, groupResultSchema } from '../../report/schema.ts';
import { type CountCells, isHidden, isSuppressed } from '../engine.ts';
import { COMPLEMENTARY_NOTE, smallCellNote } from '../messages.ts';
import { withholdCell } from '../withhold.ts';

/**
 * Hides the groups of `tables` that the protection loop marked: every field computed from the
 * group's count or positives goes (by its tag), the status says `suppressed` and the note why.
 * A group that came in suppressed keeps its note.
 */
export function hideMarkedGroups(
  tables: readonly { groups: GroupResult[] }[],
  counts: CountCells,
  k: number,
): void {
  for (const table of tables) {
    for (const group of table.groups) {
      const cell = counts.groups.get(group);
      if (cell === undefined) continue;
      if (cell.hide !== undefined)
        hideGroup(group, cell.hide === 'small' ? smallCellNote(k) : COMPLEMENTARY_NOTE);
      else if (isHidden(cell) && isSuppressed(group)) hideGroup(group, group.note ?? smallCellNote(k));
    }
  }
}

function hideGroup(group: GroupResult, note: string): void {
  withholdCell(groupResultSchema, group, ['count', 'positives']);
  group.status = 'suppressed';
  group.note = note;
}
