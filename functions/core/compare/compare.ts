import { joinCell } from '../lake/cell-names.ts';
import {
  type AttributeSpec,
  hasOwnThresholds,
  type Manifest,
  type Thresholds,
  thresholdsFor,
} from '../manifest/schema.ts';
import { SOURCE_ATTRIBUTE } from '../profile/plan.ts';
import type { Profile } from '../profile/profile.ts';
import type {
  AttributeResult,
  Check,
  ComparisonGroup,
  Correction,
  GroupResult,
  IntersectionResult,
  Labels,
  ReferenceComparison,
  ReferenceKind,
  ReportWarning,
  Sources,
} from '../report/schema.ts';
import {
  benjaminiHochberg,
  binomialTestTwoSided,
  chiSquareGoodnessOfFit,
  cohensW,
  designEffect,
  effectiveRows,
  evenness,
  hellingerDistance,
  hillNumber,
  imbalanceRatio,
  jensenShannonDivergence,
  kishEffectiveN,
  klDivergence,
  linfDistance,
  rowsNeeded,
  type StatValue,
  shannonEntropy,
  simpsonIndex,
  totalVariationDistance,
  wilsonInterval,
  worstCells,
} from '../stats/index.ts';
import { type CompareRow, referenceAlias } from './compare-sql.ts';
import { rakingCorrection } from './correction.ts';
import { furtherIntersectionReferences } from './further-references.ts';
import { labelMetrics, positiveCompositionOf } from './labels.ts';
import { sourceComposition } from './sources.ts';

/** How many of an intersection's most misrepresented cells a report names. */
export const WORST_CELLS = 5;

/** Seed of the Monte-Carlo χ² p-value, so a report can be reproduced. */
export const MONTE_CARLO_SEED = 20231231;

export interface Comparison {
  readonly attributes: AttributeResult[];
  readonly intersections: IntersectionResult[];
  readonly checks: Check[];
  readonly warnings: ReportWarning[];
  sources?: Sources;
  correction?: Correction;
}

export interface Cell {
  readonly group: string;
  /** Rows, or weight sum with a weight column. */
  readonly count: number;
  readonly weightSqSum: number;
  readonly rows: number;
  /** Rows with a positive label (unweighted), as reported. */
  readonly positives: number | null;
  /** Positives as a weight sum (equals positives without a weight column). */
  readonly positiveWeight: number;
  /** Rows without a label, as a weight sum (rows without a weight column). */
  readonly labelMissing: number;
  /** Rows whose label is neither positive nor a declared negative, as a weight sum. */
  readonly labelOther: number;
  /** Rows with a positive or negative label (unweighted), and their squared weights. */
  readonly labelledRows: number;
  readonly labelledWeightSqSum: number;
  /** null: the group is not in the reference (or there is none). */
  readonly referenceShare: number | null;
}

/**
 * The statistics of one run: the compare query's rows (counts ⋈ reference) and the profile's
 * per-attribute totals in, per-group results, checks and warnings out. Pure.
 */
export interface CompareOptions {
  /** What kind of population each reference population is (its provenance); null when unknown. */
  readonly kindOf?: (population: string) => ReferenceKind | null;
}

