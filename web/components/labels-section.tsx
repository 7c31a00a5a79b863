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
  /** Groups with fewer labelled rows than this are not judged by the four-fifths rule. */
  readonly minGroupCount?: number;
}

/**
 * The page's words about labels. Conventions are stated beside the numbers they concern (issue
 * #18): what is left out, which ratio the four-fifths rule uses, the units of JS, CDD for the
 * strata attribute itself, and groups without rows.
 */
export const LABEL_TEXT = {
  overall: (rate: string, attribute: string, column: string) =>
    `Overall, ${rate} of the rows with a value for ${attribute} and a label are positive for ${column}.`,
  left: (missing: string, other: string | null) =>
    `Left out of every label metric: label missing ${missing}${other === null ? '' : `, label neither positive nor negative ${other}`} (a missing label is not a negative).`,
  leftHidden: 'The number of rows without a label is hidden in this published copy.',
  emptyGroups: (groups: readonly string[]) => `Groups without rows have no label row: ${groups.join(', ')}.`,
  notJudged: (groups: readonly string[], minGroupCount: number | undefined) =>
    `Not judged by the four-fifths rule, fewer than ${minGroupCount ?? 'the minimum of'} labelled rows: ${groups.join(', ')}.`,
  impactNote: (highest: string | null | undefined) =>
    highest === undefined
      ? ''
      : highest === null
        ? ' The impact ratio is not available: no group has enough labelled rows, or this copy hides a rate it needs.'
        : ` Impact ratio: the group’s rate over the highest rate of a judged group (${highest}); the four-fifths rule of the Uniform Guidelines on Employee Selection Procedures fails a judged group below 0.8. DI is Clarify’s ratio against the rest and is not what the rule checks.`,
  cddSelf: (strata: string) =>
    `not computed for ${strata} itself: within each stratum there is one group, so CDD is zero by construction.`,
} as const;

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
          : labels.missing === undefined
            ? `Overall, ${formatShare(labels.positiveRate)} of the rows with a value for ${attributeName} are positive for ${labels.column}.`
            : LABEL_TEXT.overall(formatShare(labels.positiveRate), attributeName, labels.column)}
        {labels.missing === undefined
          ? null
          : ` ${
              labels.missing === null
                ? LABEL_TEXT.leftHidden
                : LABEL_TEXT.left(
                    formatHiddenCount(labels.missing),
                    labels.otherValues === undefined ? null : formatHiddenCount(labels.otherValues),
                  )
            }`}
      </p>
      <ul class="sentences">
        {labels.groups.map((row) => (
          <li key={row.group}>
            {rowSentence(row, hiddenGroups.has(row.group), minCellSize, labels.highestRateGroup)}
          </li>
        ))}
      </ul>
      <LabelCoverage labels={labels} groups={groups} minGroupCount={props.minGroupCount} />
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
        the group’s rate over the rest’s
        {labels.highestRateGroup === undefined ? '; the four-fifths rule fails below 0.8' : ''}. KL, JS, Lp,
        TVD and KS measure how far apart the label distributions of the group and the rest are (0: equal; KL
        and JS in nats, as Clarify defines them). Class imbalance counts every row of the group, with or
        without a label.
        {LABEL_TEXT.impactNote(labels.highestRateGroup)}
      </p>
      <Cdd labels={labels} withheld={props.cddWithheld} self={labels.cdd?.strata === attributeName} />
      <PositiveComposition attributeName={attributeName} labels={labels} />
    </section>
  );
}

/**
 * `female: positive rate 20.4 % vs 23.2 % for the rest; disparate impact 0.88 (passes the
 * four-fifths rule)`, or with an impact ratio `…; disparate impact 0.88 vs the rest; impact ratio
 * 0.91 vs male (passes the four-fifths rule)`.
 */
