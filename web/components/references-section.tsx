import { HIDDEN_NOTE } from '../../functions/core/privacy/messages.ts';
import {
  comparedGroups,
  comparisonRole,
  comparisonSentence,
} from '../../functions/core/report/reference-summary.ts';
import type { AttributeResult, Report } from '../../functions/core/report/schema.ts';
import { formatRatio, formatShare } from '../format.ts';
import { ChartFigure, type RenderedChart } from './chart-figure.tsx';

export interface ReferencesSectionProps {
  /** The attribute's name, or an intersection's title (`sex × age_band`). */
  readonly name: string;
  readonly table: Pick<AttributeResult, 'groups' | 'comparisons'>;
  /** Element id prefix, unique on the page (`attribute-2`, `intersection-0`). */
  readonly idPrefix: string;
  readonly references: Report['provenance']['references'];
  /** The side-by-side chart, drawn at build time. */
  readonly chart: RenderedChart | undefined;
}

/**
 * An attribute compared with several references (issue #18): each reference named with its
 * source, year and kind, one chart with the dataset's share and each reference's share per group,
 * one table with a reference share and ratio column per reference, and one sentence per
 * reference. Everything comes from the published copy's comparison blocks.
 */
export function ReferencesSection({ name, table: a, idPrefix, references, chart }: ReferencesSectionProps) {
  const blocks = a.comparisons;
  if (blocks === undefined) return null;
  const headingId = `${idPrefix}-references`;
  const groups = comparedGroups(a);
  return (
    <section aria-labelledby={headingId} class="references">
      <h4 id={headingId}>
        {name} against {blocks.length} references
      </h4>
      <ul>
        {blocks.map((b) => {
          // A product of marginals names several references of one population.
          const cited = references.find((r) => r.id === b.reference.split('/')[0]);
          return (
            <li key={b.reference}>
              <code>{b.reference}</code> ({comparisonRole(b)}): {cited?.title ?? 'no title'}; source{' '}
              {cited?.source ?? 'not stated'}, year {cited?.year ?? 'not stated'}
            </li>
          );
        })}
      </ul>
      {blocks.map((b) => (
        <p key={b.reference}>{comparisonSentence({ name }, b)}</p>
      ))}
      {chart === undefined ? null : (
        <ChartFigure
          chart={chart}
          caption="Bars per group: the dataset's share (first) and each reference's share, as the table lists them."
        />
      )}
      <div class="table-scroll">
        <table>
          <caption>{`${name}: dataset share and each reference's share and ratio`}</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col" class="num">
                Dataset share
              </th>
              {blocks.map((b) => [
                <th key={`${b.reference}-share`} scope="col" class="num">
                  {b.reference} share
                </th>,
                <th key={`${b.reference}-ratio`} scope="col" class="num">
                  Ratio to {b.reference}
                </th>,
              ])}
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => {
              const own = a.groups.find((g) => g.group === group);
              return (
                <tr key={group}>
                  <th scope="row" class="group">
                    {group}
                  </th>
                  <td class="num">
                    {own?.status === 'suppressed' ? HIDDEN_NOTE : formatShare(own?.share ?? 0)}
                  </td>
                  {blocks.map((b) => {
                    const g = b.groups.find((x) => x.group === group);
                    return [
                      <td key={`${b.reference}-share`} class="num">
                        {formatShare(g?.referenceShare ?? null)}
                      </td>,
                      <td key={`${b.reference}-ratio`} class={`num status-${g?.status ?? 'no-reference'}`}>
                        {g?.status === 'suppressed' ? '—' : `${formatRatio(g?.ratio ?? null)}`}
                      </td>,
                    ];
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