export function compare(
  manifest: Manifest,
  profile: Profile,
  rows: readonly CompareRow[],
  options: CompareOptions = {},
): Comparison {
  const warnings: ReportWarning[] = [];
  const checks: Check[] = [];
  const weighted = Boolean(manifest.weight);
  const byAttribute = groupRows(rows);
  const attributes = manifest.attributes.map((spec, i) => {
    const counts = profile.attributes[i]!;
    const cells = toCells(byAttribute.get(spec.name) ?? [], spec.reference != null);
    const result = compareCells(
      spec.name,
      cells,
      spec.reference ?? null,
      judgedBy(manifest, spec.reference),
      weighted,
      warnings,
    );
    const attribute: AttributeResult = {
      name: spec.name,
      column: spec.column,
      reference: spec.reference ?? null,
      missing: counts.missing,
      unmapped: counts.unmapped,
      ...result,
    };
    const check = attributeCheck(spec.name, attribute, judgedBy(manifest, spec.reference));
    attribute.status = check.status;
    checks.push(check);
    if (spec.references.length > 1) {
      attribute.comparisons = referenceComparisons(spec, attribute, byAttribute, manifest, options, {
        warnings,
        checks,
      });
    }
    if (counts.unmapped > 0) {
      warnings.push({
        code: 'unmapped-values',
        path: spec.name,
        message: spec.bins
          ? `${counts.unmapped} rows of column '${spec.column}' are not numbers or lie below the first bin (${spec.bins[0]}) of ${spec.name}; list such values under missing or correct the column`
          : `${counts.unmapped} rows of column '${spec.column}' matched no group of ${spec.name}; list their values under groups or missing`,
      });
    }
    return attribute;
  });
  const intersections = manifest.intersections.map((names, j) => {
    const counts = profile.intersections[j]!;
    return compareIntersection(
      names,
      counts.name,
      byAttribute,
      manifest,
      attributes,
      weighted,
      warnings,
      checks,
      options,
    );
  });
  const cellsOf = (name: string) => toCells(byAttribute.get(name) ?? [], false);
  if (manifest.label) {
    const strata = manifest.label.strata;
    const strataGroups = attributes.find((a) => a.name === strata)?.groups.map((g) => g.group) ?? [];
    for (const [i, attribute] of attributes.entries()) {
      const spec = manifest.attributes[i]!;
      const labels = labelMetrics(
        manifest,
        attribute,
        toCells(byAttribute.get(spec.name) ?? [], false),
        byAttribute.has(`_strata_by_${spec.name}`) ? cellsOf(`_strata_by_${spec.name}`) : undefined,
        strataGroups,
        warnings,
      );
      if (labels) {
        attribute.labels = labels;
        addPositiveCompositions(attribute, byAttribute, spec.name);
        checks.push(labelCheck(attribute.name, labels, manifest.thresholds.minGroupCount));
      }
    }
  }
  if (weighted) {
    for (const attribute of attributes) {
      const cells = cellsOf(attribute.name);
      const weightSum = cells.reduce((s, c) => s + c.count, 0);
      const sumSq = cells.reduce((s, c) => s + c.weightSqSum, 0);
      const rowCount = cells.reduce((s, c) => s + c.rows, 0);
      attribute.weights = {
        weightSum,
        effectiveN: kishEffectiveN(weightSum, sumSq),
        designEffect: designEffect(rowCount, weightSum, sumSq),
      };
    }
  }
  const comparison: Comparison = { attributes, intersections, checks, warnings };
  if (manifest.source) {
    comparison.sources = sourceComposition(
      manifest.source.column,
      cellsOf(SOURCE_ATTRIBUTE),
      attributes,
      (name) => cellsOf(`_source_by_${name}`),
      warnings,
    );
    if (comparison.sources.attributes.some((a) => a.dominantSource !== null)) {
      checks.push({
        id: 'sources',
        status: 'warn',
        message: `one source provides most rows of under-represented groups in: ${comparison.sources.attributes
          .filter((a) => a.dominantSource !== null)
          .map((a) => `${a.name} (${a.dominantSource!.source})`)
          .join(', ')}`,
      });
    }
  }
  if (byAttribute.has('_rake')) {
    comparison.correction = rakingCorrection(manifest, attributes, cellsOf('_rake'), weighted, warnings);
  }
  return comparison;
}

/**
 * The four-fifths check of one attribute's labels: fails (warns) on a judged group whose impact
 * ratio is below 0.8, names the groups it did not judge, and with nothing judged says so rather
 * than passing.
 */
function labelCheck(name: string, labels: Labels, minGroupCount: number): Check {
  const id = `labels:${name}`;
  const notJudged = labels.notJudged ?? [];
  const judged = labels.groups.filter((g) => g.fourFifths !== null);
  const tail = notJudged.length > 0 ? `; ${notJudgedText(notJudged, minGroupCount)}` : '';
  if (judged.length === 0) {
    return {
      id,
      status: 'warn',
      evidence: 'insufficient',
      message: `${name}: insufficient evidence for the four-fifths rule: no group has ${minGroupCount} or more labelled rows${tail}`,
    };
  }
  const failing = judged.filter((g) => g.fourFifths === 'fail');
  const highest = labels.highestRateGroup ?? '–';
  if (failing.length === 0) {
    return {
      id,
      status: 'pass',
      message: `${name}: every judged group's positive rate is at least four fifths of the highest (${highest})${tail}`,
    };
  }
  return {
    id,
    status: 'warn',
    message: `${name}: impact ratio below 0.8 (four-fifths rule, against the highest rate, ${highest}) for ${failing
      .map((g) => `${g.group} (${g.impactRatio == null ? '–' : g.impactRatio.toFixed(2)})`)
      .join(', ')}${tail}`,
  };
}