function rowSentence(
  row: LabelGroup,
  groupHidden: boolean,
  minCellSize: number,
  highest: string | null | undefined,
): string {
  if (row.positiveRate === null) {
    if (groupHidden) return `${row.group}: hidden, because the group is hidden.`;
    if (row.positives === null) {
      return `${row.group}: positive rate hidden, because its ${row.unlabelled === undefined ? 'positives or negatives' : 'positives, negatives or rows without a label'} are fewer than ${minCellSize} or they protect such a count.`;
    }
    return row.unlabelled === undefined
      ? `${row.group}: no positive rate (no rows).`
      : `${row.group}: no positive rate (no labelled rows).`;
  }
  if (row.impactRatio !== undefined) return impactSentence(row, highest);
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

/** A row of a report with the impact ratio: DI against the rest, the four-fifths rule on the impact ratio. */
function impactSentence(row: LabelGroup, highest: string | null | undefined): string {
  const rest = row.dpl === null ? null : Math.min(1, Math.max(0, (row.positiveRate ?? 0) + row.dpl));
  const restText = rest === null ? '' : ` vs ${formatShare(rest)} for the rest`;
  const di =
    row.disparateImpact === null ? '' : `; disparate impact ${formatRatio(row.disparateImpact)} vs the rest`;
  const verdict =
    row.fourFifths === null
      ? ''
      : row.fourFifths === 'pass'
        ? ' (passes the four-fifths rule)'
        : ' (fails the four-fifths rule)';
  const ir =
    row.impactRatio === null || row.impactRatio === undefined
      ? ''
      : `; impact ratio ${formatRatio(row.impactRatio)}${highest ? ` vs ${highest}` : ''}${verdict}`;
  return `${row.group}: positive rate ${formatShare(row.positiveRate)}${restText}${di}${ir}.`;
}

/** Groups without rows, and groups the four-fifths rule did not judge, named. */
function LabelCoverage({
  labels,
  groups,
  minGroupCount,
}: {
  readonly labels: Labels;
  readonly groups: readonly GroupResult[];
  readonly minGroupCount: number | undefined;
}) {
  const inTable = new Set(labels.groups.map((r) => r.group));
  const empty = groups.filter((g) => g.count === 0 && !inTable.has(g.group)).map((g) => g.group);
  const notJudged = labels.notJudged ?? [];
  if (empty.length === 0 && notJudged.length === 0) return null;
  return (
    <p class="muted">
      {[
        notJudged.length > 0 ? LABEL_TEXT.notJudged(notJudged, minGroupCount) : '',
        empty.length > 0 ? LABEL_TEXT.emptyGroups(empty) : '',
      ]
        .filter((t) => t !== '')
        .join(' ')}
    </p>
  );
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
  const withUnlabelled = labels.groups.some((r) => r.unlabelled !== undefined);
  const withImpact = labels.groups.some((r) => r.impactRatio !== undefined);
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
            {withUnlabelled ? (
              <th scope="col" class="num">
                Without a label
              </th>
            ) : null}
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
            {withImpact ? (
              <th scope="col" class="num">
                Impact ratio
              </th>
            ) : null}
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
              {withUnlabelled ? <td class="num">{formatHiddenCount(row.unlabelled ?? null)}</td> : null}
              <td class="num">{formatShare(row.positiveRate)}</td>
              <td class="num">{formatInterval(row.ci)}</td>
              <td class="num">{formatSigned(row.classImbalance)}</td>
              <td class="num">{formatSigned(row.dpl)}</td>
              <td class="num">{formatRatio(row.disparateImpact)}</td>
              {withImpact ? <td class="num">{formatRatio(row.impactRatio ?? null)}</td> : null}
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

function Cdd({
  labels,
  withheld,
  self,
}: {
  readonly labels: Labels;
  readonly withheld: boolean;
  /** True when the strata attribute is this attribute. */
  readonly self: boolean;
}) {
  const cdd = labels.cdd;
  if (cdd === null) return null;
  const values = cdd.groups.filter((g) => g.value !== null);
  return (
    <p>
      <strong>Conditional demographic disparity</strong> given <code>{cdd.strata}</code>:{' '}
      {cdd.groups.length === 0 && self
        ? LABEL_TEXT.cddSelf(cdd.strata)
        : withheld
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
        Distance of the positive class from the reference (Jensen–Shannon in bits, binary logarithm, as for
        the attribute’s shares):{' '}
        {withheld
          ? WITHHELD_TEXT.positiveComposition
          : composition.tvd === null && composition.jsDivergence === null
            ? 'not available.'
            : `total variation distance ${formatNumber(composition.tvd)}, Jensen–Shannon divergence ${formatNumber(composition.jsDivergence)}.`}
      </p>
    </>
  );
}
