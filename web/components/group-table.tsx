import type { ComponentChildren } from 'preact';
import { STATUS_LABEL } from '../../functions/core/charts/chart-specs.ts';
import { HIDDEN_NOTE } from '../../functions/core/privacy/messages.ts';
import type { GroupResult } from '../../functions/core/report/schema.ts';
import {
  formatCount,
  formatGroupCount,
  formatInterval,
  formatP,
  formatRatio,
  formatShare,
} from '../format.ts';

export interface GroupTableProps {
  readonly caption: ComponentChildren;
  readonly groups: readonly GroupResult[];
  /** Header of the first column: `Group`, or `Cell` for intersections. */
  readonly groupHeader?: string;
}

/** Group | Count | Share | 95 % CI | Reference share | Ratio | p (adjusted) | Status. */
export function GroupTable({ caption, groups, groupHeader = 'Group' }: GroupTableProps) {
  return (
    <div class="table-scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{groupHeader}</th>
            <th scope="col" class="num">
              Count
            </th>
            <th scope="col" class="num">
              Share
            </th>
            <th scope="col" class="num">
              95 % CI
            </th>
            <th scope="col" class="num">
              Reference share
            </th>
            <th scope="col" class="num">
              Ratio
            </th>
            <th scope="col" class="num">
              p (adjusted)
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.group} class={`status-${g.status}`}>
              <th scope="row" class="group">
                {g.group}
              </th>
              <td class="num">{formatGroupCount(g)}</td>
              <td class="num">{formatShare(g.share)}</td>
              <td class="num">{formatInterval(g.ci)}</td>
              <td class="num">{formatShare(g.referenceShare)}</td>
              <td class="num">{formatRatio(g.ratio)}</td>
              <td class="num">{formatP(g.pAdjusted)}</td>
              <td class="status">
                <StatusText group={g} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function StatusText({ group }: { readonly group: GroupResult }) {
  if (group.status === 'suppressed') {
    return <>{HIDDEN_NOTE}</>;
  }
  if (group.status === 'not-judged') return <span class="muted">–</span>;
  const details = [
    group.rowsNeeded !== undefined && group.rowsNeeded > 0
      ? `${formatCount(group.rowsNeeded)} more rows needed to reach the minimum ratio`
      : undefined,
    group.note,
  ].filter((d): d is string => d !== undefined);
  return (
    <>
      <span class={`status-${group.status}`}>{STATUS_LABEL[group.status]}</span>
      {details.length > 0 ? <span class="muted">{` (${details.join('; ')})`}</span> : null}
    </>
  );
}