/** `not judged, fewer than 30 labelled rows: a, b`. */
export function notJudgedText(groups: readonly string[], minGroupCount: number): string {
  return `not judged, fewer than ${minGroupCount} labelled rows: ${groups.join(', ')}`;
}

function groupRows(rows: readonly CompareRow[]): Map<string, CompareRow[]> {
  const out = new Map<string, CompareRow[]>();
  for (const r of rows) {
    const list = out.get(r.attribute) ?? [];
    list.push(r);
    out.set(r.attribute, list);
  }
  return out;
}

export function toCells(rows: readonly CompareRow[], hasReference: boolean): Cell[] {
  return rows.map((r) => ({
    group: r.group,
    count: r.weightSum ?? r.count ?? 0,
    weightSqSum: r.weightSqSum ?? 0,
    rows: r.count ?? 0,
    positives: r.positives,
    positiveWeight: r.positiveWeightSum ?? r.positives ?? 0,
    labelMissing: r.labelMissingWeightSum ?? r.labelMissing ?? 0,
    labelOther: r.labelOtherWeightSum ?? r.labelOther ?? 0,
    labelledRows: (r.count ?? 0) - (r.labelMissing ?? 0) - (r.labelOther ?? 0),
    labelledWeightSqSum: (r.weightSqSum ?? 0) - (r.unlabelledWeightSqSum ?? 0),
    referenceShare: hasReference ? r.referenceShare : null,
  }));
}

type CellStats = Pick<AttributeResult, 'total' | 'groups' | 'tests' | 'distances' | 'diversity' | 'status'>;

