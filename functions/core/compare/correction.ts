import { joinCell, splitCell } from '../lake/cell-names.ts';
import type { Manifest } from '../manifest/schema.ts';
import type { AttributeResult, Correction, ReportWarning } from '../report/schema.ts';
import { rake } from '../stats/index.ts';
import type { Cell } from './compare.ts';

/**
 * Raking (iterative proportional fitting) of the referenced attributes' cross-table to their
 * reference marginals: how much weighting it would take for the data to match the reference.
 * Rows in groups the reference does not have (e.g. "diverse" against a male/female reference)
 * cannot be raked and are left out, with a warning.
 */
export function rakingCorrection(
  manifest: Manifest,
  attributes: readonly AttributeResult[],
  rakeCells: readonly Cell[],
  weighted: boolean,
  warnings: ReportWarning[],
): Correction {
  const dims = attributes.filter((a) => a.reference !== null);
  const targets = dims.map((a) =>
    Object.fromEntries(
      a.groups.filter((g) => g.referenceShare !== null).map((g) => [g.group, g.referenceShare!]),
    ),
  );
  const dimensionGroups = dims.map((a) => a.groups.map((g) => g.group));
  const cells: { key: string[]; count: number; baseWeight?: number }[] = [];
  const excluded = new Set<string>();
  let excludedRows = 0;
  for (const c of rakeCells) {
    const key = splitCell(c.group, dimensionGroups);
    if (!key || c.rows === 0) continue;
    const unreferenced = key.filter((g, d) => targets[d]![g] === undefined);
    if (unreferenced.length > 0) {
      for (const g of unreferenced) excluded.add(g);
      excludedRows += c.rows;
      continue;
    }
    cells.push(weighted ? { key, count: c.rows, baseWeight: c.count / c.rows } : { key, count: c.rows });
  }
  if (excluded.size > 0) {
    warnings.push({
      code: 'raking-excluded',
      message: `raking left out ${excludedRows} rows in groups without a reference share: ${[...excluded].join(', ')}`,
    });
  }
  const result = rake(cells, targets, {
    maxIterations: manifest.correction.maxIterations,
    ...(manifest.correction.cap !== undefined ? { cap: manifest.correction.cap } : {}),
  });
  const weights = result.weights.filter((w): w is number => w !== null);
  const correction: Correction = {
    method: 'raking',
    attributes: dims.map((a) => a.name),
    converged: result.converged,
    iterations: result.iterations,
    maxMarginError: result.maxMarginError,
    designEffect: result.designEffect,
    effectiveSampleSize: result.effectiveSampleSize,
    minWeight: weights.length > 0 ? Math.min(...weights) : null,
    maxWeight: weights.length > 0 ? Math.max(...weights) : null,
    cap: manifest.correction.cap ?? null,
    capped: result.capped,
    rows: cells.reduce((s, c) => s + c.count, 0),
    cells: cells.map((c, i) => ({ cell: joinCell(c.key), rows: c.count, weight: result.weights[i] ?? null })),
  };
  if (result.reason) {
    // rake() numbers dimensions from 0 in the order of `targets`: name the attribute instead.
    correction.reason = result.reason.replace(/dimension (\d+)/g, (text, d: string) => {
      const name = dims[Number(d)]?.name;
      return name ? `attribute ${name}` : text;
    });
    warnings.push({ code: 'raking-not-converged', message: `raking: ${correction.reason}` });
  }
  return correction;
}
