import type { IntersectionResult, Report } from '../../functions/core/report/schema.ts';
import { formatHiddenCount } from '../format.ts';
import { GroupTable } from './group-table.tsx';
import { ReferencesSection } from './references-section.tsx';

const BASIS_LABEL: Readonly<Record<IntersectionResult['basis'], string>> = {
  'joint-reference': 'vs joint reference',
  'product-of-marginals': 'vs product of marginals',
  none: 'no reference',
};

/** One intersection as a table of its cells, with the basis of the comparison labelled. */
export function IntersectionSection({
  intersection: x,
  index,
  references = [],
}: {
  readonly intersection: IntersectionResult;
  readonly index: number;
  /** The report's cited references, for the blocks of further populations (#18). */
  readonly references?: Report['provenance']['references'];
}) {
  const title = x.attributes.join(' × ');
  const basis = BASIS_LABEL[x.basis];
  const headingId = `intersection-${index}`;
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <p class="muted">
        Compared {basis}
        {x.reference === null ? '' : ' '}
        {x.reference === null ? null : <code>{x.reference}</code>}
        {x.basis === 'product-of-marginals'
          ? ': the reference has no joint table, so each cell is compared with the product of the two reference shares.'
          : '.'}
      </p>
      {x.worstCells !== undefined && x.worstCells.length > 0 ? (
        <p class="finding">
          <strong>Most misrepresented cells</strong> (strongest evidence first): {x.worstCells.join(', ')}.
        </p>
      ) : null}
      <GroupTable
        caption={`${title}, ${basis} (${formatHiddenCount(x.total)} rows)`}
        groups={x.groups}
        groupHeader="Cell"
      />
      <ReferencesSection
        name={title}
        table={x}
        idPrefix={headingId}
        references={references}
        chart={undefined}
      />
      {x.emptyCells.length > 0 ? (
        <>
          <p>Cells with no rows in the dataset:</p>
          <ul>
            {x.emptyCells.map((cell) => (
              <li key={cell}>{cell}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