function compareCells(
  path: string,
  cells: readonly Cell[],
  reference: string | null,
  t: Thresholds,
  weighted: boolean,
  warnings: ReportWarning[],
): CellStats {
  const total = sum(cells.map((c) => c.count));
  // Without weights `total` is the row count.
  const nEff = effectiveRows(weighted, total, total, sum(cells.map((c) => c.weightSqSum)));
  const scale = total > 0 ? nEff / total : 0;
  const withReference = reference !== null && cells.some((c) => c.referenceShare !== null);

  const pValues = cells.map((c) => {
    if (!withReference || c.referenceShare === null || nEff === 0) return null;
    const n = Math.round(nEff);
    const k = Math.min(n, Math.round(c.count * scale));
    return binomialTestTwoSided(k, n, c.referenceShare);
  });
  const adjusted = benjaminiHochberg(pValues);

  const groups: GroupResult[] = cells.map((c, i) => {
    const share = total > 0 ? c.count / total : null;
    const pi = withReference ? c.referenceShare : null;
    // A ratio over a denormal reference share overflows: null rather than Infinity.
    const ratio = share !== null && pi !== null && pi > 0 ? finiteOrNull(share / pi) : null;
    const pAdjusted = adjusted[i] ?? null;
    let status: GroupResult['status'] = 'ok';
    let note: string | undefined;
    // No rows in the table: no share, so nothing is "in line" (issue #13: no status at all).
    if (total === 0) status = 'not-judged';
    else if (!withReference) status = 'no-reference';
    else if (pi === null) {
      status = 'no-reference';
    } else if (ratio !== null && pAdjusted !== null) {
      const significant = pAdjusted < t.alpha;
      if (ratio < t.minRatio && significant) status = 'under';
      else if (ratio > t.maxRatio && significant) status = 'over';
      else if (ratio < t.minRatio || ratio > t.maxRatio) {
        note = `ratio outside [${t.minRatio}, ${t.maxRatio}] but not significant (adjusted p ≥ ${t.alpha}): too small to conclude`;
      } else if (nEff * pi < t.minGroupCount) {
        note = `too small to conclude: fewer than ${t.minGroupCount} rows expected`;
      }
    } else if (pi === 0 && c.count > 0) {
      status = 'over';
      note = 'the reference has no one in this group';
    }
    const result: GroupResult = {
      group: c.group,
      count: c.count,
      share,
      ci: share === null ? null : wilsonInterval(share * nEff, nEff),
      referenceShare: pi,
      ratio,
      difference: share !== null && pi !== null ? share - pi : null,
      pValue: pValues[i] ?? null,
      pAdjusted,
      status,
      positives: c.positives,
    };
    if (note) result.note = note;
    // k counts people: with weights, suppression needs the rows behind the weight sum.
    if (weighted) result.rows = c.rows;
    if (status === 'under' && share !== null && pi !== null) {
      const needed = rowsNeeded(Math.round(c.rows), Math.round(total), t.minRatio * pi);
      if (needed !== null) result.rowsNeeded = needed;
    }
    return result;
  });

  let chiSquare: AttributeResult['tests']['chiSquare'] = null;
  const distances: AttributeResult['distances'] = { tvd: null, jsDivergence: null };
  const diversity: AttributeResult['diversity'] = {};
  const unexpected = withReference
    ? cells.filter((c) => c.count > 0 && !c.referenceShare).map((c) => c.group)
    : [];
  if (unexpected.length > 0) {
    const list = unexpected.map((g) => `'${g}'`).join(', ');
    warnings.push({
      code: 'unexpected-group',
      path,
      message: `${path}: ${unexpected.length === 1 ? 'group' : 'groups'} ${list} ${unexpected.length === 1 ? 'is' : 'are'} in the data but not in the reference ${reference}; the χ² statistic, KL divergence and Cohen's w are undefined (null) and the χ² p-value is 0`,
    });
  }
  const value = (name: string, stat: StatValue): number | null => {
    if (stat.value === null && stat.reason && unexpected.length === 0) {
      warnings.push({
        code: 'not-computed',
        path: `${path}/${name}`,
        message: `${path}: ${name} not computed: ${stat.reason}`,
      });
    }
    return stat.value;
  };
  if (total > 0) {
    const p = cells.map((c) => c.count / total);
    const present = p.filter((x) => x > 0);
    diversity['shannonEntropy'] = value('shannonEntropy', shannonEntropy(present));
    diversity['evenness'] = value('evenness', evenness(present));
    diversity['simpson'] = value('simpson', simpsonIndex(present));
    diversity['hill1'] = value('hill1', hillNumber(present, 1));
    diversity['hill2'] = value('hill2', hillNumber(present, 2));
    diversity['imbalanceRatio'] = value(
      'imbalanceRatio',
      imbalanceRatio(cells.map((c) => c.count).filter((x) => x > 0)),
    );
    if (withReference) {
      const q = cells.map((c) => c.referenceShare ?? 0);
      const gof = chiSquareGoodnessOfFit(
        cells.map((c) => c.count * scale),
        q,
        { seed: MONTE_CARLO_SEED },
      );
      chiSquare = { statistic: gof.statistic, df: gof.df, pValue: gof.pValue, method: gof.method };
      if (gof.monteCarlo) chiSquare.monteCarlo = { ...gof.monteCarlo };
      if (gof.reason && unexpected.length === 0)
        warnings.push({ code: 'not-computed', path: `${path}/chiSquare`, message: `${path}: ${gof.reason}` });
      distances.tvd = value('tvd', totalVariationDistance(p, q));
      distances.jsDivergence = value('jsDivergence', jensenShannonDivergence(p, q));
      distances['linf'] = value('linf', linfDistance(p, q));
      distances['hellinger'] = value('hellinger', hellingerDistance(p, q));
      distances['klDivergence'] = value('klDivergence', klDivergence(p, q));
      distances['cohensW'] = value('cohensW', cohensW(p, q));
    }
  } else if (withReference) {
    warnings.push({
      code: 'no-rows',
      path,
      message: `${path}: no rows with a valid value, so no statistics`,
    });
  }
  return { total, groups, tests: { chiSquare }, distances, diversity, status: 'pass' };
}

/** The parts of a table against one reference that its check reads. */
type Judged = Pick<AttributeResult, 'reference' | 'total' | 'groups' | 'distances' | 'tests'>;

