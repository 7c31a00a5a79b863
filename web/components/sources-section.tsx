import { WITHHELD_TEXT } from '../../functions/core/privacy/messages.ts';
import type { AttributeResult, Sources } from '../../functions/core/report/schema.ts';
import { formatCount, formatHiddenCount, formatList, formatNumber, formatShare } from '../format.ts';

/**
 * Where the rows came from: each source's rows and share, how concentrated the sources are, and
 * per attribute the share of each group's rows from each source, with the dominant-source
 * finding highlighted. Hidden cells say `hidden` (the schema does not record why).
 */
export function SourcesSection({
  sources,
  attributes,
  withheld,
}: {
  readonly sources: Sources;
  /** The report's attributes, to name the under-represented groups of a dominant-source finding. */
  readonly attributes: readonly AttributeResult[];
  /** True when the published copy withheld source statistics (`privacy.withheld` says so). */
  readonly withheld: boolean;
}) {
  const names = sourceNames(sources);
  return (
    <section aria-labelledby="sources">
      <h2 id="sources">Sources</h2>
      <p>
        Where the rows came from, by the column <code>{sources.column}</code>. A dataset drawn mostly from one
        source inherits that source’s blind spots.
      </p>
      <div class="table-scroll">
        <table>
          <caption>Rows per source of {sources.column}</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col" class="num">
                Rows
              </th>
              <th scope="col" class="num">
                Share
              </th>
            </tr>
          </thead>
          <tbody>
            {sources.groups.map((s) => (
              <tr key={s.source} class={s.count === null ? 'status-suppressed' : undefined}>
                <th scope="row" class="group">
                  {s.source}
                </th>
                <td class="num">{formatHiddenCount(s.count)}</td>
                <td class="num">{formatShare(s.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl class="facts">
        <dt>Largest share</dt>
        <dd>{sources.largestShare === null ? unavailable(withheld) : formatShare(sources.largestShare)}</dd>
        <dt>Effective number of sources</dt>
        <dd>
          {sources.effectiveNumber === null
            ? unavailable(withheld)
            : `${formatNumber(sources.effectiveNumber, 2)} (as many equally large sources would be as concentrated)`}
        </dd>
      </dl>
      {sources.attributes.map((table, i) => (
        <section key={table.name} aria-labelledby={`sources-${i}`}>
          <h3 id={`sources-${i}`}>
            {table.name} by {sources.column}
          </h3>
          {table.dominantSource === null ? null : (
            <p class="finding">
              <strong>Finding:</strong>{' '}
              {`${formatShare(table.dominantSource.share)} of the rows of the under-represented groups of ${table.name}${underGroups(attributes, table.name)} came from one source: ${table.dominantSource.source}.`}
            </p>
          )}
          <div class="table-scroll">
            <table>
              <caption>
                {table.name}: share of each group’s rows from each source of {sources.column} (rows in
                brackets)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  {names.map((name) => (
                    <th key={name} scope="col" class="num">
                      {name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.groups.map((row) => (
                  <tr key={row.group}>
                    <th scope="row" class="group">
                      {row.group}
                    </th>
                    {names.map((name) => {
                      const cell = row.sources.find((s) => s.source === name);
                      return (
                        <td key={name} class={cell?.count === null ? 'num hidden-cell' : 'num'}>
                          {cell === undefined
                            ? '—'
                            : cell.count === null
                              ? 'hidden'
                              : `${formatShare(cell.share)} (${formatCount(cell.count)})`}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </section>
  );
}

/** ` (65-74 and 75+)`, or nothing when the attribute or its under-represented groups are not shown. */
function underGroups(attributes: readonly AttributeResult[], name: string): string {
  const under = (attributes.find((a) => a.name === name)?.groups ?? [])
    .filter((g) => g.status === 'under')
    .map((g) => g.group);
  return under.length === 0 ? '' : ` (${formatList(under)})`;
}

function unavailable(withheld: boolean): string {
  return withheld ? WITHHELD_TEXT.sourceStatistics : 'not available';
}

/** Source names in the order of the source table, then any that appear only in attribute tables. */
function sourceNames(sources: Sources): string[] {
  const names = sources.groups.map((s) => s.source);
  for (const table of sources.attributes) {
    for (const row of table.groups) {
      for (const s of row.sources) if (!names.includes(s.source)) names.push(s.source);
    }
  }
  return names;
}
