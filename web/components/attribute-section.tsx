import { WITHHELD_TEXT } from '../../functions/core/privacy/messages.ts';
import type { AttributeResult, GroupStatus, Report } from '../../functions/core/report/schema.ts';
import { formatCount, formatHiddenCount, formatNumber, formatP } from '../format.ts';
import type { RenderedChart } from './chart-figure.tsx';
import { GroupTable } from './group-table.tsx';
import { LabelsSection } from './labels-section.tsx';
import { ReferencesSection } from './references-section.tsx';

export interface AttributeSectionProps {
  readonly attribute: AttributeResult;
  /** Position in the report, for stable element ids (names may hold any characters). */
  readonly index: number;
  /** The chart, rendered at build time by vega and checked by `assertSafeSvg`. */
  readonly chartSvg: string;
  /** Text alternative of the chart. */
  readonly chartSummary: string;
  readonly minCellSize: number;
  readonly maxTvd: number;
  /** True when the published copy withheld this attribute's count-derived statistics. */
  readonly statisticsWithheld: boolean;
  /** The label-rate chart, when the attribute has label metrics. */
  readonly labelChart?: RenderedChart | undefined;
  /** True when the published copy withheld this attribute's CDD values. */
  readonly cddWithheld?: boolean;
  /** The manifest's minGroupCount, which the label section names for groups it did not judge. */
  readonly minGroupCount?: number;
  /** With several references: the reports' cited references and the side-by-side chart (#18). */
  readonly references?: Report['provenance']['references'];
  readonly referencesChart?: RenderedChart | undefined;
}

/** One attribute: plain-language summary, chart beside its table, and its test statistics. */
export function AttributeSection(props: AttributeSectionProps) {
  const { attribute: a, index, chartSvg, chartSummary, minCellSize } = props;
  const headingId = `attribute-${index}`;
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>{a.name}</h3>
      <p class="muted">
        Column <code>{a.column}</code> ·{' '}
        {a.comparisons === undefined ? (
          <>
            reference <code>{a.reference ?? 'none'}</code>
          </>
        ) : (
          <>
            primary reference <code>{a.reference}</code> of {a.comparisons.length}
          </>
        )}{' '}
        · {formatHiddenCount(a.total)} rows with a value · {formatHiddenCount(a.missing)} missing ·{' '}
        {formatHiddenCount(a.unmapped)} matched no group
      </p>
      <AttributeSummary attribute={a} />
      <div class="attribute">
        <figure>
          <div
            class="chart"
            role="img"
            aria-label={chartSummary}
            dangerouslySetInnerHTML={{ __html: chartSvg }}
          />
          <figcaption class="muted">
            Bars: share of rows in the dataset (colour: status); thin line: its 95 % interval; black tick:
            reference share, the reference table’s share column as published (not recomputed from its counts).
            The table has the same numbers.
          </figcaption>
        </figure>
        <GroupTable
          caption={`${a.name}: dataset share compared with the reference (${formatHiddenCount(a.total)} rows)`}
          groups={a.groups}
        />
      </div>
      <AttributeStatistics {...props} />
      {a.comparisons === undefined ? null : (
        <ReferencesSection
          name={a.name}
          table={a}
          idPrefix={headingId}
          references={props.references ?? []}
          chart={props.referencesChart}
        />
      )}
      <Weights attribute={a} />
      {a.labels === undefined ? null : (
        <LabelsSection
          attributeName={a.name}
          labels={a.labels}
          groups={a.groups}
          index={index}
          minCellSize={minCellSize}
          chart={props.labelChart}
          cddWithheld={props.cddWithheld ?? false}
          minGroupCount={props.minGroupCount}
        />
      )}
    </section>
  );
}

function AttributeSummary({ attribute }: { readonly attribute: AttributeResult }) {
  const named = (status: GroupStatus) =>
    attribute.groups.filter((g) => g.status === status).map((g) => g.group);
  const under = named('under');
  const over = named('over');
  const hidden = named('suppressed');
  const sentences: string[] = [];
  if (under.length > 0) sentences.push(`Under-represented: ${under.join(', ')}.`);
  if (over.length > 0) sentences.push(`Over-represented: ${over.join(', ')}.`);
  if (under.length === 0 && over.length === 0)
    sentences.push('No group is clearly under- or over-represented.');
  if (hidden.length > 0) sentences.push(`Hidden to protect small groups: ${hidden.join(', ')}.`);
  return <p>{sentences.join(' ')}</p>;
}

function AttributeStatistics({ attribute: a, maxTvd, statisticsWithheld }: AttributeSectionProps) {
  if (statisticsWithheld) {
    return <p class="muted">{WITHHELD_TEXT.attributeStatistics(a.name)}</p>;
  }
  const chi = a.tests.chiSquare;
  return (
    <dl class="facts">
      <dt>Chi-square goodness of fit</dt>
      <dd>
        {chi === null
          ? 'not computed'
          : `χ² = ${formatNumber(chi.statistic, 2)}, df = ${chi.df}, p ${pEquals(chi.pValue)} (${chi.method})`}
      </dd>
      <dt>Total variation distance</dt>
      <dd>
        {formatNumber(a.distances.tvd)} (limit {formatNumber(maxTvd, 2)})
      </dd>
      <dt>Jensen–Shannon divergence</dt>
      <dd>{formatNumber(a.distances.jsDivergence)} bits (binary logarithm: between zero and one)</dd>
    </dl>
  );
}

/** With a `weight` column: what the weights cost, in one line. */
function Weights({ attribute }: { readonly attribute: AttributeResult }) {
  const w = attribute.weights;
  if (w === undefined) return null;
  const effective = w.effectiveN === null ? 'not available' : formatCount(Math.round(w.effectiveN));
  return (
    <p>
      <strong>Weights:</strong>{' '}
      {`counts are sums of row weights (weight sum ${formatCount(w.weightSum)}); effective sample size (Kish) ${effective}, design effect ${formatNumber(w.designEffect, 2)}. Intervals and tests use the effective sample size.`}
    </p>
  );
}

function pEquals(p: number | null): string {
  const text = formatP(p);
  return text.startsWith('<') ? text : `= ${text}`;
}