/** The representation check of one table against one reference; `name` heads the message. */
function attributeCheck(name: string, a: Judged, t: Thresholds, id = `representation:${name}`): Check {
  if (a.reference === null) {
    return { id, status: 'pass', message: `${name}: no reference declared; profiled only` };
  }
  if (a.total === 0) {
    return { id, status: 'fail', message: `${name}: no rows with a valid value` };
  }
  const under = a.groups.filter((g) => g.status === 'under').map((g) => g.group);
  const over = a.groups.filter((g) => g.status === 'over').map((g) => g.group);
  const unclear = a.groups.filter((g) => g.note?.includes('not significant')).map((g) => g.group);
  const tvd = a.distances.tvd;
  const chi = a.tests.chiSquare;
  const chiP = chi ? (chi.monteCarlo?.pValue ?? chi.pValue) : null;
  const tvdHigh = tvd !== null && tvd > t.maxTvd;
  const parts: string[] = [];
  if (under.length) parts.push(`under-represented: ${under.join(', ')}`);
  if (over.length) parts.push(`over-represented: ${over.join(', ')}`);
  if (tvdHigh) parts.push(`total variation distance ${tvd.toFixed(3)} > ${t.maxTvd}`);
  if (unclear.length) parts.push(`too small to conclude: ${unclear.join(', ')}`);
  let status: Check['status'] = 'pass';
  // Unexpected groups force χ²'s p to 0 whatever the sample size, so then a high TVD only warns.
  const unexpected = a.groups
    .filter((g) => g.referenceShare === null && (g.count ?? 0) > 0)
    .map((g) => g.group);
  if (unexpected.length) parts.push(`not in the reference: ${unexpected.join(', ')}`);
  const tvdSignificant = tvdHigh && chiP !== null && chiP < t.alpha && unexpected.length === 0;
  if (under.length || over.length || tvdSignificant) status = 'fail';
  else if (tvdHigh || unclear.length || unexpected.length) status = 'warn';
  const message =
    parts.length > 0
      ? `${name}: ${parts.join('; ')}`
      : `${name}: every group within [${t.minRatio}, ${t.maxRatio}] of the reference${tvd !== null ? `, TVD ${tvd.toFixed(3)}` : ''}`;
  return { id, status, message };
}

/** The thresholds a comparison with `reference` is judged by (its population's own, if any). */
function judgedBy(manifest: Manifest, reference: string | undefined | null): Thresholds {
  return reference ? thresholdsFor(manifest.thresholds, reference.split('/')[0]!) : manifest.thresholds;
}

/**
 * One block per reference of an attribute that names several (issue #18). The primary's block
 * repeats the attribute's own fields; each further reference's rows come back from the compare
 * statement under its alias and go through the same statistics (`compareCells`), judged by its
 * population's thresholds. A block is checked (counts towards the verdict) when it is the
 * primary or its population has thresholds of its own.
 */
function referenceComparisons(
  spec: AttributeSpec,
  attribute: AttributeResult,
  byAttribute: Map<string, CompareRow[]>,
  manifest: Manifest,
  options: CompareOptions,
  out: { warnings: ReportWarning[]; checks: Check[] },
): ReferenceComparison[] {
  const weighted = Boolean(manifest.weight);
  // A group of a further reference that the data lacks comes back with a count of 0; the page
  // reads the attribute's own groups for the dataset's share.
  return spec.references.map((reference) => {
    const population = reference.split('/')[0]!;
    const primary = reference === spec.reference;
    const t = judgedBy(manifest, reference);
    const own = hasOwnThresholds(manifest.thresholds, population);
    const result: Omit<Judged, 'reference'> = primary
      ? attribute
      : compareCells(
          `${spec.name}@${reference}`,
          toCells(byAttribute.get(referenceAlias(spec.name, reference)) ?? [], true),
          reference,
          t,
          weighted,
          out.warnings,
        );
    const check = primary
      ? undefined
      : attributeCheck(
          `${spec.name} vs ${reference}`,
          { ...result, reference },
          t,
          `representation:${spec.name}@${reference}`,
        );
    if (check && own) out.checks.push(check);
    const head = {
      reference,
      primary,
      kind: options.kindOf?.(population) ?? null,
      checked: primary || own,
      status: check?.status ?? attribute.status,
    };
    return comparisonBlock(head, result, own ? t : undefined);
  });
}

/** A block from a table's statistics against one reference; `own` when its population has thresholds. */
function comparisonBlock(
  head: Pick<ReferenceComparison, 'reference' | 'primary' | 'kind' | 'checked' | 'status'>,
  result: Pick<CellStats, 'groups' | 'tests' | 'distances'>,
  own: Thresholds | undefined,
): ReferenceComparison {
  const block: ReferenceComparison = {
    ...head,
    groups: result.groups.map(comparisonGroup),
    tests: result.tests,
    distances: result.distances,
  };
  if (own) {
    const { minRatio, maxRatio, maxTvd, minGroupCount, alpha } = own;
    block.thresholds = { minRatio, maxRatio, maxTvd, minGroupCount, alpha };
  }
  return block;
}

