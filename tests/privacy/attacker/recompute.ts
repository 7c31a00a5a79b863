import jStat from 'jstat';
import { field, isObject, type Json, type JsonObject, list, num, str, strings } from './json.ts';

/**
 * Published statistics that are not sums, recomputed from a full table of counts with code written
 * here from DESIGN.md's definitions (with jstat's log-gamma), independent of
 * functions/core/stats. Part 3 of the attacker keeps a candidate vector of hidden counts only when
 * it reproduces every such number of the published copy; a statistic this module cannot recompute
 * (Monte-Carlo p, KL and JS of label distributions, raking figures) is simply not used.
 */

/** Reads a count by table and group: the published number or the candidate's. */
export type CountOf = (
  table: TableRef,
  group: string,
  what: 'count' | 'positives' | 'label' | 'unlabelled',
) => number | undefined;

export interface TableRef {
  /** `attributes` or `intersections`. */
  readonly kind: 'attributes' | 'intersections';
  /** The attribute name, or the intersection's attributes joined by `|`. */
  readonly name: string;
}

export interface Mismatch {
  readonly path: string;
  readonly published: number;
  readonly recomputed: number | null;
}

/** Relative and absolute tolerance: the published double against an independent computation. */
function close(a: number, b: number, relative = 1e-6, absolute = 1e-9): boolean {
  return Math.abs(a - b) <= absolute + relative * Math.max(Math.abs(a), Math.abs(b));
}

/** Two-sided exact binomial test, scipy's `binomtest` rule: sum of the outcomes no likelier than k. */
export function binomialTwoSided(k: number, n: number, p: number): number {
  const key = `${k} ${n} ${p}`;
  const cached = BINOMIAL_CACHE.get(key);
  if (cached !== undefined) return cached;
  const value = binomialTwoSidedUncached(k, n, p);
  if (BINOMIAL_CACHE.size > 100_000) BINOMIAL_CACHE.clear();
  BINOMIAL_CACHE.set(key, value);
  return value;
}

/** Enumeration asks for the same (k, n, p) many times. */
const BINOMIAL_CACHE = new Map<string, number>();

function binomialTwoSidedUncached(k: number, n: number, p: number): number {
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  const logPmf = (i: number) =>
    jStat.gammaln(n + 1) -
    jStat.gammaln(i + 1) -
    jStat.gammaln(n - i + 1) +
    i * Math.log(p) +
    (n - i) * Math.log1p(-p);
  const threshold = logPmf(k) + Math.log1p(1e-7);
  let total = 0;
  for (let i = 0; i <= n; i++) {
    const l = logPmf(i);
    if (l <= threshold) total += Math.exp(l);
  }
  return Math.min(1, total);
}

/** Benjamini–Hochberg step-up adjusted p-values (nulls stay null and do not count). */
export function benjaminiHochbergAdjusted(p: readonly (number | null)[]): (number | null)[] {
  const present = p
    .map((v, i) => [v, i] as const)
    .filter((e): e is readonly [number, number] => e[0] !== null);
  const m = present.length;
  const sorted = [...present].sort((a, b) => a[0] - b[0]);
  const out: (number | null)[] = p.map(() => null);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const [value, i] = sorted[r]!;
    running = Math.min(running, (value * m) / (r + 1));
    out[i] = Math.min(1, running);
  }
  return out;
}

/**
 * Upper tail of χ²(df) at x: the regularized upper incomplete gamma Q(df/2, x/2), by its series
 * below a + 1 and its continued fraction above (Numerical Recipes §6.2), so tiny p-values keep
 * their relative precision (1 − cdf would round them to 0).
 */
export function chiSquareUpperTail(x: number, df: number): number {
  const a = df / 2;
  const y = x / 2;
  if (y <= 0) return 1;
  const prefix = Math.exp(-y + a * Math.log(y) - jStat.gammaln(a));
  if (y < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= y / (a + n);
      sum += term;
    }
    return Math.max(0, 1 - prefix * sum);
  }
  const tiny = 1e-300;
  let b = y + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return prefix * h;
}

