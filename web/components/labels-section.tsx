import { WITHHELD_TEXT } from '../../functions/core/privacy/messages.ts';
import type { GroupResult, LabelGroup, Labels } from '../../functions/core/report/schema.ts';
import {
  formatHiddenCount,
  formatInterval,
  formatNumber,
  formatRatio,
  formatShare,
  formatSigned,
  NONE,
} from '../format.ts';
import { ChartFigure, type RenderedChart } from './chart-figure.tsx';
import { StatusBadge } from './status-badge.tsx';

export interface LabelsSectionProps {
  readonly attributeName: string;
  readonly labels: Labels;
  /** The attribute's groups, to tell a hidden group from hidden positives. */
  readonly groups: readonly GroupResult[];
  /** Position of the attribute in the report, for stable element ids. */
  readonly index: number;
  readonly minCellSize: number;
  /** The label-rate chart, when one was drawn. */
  readonly chart?: RenderedChart | undefined;
  /** True when the published copy withheld the CDD values (`privacy.withheld` says so). */
  readonly cddWithheld: boolean;
}

/**
 * The label metrics of one attribute: a sentence per group, the positive rate per group with
 * Clarify's pre-training metrics (each group against the rest), CDD, and the composition of the
 * positive class against the reference. Rows whose positives are hidden say so.
 */
export function LabelsSection(props: LabelsSectionProps) {
  const { attributeName, labels, groups, index, minCellSize, chart } = props;
  const headingId = `labels-${index}`;
  const hiddenGroups = new Set(groups.filter((g) => g.status === 'suppressed').map((g) => g.group));
  return (
    <section aria-labelledby={headingId}>
      <h4 id={headingId}>
        Labels: <code>{labels.column}</code>
      </h4>
      <p>
        {labels.positiveRate === null
          ? `The overall rate of positive ${labels.column} is hidden in this published copy.`
          : `Overall, ${formatShare(labels.positiveRate)} of the rows with a value for ${attributeName} are positive for ${labels.column}.`}
      </p>
      <ul class="sentences">
        {labels.groups.map((row) => (
          <li key={row.group}>{rowSentence(row, hiddenGroups.has(row.group), minCellSize)}</li>
        ))}
      </ul>
      <div class="attribute">
        {chart === undefined ? null : (
          <ChartFigure
            chart={chart}
            caption="Bars: rate of positive labels in each group; thin line: its 95 % interval; dashed line: the rate over all rows. The table has the same numbers."
          />
        )}
        <LabelTable {...props} />
      </div>
      <p class="muted">
        Metrics compare each group with all other rows (Amazon SageMaker Clarify’s pre-training definitions).
        DPL: the rest’s positive rate minus the group’s (above 0: the group gets fewer positive labels). DI:
        the group’s rate over the rest’s; the four-fifths rule fails below 0.8 or above 1.25. KL, JS, Lp, TVD
        and KS measure how far apart the label distributions of the group and the rest are (0: equal).
      </p>
      <Cdd labels={labels} withheld={props.cddWithheld} />
      <PositiveComposition attributeName={attributeName} labels={labels} />
    </section>
  );
}

/** `female: positive rate 20.4 % vs 23.2 % for the rest; disparate impact 0.88 (passes the four-fifths rule)`. */
function rowSentence(row: LabelGroup, groupHidden: boolean, minCellSize: number): string {
  if (row.positiveRate === null) {
    if (groupHidden) return `${row.group}: hidden, because the group is hidden.`;
    if (row.positives === null) {
      return `${row.group}: positive rate hidden, because its positives or negatives are fewer than ${minCellSize} or they protect such a count.`;
    }
    return `${row.group}: no positive rate (no rows).`;
  }
  const rest = row.dpl === null ? null : Math.min(1, Math.max(0, row.positiveRate + row.dpl));
  const restText = rest === null ? '' : ` vs ${formatShare(rest)} for the rest`;
  const di =
    row.disparateImpact === null
      ? 'disparate impact not available'
      : `disparate impact ${formatRatio(row.disparateImpact)}${
          row.fourFifths === null
            ? ''
            : row.fourFifths === 'pass'
              ? ' (passes the four-fifths rule)'
              : ' (fails the four-fifths rule)'
        }`;
  return `${row.group}: positive rate ${formatShare(row.positiveRate)}${restText}; ${di}.`;
}