function comparisonGroup(g: GroupResult): ComparisonGroup {
  const out: ComparisonGroup = {
    group: g.group,
    referenceShare: g.referenceShare,
    ratio: g.ratio,
    difference: g.difference,
    pValue: g.pValue,
    pAdjusted: g.pAdjusted,
    status: g.status,
  };
  if (g.rowsNeeded !== undefined) out.rowsNeeded = g.rowsNeeded;
  if (g.note !== undefined) out.note = g.note;
  return out;
}

/** The positive class's make-up against each further reference of an attribute. */
function addPositiveCompositions(
  attribute: AttributeResult,
  byAttribute: Map<string, CompareRow[]>,
  name: string,
): void {
  const labels = attribute.labels;
  if (!attribute.comparisons || !labels) return;
  const data = toCells(byAttribute.get(name) ?? [], false).filter((c) => c.count > 0);
  const positives = sum(data.map((c) => c.positiveWeight));
  for (const block of attribute.comparisons) {
    block.positiveComposition = block.primary
      ? labels.positiveComposition
      : positives > 0
        ? positiveCompositionOf(block.groups, data)
        : null;
  }
}

function compareIntersection(
  names: readonly string[],
  name: string,
  byAttribute: Map<string, CompareRow[]>,
  manifest: Manifest,
  attributes: readonly AttributeResult[],
  weighted: boolean,
  warnings: ReportWarning[],
  checks: Check[],
  options: CompareOptions,
): IntersectionResult {
  const rows = byAttribute.get(name) ?? [];
  const joint = rows.some((r) => r.referenceShare !== null);
  const members = names.map((n) => attributes.find((a) => a.name === n)!);
  let basis: IntersectionResult['basis'] = 'none';
  let cells: Cell[];
  const observed = toCells(rows, true);
  if (joint) {
    basis = 'joint-reference';
    cells = observed;
  } else if (members.every((m) => m.reference !== null)) {
    basis = 'product-of-marginals';
    cells = productCells(observed, members);
  } else {
    cells = toCells(rows, false);
  }
  const reference = basis === 'joint-reference' ? jointReferenceName(members) : null;
  const result = compareCells(
    name,
    cells,
    basis === 'none' ? null : (reference ?? 'product of marginals'),
    manifest.thresholds,
    weighted,
    warnings,
  );
  const emptyCells = result.groups.filter((g) => g.count === 0 || g.count === null).map((g) => g.group);
  const flagged = result.groups.filter((g) => g.status === 'under' || g.status === 'over');
  checks.push({
    id: `intersection:${name}`,
    status: flagged.length > 0 ? 'warn' : 'pass',
    message:
      flagged.length > 0
        ? `${names.join(' × ')}: ${flagged.map((g) => `${g.group} ${g.status}`).join(', ')} (vs ${basis === 'joint-reference' ? 'joint reference' : 'product of marginals'})`
        : `${names.join(' × ')}: no cell significantly outside the thresholds`,
  });
  const worst = worstCells(
    result.groups.filter((g) => g.status === 'under' || g.status === 'over'),
    WORST_CELLS,
  ).map((g) => g.group);
  const out: IntersectionResult = {
    attributes: [...names],
    reference,
    basis,
    total: result.total,
    groups: result.groups,
    emptyCells,
    worstCells: worst,
  };
  const further = furtherIntersectionReferences(manifest, names);
  if (further.length > 0) {
    const head = {
      reference: reference ?? members.map((m) => m.reference).join(' × '),
      primary: true,
      kind: reference === null ? null : (options.kindOf?.(reference.split('/')[0]!) ?? null),
      checked: true,
      status: flagged.length > 0 ? ('warn' as const) : ('pass' as const),
    };
    const primary = comparisonBlock(head, result, undefined);
    const context = {
      name,
      names,
      byAttribute,
      manifest,
      observed,
      members,
      weighted,
      warnings,
      checks,
      options,
    };
    out.comparisons = [primary, ...further.map((f) => intersectionBlock(f, context))];
  }
  return out;
}

