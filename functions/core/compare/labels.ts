import { splitCell } from '../lake/cell-names.ts';
import type { Manifest } from '../manifest/schema.ts';
import type { AttributeResult, Labels, ReportWarning } from '../report/schema.ts';
import {
  classImbalance,
  conditionalDemographicDisparity,
  differenceInPositiveProportions,
  disparateImpact,
  effectiveRows,
  type FacetLabelCounts,
  fourFifthsRule,
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
 * Label metrics of one attribute: each group (Clarify's facet d) against all other rows (facet
 * a), CDD given the manifest's strata attribute, and the composition of the positive class vs the
 * reference. Counts are weight sums with a weight column; intervals use Kish's effective N.
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
  const data = cells.filter((c) => c.count > 0);
  const total = data.reduce((s, c) => s + c.count, 0);
  const positives = data.reduce((s, c) => s + c.positiveWeight, 0);
  const groups = data.map((c) => {
    const counts: FacetLabelCounts = {
      groupRows: c.count,
      groupPositives: c.positiveWeight,
      restRows: total - c.count,
      restPositives: positives - c.positiveWeight,
    };
    const di = disparateImpact(counts).value;
    const fourFifths = c.rows >= manifest.thresholds.minGroupCount ? fourFifthsRule(di).passes : null;
    const rate = c.positiveWeight / c.count;
    const nEff = effectiveRows(weighted, c.rows, c.count, c.weightSqSum);
    return {
      group: c.group,
      positives: c.positiveWeight,
      positiveRate: rate,
      ci: wilsonInterval(rate * nEff, nEff),
      classImbalance: classImbalance(counts).value,
      dpl: differenceInPositiveProportions(counts).value,
      disparateImpact: di,
      fourFifths: fourFifths === null ? null : fourFifths ? ('pass' as const) : ('fail' as const),
      kl: labelKlDivergence(counts).value,
      js: labelJsDivergence(counts).value,
      lp: labelLpNorm(counts).value,
      tvd: labelTotalVariationDistance(counts).value,
      ks: labelKolmogorovSmirnov(counts).value,
    };
  });

  let cdd: Labels['cdd'] = null;
  const strata = label.strata;
  if (strata && strata !== attribute.name && strataCells) {
    const byStratum = new Map<string, Map<string, Cell>>();
    for (const c of strataCells) {
      const parts = splitCell(c.group, [attribute.groups.map((g) => g.group), strataGroups]);
      if (!parts) continue;
      const [group, stratum] = parts as [string, string];
      const row = byStratum.get(stratum) ?? new Map<string, Cell>();
      row.set(group, c);
      byStratum.set(stratum, row);
    }
    cdd = {
      strata: strata,
      groups: data.map((g) => {
        const perStratum = [...byStratum.values()].map((row) => {
          let rows = 0;
          let pos = 0;
          for (const c of row.values()) {
            rows += c.count;
            pos += c.positiveWeight;
          }
          const own = row.get(g.group);
          return {
            groupRows: own?.count ?? 0,
            groupPositives: own?.positiveWeight ?? 0,
            restRows: rows - (own?.count ?? 0),
            restPositives: pos - (own?.positiveWeight ?? 0),
          };
        });
        const result = conditionalDemographicDisparity(perStratum);
        return { group: g.group, value: result.value };
      }),
    };
  }

  let positiveComposition: Labels['positiveComposition'] = null;
  if (attribute.reference !== null && positives > 0) {
    const references: Record<string, number> = {};
    for (const g of attribute.groups) if (g.referenceShare !== null) references[g.group] = g.referenceShare;
    const byGroup: Record<string, number> = {};
    for (const c of data) byGroup[c.group] = c.positiveWeight;
    const composition = positiveClassComposition(byGroup, references);
    positiveComposition = {
      tvd: composition.totalVariationDistance.value,
      jsDivergence: composition.jsDivergenceBits.value,
      groups: composition.groups.map((g) => ({
        group: g.group,
        share: g.share,
        referenceShare: g.referenceShare,
      })),
    };
  }
  if (positives === 0) {
    warnings.push({
      code: 'no-positive-labels',
      path: attribute.name,
      message: `${attribute.name}: no row has a positive label in column '${label.column}'; label metrics are null`,
    });
  }
  return {
    column: label.column,
    positiveRate: total > 0 ? positives / total : null,
    groups,
    cdd,
    positiveComposition,
  };
}
