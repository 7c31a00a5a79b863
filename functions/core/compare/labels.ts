import { splitCell } from '../lake/cell-names.ts';
import type { Manifest } from '../manifest/schema.ts';
import type { AttributeResult, LabelGroup, Labels, ReportWarning } from '../report/schema.ts';
import {
  classImbalance,
  conditionalDemographicDisparity,
  differenceInPositiveProportions,
  disparateImpact,
  effectiveRows,
  type FacetLabelCounts,
  fourFifthsRule,
  impactRatios,
  labelJsDivergence,
  labelKlDivergence,
  labelKolmogorovSmirnov,
  labelLpNorm,
  labelTotalVariationDistance,
  positiveClassComposition,
  wilsonInterval,
} from '../stats/index.ts';
import type { Cell } from './compare.ts';

/**
 * Rows of a cell with a positive or negative label, as a weight sum with a weight column. Rows
 * without a label, and rows whose label is neither positive nor a declared negative, are left
 * out: a missing label is not a negative. Clamped at 0 against rounding of weight sums.
 */
export function labelledCount(c: Cell): number {
  return Math.max(0, c.count - c.labelMissing - c.labelOther);
}

/**
 * Label metrics of one attribute: each group (Clarify's facet d) against all other rows (facet
 * a), the Uniform Guidelines' impact ratio against the judged group with the highest rate and
 * the four-fifths rule on it, CDD given the manifest's strata attribute, and the composition of
 * the positive class vs the reference. Every rate and metric counts labelled rows only (class
 * imbalance, which does not read the label, counts all rows); counts are weight sums with a
 * weight column, and intervals use Kish's effective N of the labelled rows. Groups without rows
 * have no label row.
 */
export function labelMetrics(
  manifest: Manifest,
  attribute: AttributeResult,
  cells: readonly Cell[],
  strataCells: readonly Cell[] | undefined,
  strataGroups: readonly string[],
  warnings: ReportWarning[],
): Labels | undefined {
  const label = manifest.label;
  if (!label) return undefined;
  const weighted = Boolean(manifest.weight);
  const minGroupCount = manifest.thresholds.minGroupCount;
  const data = cells.filter((c) => c.count > 0);
  const total = sum(data.map((c) => c.count));
  const labelled = sum(data.map(labelledCount));
  const positives = sum(data.map((c) => c.positiveWeight));
  const rates = data.map((c) => {
    const n = labelledCount(c);
    return n > 0 ? Math.min(1, c.positiveWeight / n) : null;
  });
  const judged = data.map((c, i) => rates[i] !== null && c.labelledRows >= minGroupCount);
  const impact = impactRatios(data.map((_, i) => ({ rate: rates[i] ?? null, judged: judged[i]! })));
  const groups = data.map((c, i): LabelGroup => {
    const n = labelledCount(c);
    const counts: FacetLabelCounts = {
      groupRows: n,
      groupPositives: c.positiveWeight,
      restRows: Math.max(0, labelled - n),
      restPositives: Math.max(0, positives - c.positiveWeight),
    };
    const rate = rates[i] ?? null;
    const nEff = effectiveRows(weighted, c.labelledRows, n, c.labelledWeightSqSum);
    const impactRatio = impact.ratios[i]?.value ?? null;
    const passes = judged[i] ? fourFifthsRule(impactRatio).passes : null;
    return {
      group: c.group,
      positives: c.positiveWeight,
      unlabelled: c.labelMissing + c.labelOther,
      positiveRate: rate,
      ci: rate === null || nEff === 0 ? null : wilsonInterval(rate * nEff, nEff),
      classImbalance: classImbalance({
        groupRows: c.count,
        groupPositives: 0,
        restRows: total - c.count,
        restPositives: 0,
      }).value,
      dpl: differenceInPositiveProportions(counts).value,
      disparateImpact: disparateImpact(counts).value,
      impactRatio,
      fourFifths: passes === null ? null : passes ? 'pass' : 'fail',
      kl: labelKlDivergence(counts).value,
      js: labelJsDivergence(counts).value,
      lp: labelLpNorm(counts).value,
      tvd: labelTotalVariationDistance(counts).value,
      ks: labelKolmogorovSmirnov(counts).value,
    };
  });

  const cdd = conditionalDisparity(label.strata, attribute, data, strataCells, strataGroups);

  const positiveComposition =
    attribute.reference !== null && positives > 0 ? positiveCompositionOf(attribute.groups, data) : null;
  if (positives === 0) {
    warnings.push({
      code: 'no-positive-labels',
      path: attribute.name,
      message: `${attribute.name}: no row has a positive label in column '${label.column}'; label metrics are null`,
    });
  }
  const labels: Labels = {
    column: label.column,
    positiveRate: labelled > 0 ? positives / labelled : null,
    missing: sum(data.map((c) => c.labelMissing)),
    ...(label.negative ? { otherValues: sum(data.map((c) => c.labelOther)) } : {}),
    highestRateGroup: impact.highest === null ? null : data[impact.highest]!.group,
    notJudged: data.filter((_, i) => !judged[i]).map((c) => c.group),
    groups,
    cdd,
    positiveComposition,
  };
  return labels;
}