interface IntersectionContext {
  readonly name: string;
  readonly names: readonly string[];
  readonly byAttribute: Map<string, CompareRow[]>;
  readonly manifest: Manifest;
  readonly observed: readonly Cell[];
  readonly members: readonly AttributeResult[];
  readonly weighted: boolean;
  readonly warnings: ReportWarning[];
  readonly checks: Check[];
  readonly options: CompareOptions;
}

/**
 * An intersection against a further population: its joint reference when the compare statement
 * found one (under the alias), else the product of the members' marginal shares of that
 * population. It warns (as the primary's check does) only with thresholds of its own.
 */
function intersectionBlock(
  further: ReturnType<typeof furtherIntersectionReferences>[number],
  x: IntersectionContext,
): ReferenceComparison {
  const jointRows = x.byAttribute.get(referenceAlias(x.name, further.joint)) ?? [];
  const joint = jointRows.some((r) => r.referenceShare !== null);
  const marginals = x.members.map((m, i) => {
    const reference = further.marginals[i]!;
    return m.reference === reference
      ? m
      : { groups: m.comparisons?.find((b) => b.reference === reference)?.groups ?? [] };
  });
  const reference = joint ? further.joint : further.marginals.join(' × ');
  const t = judgedBy(x.manifest, further.joint);
  const result = compareCells(
    `${x.name}@${reference}`,
    joint ? toCells(jointRows, true) : productCells(x.observed, marginals),
    reference,
    t,
    x.weighted,
    x.warnings,
  );
  const flagged = result.groups.filter((g) => g.status === 'under' || g.status === 'over');
  const own = hasOwnThresholds(x.manifest.thresholds, further.population);
  if (own) {
    x.checks.push({
      id: `intersection:${x.name}@${reference}`,
      status: flagged.length > 0 ? 'warn' : 'pass',
      message:
        flagged.length > 0
          ? `${x.names.join(' × ')} vs ${reference}: ${flagged.map((g) => `${g.group} ${g.status}`).join(', ')}`
          : `${x.names.join(' × ')} vs ${reference}: no cell significantly outside the thresholds`,
    });
  }
  const head = {
    reference,
    primary: false,
    kind: x.options.kindOf?.(further.population) ?? null,
    checked: own,
    status: flagged.length > 0 ? ('warn' as const) : ('pass' as const),
  };
  return comparisonBlock(head, result, own ? t : undefined);
}

function jointReferenceName(members: readonly AttributeResult[]): string | null {
  const refs = members.map((m) => m.reference);
  if (refs.some((r) => r === null)) return null;
  const population = refs[0]!.split('/')[0]!;
  return `${population}/${refs.map((r) => r!.split('/')[1]).join('_x_')}`;
}

/** Cells over the product of the members' groups, referenced by the product of marginal shares. */
function productCells(
  observed: readonly Cell[],
  members: readonly { readonly groups: readonly Pick<GroupResult, 'group' | 'referenceShare'>[] }[],
): Cell[] {
  let combos: { groups: string[]; share: number | null }[] = [{ groups: [], share: 1 }];
  for (const m of members) {
    const next: { groups: string[]; share: number | null }[] = [];
    for (const c of combos) {
      for (const g of m.groups) {
        const share = c.share === null || g.referenceShare === null ? null : c.share * g.referenceShare;
        next.push({ groups: [...c.groups, g.group], share });
      }
    }
    combos = next;
  }
  const byGroup = new Map(observed.map((c) => [c.group, c]));
  return combos.map((c) => {
    const group = joinCell(c.groups);
    const o = byGroup.get(group);
    return {
      group,
      count: o?.count ?? 0,
      weightSqSum: o?.weightSqSum ?? 0,
      rows: o?.rows ?? 0,
      positives: o?.positives ?? null,
      positiveWeight: o?.positiveWeight ?? 0,
      labelMissing: o?.labelMissing ?? 0,
      labelOther: o?.labelOther ?? 0,
      labelledRows: o?.labelledRows ?? 0,
      labelledWeightSqSum: o?.labelledWeightSqSum ?? 0,
      referenceShare: c.share,
    };
  });
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** The run's verdict: fail if any check fails, warn if any warns, else pass. */
export function verdictOf(checks: readonly Check[]): 'pass' | 'warn' | 'fail' {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}