const METRIC_HEADERS = [
  ['Class imbalance', 'classImbalance'],
  ['DPL', 'dpl'],
  ['DI', 'disparateImpact'],
] as const;
const DISTANCE_HEADERS = [
  ['KL', 'kl'],
  ['JS', 'js'],
  ['Lp', 'lp'],
  ['TVD', 'tvd'],
  ['KS', 'ks'],
] as const;

function LabelTable({ attributeName, labels }: LabelsSectionProps) {
  return (
    <div class="table-scroll">
      <table>
        <caption>
          {attributeName}: rate of positive {labels.column} per group, each group vs the rest
        </caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" class="num">
              Positives
            </th>
            <th scope="col" class="num">
              Positive rate
            </th>
            <th scope="col" class="num">
              95 % CI
            </th>
            {METRIC_HEADERS.map(([label]) => (
              <th key={label} scope="col" class="num">
                {label}
              </th>
            ))}
            <th scope="col">Four-fifths</th>
            {DISTANCE_HEADERS.map(([label]) => (
              <th key={label} scope="col" class="num">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.groups.map((row) => (
            <tr key={row.group} class={row.positives === null ? 'status-suppressed' : undefined}>
              <th scope="row" class="group">
                {row.group}
              </th>
              <td class="num">{formatHiddenCount(row.positives)}</td>
              <td class="num">{formatShare(row.positiveRate)}</td>
              <td class="num">{formatInterval(row.ci)}</td>
              <td class="num">{formatSigned(row.classImbalance)}</td>
              <td class="num">{formatSigned(row.dpl)}</td>
              <td class="num">{formatRatio(row.disparateImpact)}</td>
              <td>{row.fourFifths === null ? NONE : <StatusBadge status={row.fourFifths} />}</td>
              {DISTANCE_HEADERS.map(([label, key]) => (
                <td key={label} class="num">
                  {formatNumber(row[key], 4)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Cdd({ labels, withheld }: { readonly labels: Labels; readonly withheld: boolean }) {
  const cdd = labels.cdd;
  if (cdd === null) return null;
  const values = cdd.groups.filter((g) => g.value !== null);
  return (
    <p>
      <strong>Conditional demographic disparity</strong> given <code>{cdd.strata}</code>:{' '}
      {withheld
        ? WITHHELD_TEXT.cdd
        : values.length === 0
          ? 'not available.'
          : `${cdd.groups.map((g) => `${g.group} ${formatSigned(g.value)}`).join(', ')} (above 0: within the strata, the group’s share of negative labels exceeds its share of positive labels).`}
    </p>
  );
}

function PositiveComposition({
  attributeName,
  labels,
}: {
  readonly attributeName: string;
  readonly labels: Labels;
}) {
  const composition = labels.positiveComposition;
  if (composition === null) return null;
  const withheld = composition.tvd === null && composition.groups.some((g) => g.share === null);
  return (
    <>
      <div class="table-scroll">
        <table>
          <caption>
            Rows with a positive {labels.column}: share of each group of {attributeName} compared with the
            reference
          </caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col" class="num">
                Share of positives
              </th>
              <th scope="col" class="num">
                Reference share
              </th>
            </tr>
          </thead>
          <tbody>
            {composition.groups.map((g) => (
              <tr key={g.group} class={g.share === null ? 'status-suppressed' : undefined}>
                <th scope="row" class="group">
                  {g.group}
                </th>
                <td class="num">{g.share === null ? 'hidden' : formatShare(g.share)}</td>
                <td class="num">{formatShare(g.referenceShare)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        Distance of the positive class from the reference:{' '}
        {withheld
          ? WITHHELD_TEXT.positiveComposition
          : composition.tvd === null && composition.jsDivergence === null
            ? 'not available.'
            : `total variation distance ${formatNumber(composition.tvd)}, Jensen–Shannon divergence ${formatNumber(composition.jsDivergence)}.`}
      </p>
    </>
  );
}