interface TableStats {
  readonly groups: { group: string; n: number; pi: number | null }[];
  readonly total: number;
}

function tableStats(table: JsonObject, ref: TableRef, countOf: CountOf): TableStats | undefined {
  const groups: { group: string; n: number; pi: number | null }[] = [];
  for (const g of list(table, 'groups')) {
    const group = str(g, 'group') ?? '';
    const n = countOf(ref, group, 'count');
    if (n === undefined) return undefined;
    groups.push({ group, n, pi: num(g, 'referenceShare') ?? null });
  }
  return { groups, total: groups.reduce((s, g) => s + g.n, 0) };
}

/** The statistics of one attribute or intersection table that the copy publishes, checked. */
function tableMismatches(
  table: JsonObject,
  ref: TableRef,
  countOf: CountOf,
  path: string,
  minRatio: number | null | undefined,
  out: Mismatch[],
): void {
  const stats = tableStats(table, ref, countOf);
  if (!stats || stats.total <= 0) return;
  const { groups, total } = stats;
  const check = (
    where: string,
    published: number | null | undefined,
    recomputed: number | null,
    relative?: number,
    absolute?: number,
  ) => {
    if (typeof published !== 'number') return;
    if (recomputed === null || !close(published, recomputed, relative, absolute))
      out.push({ path: `${path}.${where}`, published, recomputed });
  };
  const rows = list(table, 'groups');
  // An intersection compared with the product of marginal references names no reference table.
  const compared = field(table, 'reference') !== null || field(table, 'basis') === 'product-of-marginals';
  const withReference = groups.some((g) => g.pi !== null) && compared;
  const pValues = groups.map((g) =>
    withReference && g.pi !== null ? binomialTwoSided(g.n, total, g.pi) : null,
  );
  const adjusted = benjaminiHochbergAdjusted(pValues);
  rows.forEach((row, i) => {
    const g = groups[i]!;
    check(`groups[${g.group}].pValue`, num(row, 'pValue'), pValues[i] ?? null, 1e-3, 1e-12);
    check(`groups[${g.group}].pAdjusted`, num(row, 'pAdjusted'), adjusted[i] ?? null, 1e-3, 1e-12);
    const needed = num(row, 'rowsNeeded');
    if (typeof needed === 'number' && g.pi !== null && typeof minRatio === 'number') {
      const t = minRatio * g.pi;
      check(
        `groups[${g.group}].rowsNeeded`,
        needed,
        t < 1 ? Math.max(0, Math.ceil((t * total - g.n) / (1 - t) - 1e-9)) : null,
        0,
        0.5,
      );
    }
  });
  const p = groups.map((g) => g.n / total);
  const present = p.filter((x) => x > 0);
  const diversity = field(table, 'diversity');
  if (isObject(diversity) && present.length > 0) {
    const h = -present.reduce((s, x) => s + x * Math.log(x), 0);
    const sq = present.reduce((s, x) => s + x * x, 0);
    check('diversity.shannonEntropy', num(diversity, 'shannonEntropy'), h);
    check(
      'diversity.evenness',
      num(diversity, 'evenness'),
      present.length > 1 ? h / Math.log(present.length) : null,
    );
    check('diversity.simpson', num(diversity, 'simpson'), 1 - sq);
    check('diversity.hill1', num(diversity, 'hill1'), Math.exp(h));
    check('diversity.hill2', num(diversity, 'hill2'), 1 / sq);
    const counts = groups.map((g) => g.n).filter((n) => n > 0);
    check(
      'diversity.imbalanceRatio',
      num(diversity, 'imbalanceRatio'),
      Math.max(...counts) / Math.min(...counts),
    );
  }
  if (!withReference) return;
  const q = groups.map((g) => g.pi ?? 0);
  const distances = field(table, 'distances');
  if (isObject(distances)) {
    const diffs = p.map((x, i) => x - q[i]!);
    check('distances.tvd', num(distances, 'tvd'), diffs.reduce((s, d) => s + Math.abs(d), 0) / 2);
    check('distances.linf', num(distances, 'linf'), Math.max(...diffs.map(Math.abs)));
    const hellinger = Math.sqrt(p.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(q[i]!)) ** 2, 0) / 2);
    check('distances.hellinger', num(distances, 'hellinger'), hellinger);
    const kl = p.some((x, i) => x > 0 && q[i] === 0)
      ? null
      : p.reduce((s, x, i) => (x > 0 ? s + x * Math.log(x / q[i]!) : s), 0);
    check('distances.klDivergence', num(distances, 'klDivergence'), kl);
    check('distances.jsDivergence', num(distances, 'jsDivergence'), jensenShannonBits(p, q));
    const w = p.some((x, i) => x > 0 && q[i] === 0)
      ? null
      : Math.sqrt(p.reduce((s, x, i) => (q[i]! > 0 ? s + (x - q[i]!) ** 2 / q[i]! : s), 0));
    check('distances.cohensW', num(distances, 'cohensW'), w);
  }
  const chi = field(field(table, 'tests'), 'chiSquare');
  if (isObject(chi)) {
    const unexpected = groups.some((g) => (g.pi ?? 0) === 0 && g.n > 0);
    const statistic = unexpected
      ? null
      : groups.reduce((s, g) => (g.pi ? s + (g.n - total * g.pi) ** 2 / (total * g.pi) : s), 0);
    check('tests.chiSquare.statistic', num(chi, 'statistic'), statistic);
    const df = num(chi, 'df');
    const pValue = unexpected
      ? 0
      : statistic !== null && typeof df === 'number' && df > 0
        ? chiSquareUpperTail(statistic, df)
        : null;
    check('tests.chiSquare.pValue', num(chi, 'pValue'), pValue, 1e-6, 1e-15);
  }
}