/**
 * CDD of every group given the strata attribute, over labelled rows. For the strata attribute
 * itself each stratum holds one group, so every DD_i is 0 and CDD is 0 by construction: it is
 * reported with no groups (the page says why) rather than as a row of zeros.
 */
function conditionalDisparity(
  strata: string | undefined,
  attribute: AttributeResult,
  data: readonly Cell[],
  strataCells: readonly Cell[] | undefined,
  strataGroups: readonly string[],
): Labels['cdd'] {
  if (strata === undefined) return null;
  if (strata === attribute.name) return { strata, groups: [] };
  if (!strataCells) return null;
  const byStratum = new Map<string, Map<string, Cell>>();
  for (const c of strataCells) {
    const parts = splitCell(c.group, [attribute.groups.map((g) => g.group), strataGroups]);
    if (!parts) continue;
    const [group, stratum] = parts as [string, string];
    const row = byStratum.get(stratum) ?? new Map<string, Cell>();
    row.set(group, c);
    byStratum.set(stratum, row);
  }
  return {
    strata,
    groups: data.map((g) => {
      const perStratum = [...byStratum.values()].map((row): FacetLabelCounts => {
        let rows = 0;
        let pos = 0;
        for (const c of row.values()) {
          rows += labelledCount(c);
          pos += c.positiveWeight;
        }
        const own = row.get(g.group);
        const ownRows = own ? labelledCount(own) : 0;
        const ownPositives = own?.positiveWeight ?? 0;
        return {
          groupRows: ownRows,
          groupPositives: ownPositives,
          restRows: Math.max(0, rows - ownRows),
          restPositives: Math.max(0, pos - ownPositives),
        };
      });
      return { group: g.group, value: conditionalDemographicDisparity(perStratum).value };
    }),
  };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/**
 * The make-up of the positive class against one reference's shares (the attribute's, or a
 * further reference's block, issue #18): the same function on different reference shares.
 */
export function positiveCompositionOf(
  referenceGroups: readonly { readonly group: string; readonly referenceShare: number | null }[],
  data: readonly Cell[],
): NonNullable<Labels['positiveComposition']> {
  const references: Record<string, number> = {};
  for (const g of referenceGroups) if (g.referenceShare !== null) references[g.group] = g.referenceShare;
  const byGroup: Record<string, number> = {};
  for (const c of data) byGroup[c.group] = c.positiveWeight;
  const composition = positiveClassComposition(byGroup, references);
  return {
    tvd: composition.totalVariationDistance.value,
    jsDivergence: composition.jsDivergenceBits.value,
    groups: composition.groups.map((g) => ({
      group: g.group,
      share: g.share,
      referenceShare: g.referenceShare,
    })),
  };
}