function jensenShannonBits(p: readonly number[], q: readonly number[]): number {
  let js = 0;
  p.forEach((x, i) => {
    const y = q[i]!;
    const m = (x + y) / 2;
    if (x > 0) js += 0.5 * x * Math.log2(x / m);
    if (y > 0) js += 0.5 * y * Math.log2(y / m);
  });
  return js;
}

/**
 * Label rows of an attribute, from issue #18's definitions: a row without a label (no value, or
 * neither positive nor a declared negative) is not a negative, so every rate is positives over
 * labelled rows (count − rows without a label) and the rest is the other groups' labelled rows;
 * class imbalance counts all rows. The impact ratio is the rate over the highest rate of a group
 * with at least `minGroupCount` labelled rows, and the four-fifths rule fails it below 0.8. A
 * copy before #18 has no rows without a label (0) and no impact ratio.
 */
function labelMismatches(
  attribute: JsonObject,
  ref: TableRef,
  countOf: CountOf,
  minGroupCount: number | null | undefined,
  out: Mismatch[],
): void {
  const labels = field(attribute, 'labels');
  if (!isObject(labels)) return;
  const rows = list(labels, 'groups');
  const values = rows.map((row) => {
    const group = str(row, 'group') ?? '';
    const unlabelled = row['unlabelled'] === undefined ? 0 : countOf(ref, group, 'unlabelled');
    return { row, group, n: countOf(ref, group, 'count'), p: countOf(ref, group, 'label'), u: unlabelled };
  });
  if (values.some((v) => v.n === undefined || v.p === undefined || v.u === undefined)) return;
  const total = values.reduce((s, v) => s + v.n!, 0);
  const labelled = values.reduce((s, v) => s + v.n! - v.u!, 0);
  const positives = values.reduce((s, v) => s + v.p!, 0);
  const path = `attributes[${ref.name}].labels`;
  const check = (where: string, published: number | null | undefined, recomputed: number | null) => {
    if (typeof published !== 'number') return;
    if (recomputed === null || !close(published, recomputed))
      out.push({ path: `${path}.${where}`, published, recomputed });
  };
  check('positiveRate', num(labels, 'positiveRate'), labelled > 0 ? positives / labelled : null);
  check(
    'missing+otherValues',
    typeof num(labels, 'missing') === 'number'
      ? num(labels, 'missing')! + (num(labels, 'otherValues') ?? 0)
      : null,
    total - labelled,
  );
  const rates = values.map(({ n, p, u }) => (n! - u! > 0 ? p! / (n! - u!) : null));
  const judged = values.map(({ n, u }, i) => rates[i] !== null && n! - u! >= (minGroupCount ?? 0));
  const best = rates.reduce<number | null>(
    (m, r, i) => (judged[i] && r !== null && (m === null || r > m) ? r : m),
    null,
  );
  for (const [i, { row, group, n, p, u }] of values.entries()) {
    const nL = n! - u!;
    const restRows = labelled - nL;
    const qd = rates[i] ?? null;
    const qa = restRows > 0 ? (positives - p!) / restRows : null;
    check(`groups[${group}].positiveRate`, num(row, 'positiveRate'), qd);
    check(
      `groups[${group}].classImbalance`,
      num(row, 'classImbalance'),
      total > 0 ? (total - 2 * n!) / total : null,
    );
    const impact = qd === null || best === null || best === 0 ? null : qd / best;
    check(`groups[${group}].impactRatio`, num(row, 'impactRatio'), impact);
    const fourFifths = row['fourFifths'];
    if (row['impactRatio'] !== undefined && (fourFifths === 'pass' || fourFifths === 'fail')) {
      const expected = judged[i] && impact !== null ? (impact >= 0.8 * (1 - 1e-12) ? 'pass' : 'fail') : null;
      if (expected !== fourFifths)
        out.push({
          path: `${path}.groups[${group}].fourFifths`,
          published: fourFifths === 'pass' ? 1 : 0,
          recomputed: null,
        });
    }
    if (qd === null || qa === null) continue;
    check(`groups[${group}].dpl`, num(row, 'dpl'), qa - qd);
    check(`groups[${group}].disparateImpact`, num(row, 'disparateImpact'), qa > 0 ? qd / qa : null);
    check(`groups[${group}].tvd`, num(row, 'tvd'), Math.abs(qa - qd));
    check(`groups[${group}].ks`, num(row, 'ks'), Math.abs(qa - qd));
    check(`groups[${group}].lp`, num(row, 'lp'), Math.SQRT2 * Math.abs(qa - qd));
  }
}

/** Source totals: the effective number (inverse Simpson) and the largest share. */
function sourceMismatches(
  report: Json,
  sourceCount: (source: string) => number | undefined,
  out: Mismatch[],
): void {
  const sources = field(report, 'sources');
  if (!isObject(sources)) return;
  const counts = list(sources, 'groups').map((s) => sourceCount(str(s, 'source') ?? ''));
  if (counts.some((c) => c === undefined)) return;
  const total = (counts as number[]).reduce((s, c) => s + c, 0);
  if (total <= 0) return;
  const shares = (counts as number[]).map((c) => c / total);
  const check = (where: string, published: number | null | undefined, recomputed: number) => {
    if (typeof published === 'number' && !close(published, recomputed))
      out.push({ path: `sources.${where}`, published, recomputed });
  };
  check('effectiveNumber', num(sources, 'effectiveNumber'), 1 / shares.reduce((s, x) => s + x * x, 0));
  check('largestShare', num(sources, 'largestShare'), Math.max(...shares));
}

/** Every published non-sum statistic that the candidate counts do not reproduce. */
export function statisticMismatches(
  report: Json,
  countOf: CountOf,
  sourceCount: (source: string) => number | undefined,
): Mismatch[] {
  const out: Mismatch[] = [];
  const minRatio = num(field(report, 'thresholds'), 'minRatio');
  for (const a of list(report, 'attributes')) {
    const ref: TableRef = { kind: 'attributes', name: str(a, 'name') ?? '' };
    tableMismatches(a, ref, countOf, `attributes[${ref.name}]`, minRatio, out);
    labelMismatches(a, ref, countOf, num(field(report, 'thresholds'), 'minGroupCount'), out);
  }
  for (const x of list(report, 'intersections')) {
    const ref: TableRef = { kind: 'intersections', name: strings(x, 'attributes').join('|') };
    tableMismatches(x, ref, countOf, `intersections[${ref.name}]`, minRatio, out);
  }
  sourceMismatches(report, sourceCount, out);
  return out;
}
