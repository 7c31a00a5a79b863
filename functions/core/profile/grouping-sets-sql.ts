import type { Statement } from '../compare/compare-sql.ts';
import { InputError } from '../errors.ts';
import type { SqlValue } from '../ports.ts';
import { identifierKindOfValue } from './identifiers.ts';
import { type AttributePlan, type CountingPlan, MAX_GROUPS_PER_ATTRIBUTE } from './plan.ts';
import {
  emptyProfile,
  type GroupCount,
  IDENTIFIER_SAMPLE_ROWS,
  type IdentifierHint,
  type Profile,
} from './profile.ts';
import { emptyTally, type Tally } from './tally.ts';

/**
 * The counting plan rendered as ONE `SELECT … GROUP BY GROUPING SETS (…)` statement, for data that
 * already sits in a table (Athena over the lake, DuckDB locally), and the way back from its rows
 * to the exact `Profile` the streaming `ProfileBuilder` gives for the same records.
 *
 * The SQL reproduces the builder's semantics, one rule each:
 * - values are compared after JavaScript's `normaliseValue`: NFC, JavaScript white space (`\s`:
 *   ASCII and Unicode spaces, U+FEFF, line separators) trimmed and folded to one space, then
 *   lower-cased, including the two special mappings `toLowerCase` has beyond simple case folding
 *   (U+0130 İ → i + U+0307, and a final capital sigma → ς);
 * - a weight is `parseNumber` of the trimmed raw text (an optionally signed decimal with an
 *   optional exponent) and must be finite and ≥ 0; otherwise the row is malformed and nothing else
 *   of it is counted (it is not even checked for consent);
 * - rows without a granted consent value are excluded; the label is positive when its value is one
 *   of the positive values;
 * - per attribute a value is missing (null or a `missing` value), else mapped (`groups`: the
 *   lookup, else unmapped; `bins`: the bin of the parsed number, unmapped when it is no number or
 *   below the first edge; `values`: the lookup, else the normalised value itself);
 * - intersections count cells of rows where every member has a group, the rest as incomplete.
 *
 * Two rules are applied to the rows in TypeScript, where they are exact: a `values` group that is
 * not a known group and looks like an identifier (`identifierKindOfValue`) is counted as unmapped
 * (and as a `group-value` identifier hint), and more than `MAX_GROUPS_PER_ATTRIBUTE` groups is
 * TOO_MANY_GROUPS. Malformed-record samples cannot be given: SQL has no line numbers, so
 * `malformedSamples` is always empty (the malformed count is exact).
 *
 * Where the two executors can differ (each pinned or measured in tests/integration/sql-profile):
 * - weight sums are DOUBLE sums in whatever order the engine adds them (in parallel, partial sums
 *   merge in any order), so they equal the streaming sums exactly when the weights are integers
 *   or other exactly representable binary fractions (0.5, 0.25, …), and to within floating-point
 *   rounding otherwise;
 * - case mapping and NFC use the engine's Unicode tables: characters added in Unicode 16/17
 *   (a few Latin letters, Garay, Kirat Rai…) lower-case in JavaScript but not in DuckDB 1.5; the
 *   final-sigma rule approximates "cased" and "case-ignorable" with general categories;
 * - the regular expressions are checked on DuckDB (RE2) only; Trino runs them with Joni/Java
 *   syntax, which accepts the same constructs, but no Trino engine runs in the tests (the
 *   statement's grammar is checked with dt-sql-parser);
 * - records the table cannot represent (broken CSV quoting, non-objects in JSON Lines) are not
 *   counted as malformed: the engine either refuses the input or never had them.
 */

/**
 * The places where DuckDB and Trino (Athena engine v3) spell the same thing differently. Everything
 * else in the statement is the dialect both run. `pattern` arguments are regular expressions in
 * the syntax RE2 (DuckDB) and Java/Joni (Trino) share: classes, `\x{…}`, `\p{Lu}`, `^`, `\z`.
 */
export interface SqlDialect {
  readonly name: 'duckdb' | 'trino';
  /** Unicode NFC of a VARCHAR expression. */
  nfc(text: string): string;
  /** True when `pattern` matches somewhere in `text` (anchor it to match the whole text). */
  regexpLike(text: string, pattern: string): string;
  /** Replaces every match of `pattern`; `replacement` refers to groups through `groupRef`. */
  regexpReplaceAll(text: string, pattern: string, replacement: string): string;
  /** How a replacement names capture group `n`. */
  groupRef(n: number): string;
  /** VARCHAR → DOUBLE, NULL where the engine cannot convert (callers check the syntax first). */
  tryCastDouble(text: string): string;
}

/** DuckDB: `nfc_normalize`, `regexp_matches`, `regexp_replace(…, 'g')`, `\1`. */
export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  nfc: (text) => `nfc_normalize(${text})`,
  regexpLike: (text, pattern) => `regexp_matches(${text}, ${sqlString(pattern)})`,
  regexpReplaceAll: (text, pattern, replacement) =>
    `regexp_replace(${text}, ${sqlString(pattern)}, ${sqlString(replacement)}, 'g')`,
  groupRef: (n) => `\\${n}`,
  tryCastDouble: (text) => `TRY_CAST(${text} AS DOUBLE)`,
};

/** Trino / Athena engine v3: `normalize(…, NFC)`, `regexp_like`, `regexp_replace` (all matches), `$1`. */
export const trinoDialect: SqlDialect = {
  name: 'trino',
  nfc: (text) => `normalize(${text}, NFC)`,
  regexpLike: (text, pattern) => `regexp_like(${text}, ${sqlString(pattern)})`,
  regexpReplaceAll: (text, pattern, replacement) =>
    `regexp_replace(${text}, ${sqlString(pattern)}, ${sqlString(replacement)})`,
  groupRef: (n) => `$${n}`,
  tryCastDouble: (text) => `try_cast(${text} AS double)`,
};

/**
 * The table the statement reads: one row per record, the plan's columns as text (other types are
 * cast to VARCHAR by the engine, so numbers and dates take the engine's spelling, not the
 * streaming readers'). The table is the source of truth for what a record is: SQL cannot count
 * records it could not read, so `rows.malformed` counts only rows with an invalid weight.
 */
export interface TableRef {
  /** The table as name parts, each quoted: `['lake', 'leads']` → `"lake"."leads"`. */
  readonly name: readonly string[];
  /**
   * How a manifest column with dots is reached. `flat`: one column named with the dots
   * (`"address.state"`, a CSV header or a view that already resolved the path). `struct`: a path
   * of struct (ROW) fields (`t."address"."state"`), as in a Glue table over nested JSON or Parquet.
   * In Trino, quoted names still match case-insensitively (Glue lower-cases column names).
   * @default 'flat'
   */
  readonly dottedColumns?: 'flat' | 'struct';
}

/** Column names of the statement's rows (all lower case: Athena returns them as written). */
export const GROUPING_SETS_COLUMNS = {
  rowsSet: 'set_rows',
  status: 'row_status',
  count: 'row_count',
  weightSum: 'weight_sum',
  weightSqSum: 'weight_sq_sum',
  positives: 'positives',
  positiveWeightSum: 'positive_weight_sum',
  attributeSet: (i: number) => `set_a${i}`,
  kind: (i: number) => `kind${i}`,
  group: (i: number) => `grp${i}`,
  sampleValue: (c: number) => `c${c}`,
} as const;

/** `row_status` values. */
const USED = 0;
const EXCLUDED_NO_CONSENT = 1;
const MALFORMED = 2;
/** `kind<i>` values; null marks rows that are not counted (excluded or malformed). */
const GROUP = 0;
const MISSING = 1;
const UNMAPPED = 2;

/** JavaScript's `\s` (what `trim()` removes and `normaliseValue` folds), as a regex class body. */
const JS_SPACE =
  '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const TRIM_PATTERN = `^[${JS_SPACE}]+|[${JS_SPACE}]+\\z`;
const SPACE_RUN_PATTERN = `[${JS_SPACE}]+`;
/**
 * `parseNumber`'s syntax (`\d` is ASCII in JavaScript); `\z`, since Java's `$` also matches before
 * a final line break; `{0,1}` rather than `?`, so the statement's only question marks are its
 * parameters.
 */
const NUMBER_PATTERN = '^[+-]{0,1}([0-9]+(\\.[0-9]*){0,1}|\\.[0-9]+)([eE][+-]{0,1}[0-9]+){0,1}\\z';
/**
 * Unicode's Final_Sigma condition, which JavaScript's `toLowerCase` applies and SQL `lower` does
 * not: Σ preceded by a cased letter (then case-ignorables) and not followed by (case-ignorables
 * then) a cased letter becomes ς. Cased ≈ Lu, Ll, Lt; case-ignorable ≈ Mn, Me, Cf, Lm, Sk and the
 * word-internal punctuation ' . : · ‘ ’ (the few Other_Lowercase / Other_Uppercase letters are
 * not covered).
 */
const CASED = '\\p{Lu}\\p{Ll}\\p{Lt}';
const CASE_IGNORABLE = "\\p{Mn}\\p{Me}\\p{Cf}\\p{Lm}\\p{Sk}'.:\\x{B7}\\x{2018}\\x{2019}";
const FINAL_SIGMA_PATTERN = `([${CASED}][${CASE_IGNORABLE}]*)Σ([${CASE_IGNORABLE}]*)([^${CASED}${CASE_IGNORABLE}]|\\z)`;
/** Values whose normal form is just `lower(value)`: printable ASCII, single inner spaces. */
const PLAIN_ASCII_PATTERN = '^[!-~]+( [!-~]+)*\\z';
/** The largest finite DOUBLE: a weight above it overflowed (Trino casts '1e400' to Infinity). */
const MAX_DOUBLE = '1.7976931348623157E308';

/** A quoted SQL identifier: `"` doubled. Any name is allowed except one with a NUL character. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) {
    throw new InputError(
      'INPUT_FORMAT',
      `column or table name ${JSON.stringify(name)} contains a NUL character`,
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The grouping sets: one per attribute, one per distinct member set of the intersections. */
interface GroupingSet {
  /** Attribute indices, in the order of the first intersection (or attribute) that asked for them. */
  readonly attributes: readonly number[];
}

function setKey(attributes: readonly number[]): string {
  return [...new Set(attributes)].sort((a, b) => a - b).join(',');
}

function groupingSets(plan: CountingPlan): GroupingSet[] {
  const byKey = new Map<string, GroupingSet>();
  const add = (attributes: readonly number[]) => {
    const unique = [...new Set(attributes)];
    const key = setKey(unique);
    if (!byKey.has(key)) byKey.set(key, { attributes: unique });
  };
  for (let i = 0; i < plan.attributes.length; i++) add([i]);
  for (const x of plan.intersections) add(x.attributes);
  return [...byKey.values()];
}

/** The columns whose normalised value some attribute, the consent or the label compares. */
function keyedColumns(plan: CountingPlan): Set<number> {
  const keyed = new Set(plan.attributes.map((a) => a.columnIndex));
  if (plan.consent) keyed.add(plan.consent.columnIndex);
  if (plan.label) keyed.add(plan.label.columnIndex);
  return keyed;
}

/**
 * SQL for `normaliseValue(text)`. Printable ASCII words separated by single spaces (most values)
 * only need `lower`; everything else takes NFC, the trim and fold of JavaScript white space and
 * `toLowerCase`'s special cases.
 */
function normaliseSql(text: string, d: SqlDialect): string {
  return `CASE WHEN ${d.regexpLike(text, PLAIN_ASCII_PATTERN)} THEN lower(${text}) ELSE ${fullNormaliseSql(text, d)} END`;
}

function fullNormaliseSql(text: string, d: SqlDialect): string {
  const trimmed = d.regexpReplaceAll(d.nfc(text), TRIM_PATTERN, '');
  const folded = d.regexpReplaceAll(trimmed, SPACE_RUN_PATTERN, ' ');
  const dotted = `replace(${folded}, 'İ', 'i\u0307')`;
  const sigma = d.regexpReplaceAll(
    dotted,
    FINAL_SIGMA_PATTERN,
    `${d.groupRef(1)}ς${d.groupRef(2)}${d.groupRef(3)}`,
  );
  return `lower(${sigma})`;
}

/** `trim()` as JavaScript does it. */
function trimSql(text: string, d: SqlDialect): string {
  return d.regexpReplaceAll(text, TRIM_PATTERN, '');
}

function columnSql(table: TableRef, column: string): string {
  const parts = table.dottedColumns === 'struct' ? column.split('.') : [column];
  return `t.${parts.map(quoteIdentifier).join('.')}`;
}

function tableSql(table: TableRef): string {
  if (table.name.length === 0) throw new InputError('INPUT_FORMAT', 'a table reference needs a name');
  return table.name.map(quoteIdentifier).join('.');
}

/** Collects `?` parameters in the order their placeholders are written. */
class Params {
  readonly values: SqlValue[] = [];
  one(value: SqlValue): string {
    this.values.push(value);
    return '?';
  }
  /** `expr IN (?, …)`, or FALSE for an empty list. */
  in(expr: string, values: Iterable<string>): string {
    const list = [...values];
    if (list.length === 0) return 'FALSE';
    return `${expr} IN (${list.map((v) => this.one(v)).join(', ')})`;
  }
}

/**
 * Renders the plan as one statement over `table`. Values (missing lists, group spellings, bin
 * edges and labels, consent and label values) are `?` parameters; identifiers are quoted; the
 * regular expressions are constants of this module. Read its rows with
 * {@link profileFromGroupingSetsRows}.
 */
export function renderGroupingSetsSql(plan: CountingPlan, table: TableRef, dialect: SqlDialect): Statement {
  const p = new Params();
  const keyed = keyedColumns(plan);
  const sets = groupingSets(plan);
  const C = GROUPING_SETS_COLUMNS;

  const src = plan.columns.map((column, c) => `CAST(${columnSql(table, column)} AS VARCHAR) AS v${c}`);
  const keyedList = plan.columns.flatMap((_, c) =>
    keyed.has(c) ? [`v${c}`, `${normaliseSql(`v${c}`, dialect)} AS k${c}`] : [`v${c}`],
  );
  if (plan.weight) keyedList.push(`${trimSql(`v${plan.weight.columnIndex}`, dialect)} AS wt`);

  const parsed = ['*'];
  const binColumns = new Set(plan.attributes.filter((a) => a.kind === 'bins').map((a) => a.columnIndex));
  for (const c of binColumns) {
    parsed.push(
      `CASE WHEN ${dialect.regexpLike(`k${c}`, NUMBER_PATTERN)} THEN 1 ELSE 0 END AS isnum${c}`,
      `CASE WHEN ${dialect.regexpLike(`k${c}`, NUMBER_PATTERN)} THEN ${dialect.tryCastDouble(`k${c}`)} END AS x${c}`,
    );
  }
  if (plan.weight) {
    const v = `v${plan.weight.columnIndex}`;
    parsed.push(
      `CASE WHEN ${v} IS NOT NULL AND ${dialect.regexpLike('wt', NUMBER_PATTERN)} THEN ${dialect.tryCastDouble('wt')} END AS wv`,
    );
  }

  // Written in text order so the parameters line up with their placeholders.
  const classified: string[] = [];
  const status: string[] = [];
  if (plan.weight) {
    status.push(`WHEN wv IS NULL OR NOT (wv >= 0 AND wv <= ${MAX_DOUBLE}) THEN ${MALFORMED}`);
  }
  if (plan.consent) {
    const c = plan.consent.columnIndex;
    status.push(
      `WHEN v${c} IS NULL OR NOT (${p.in(`k${c}`, plan.consent.values)}) THEN ${EXCLUDED_NO_CONSENT}`,
    );
  }
  classified.push(
    status.length > 0 ? `CASE ${status.join(' ')} ELSE ${USED} END AS row_status` : `${USED} AS row_status`,
  );
  classified.push(plan.weight ? 'wv AS w' : 'CAST(1 AS DOUBLE) AS w');
  if (plan.label) {
    const c = plan.label.columnIndex;
    classified.push(
      `CASE WHEN v${c} IS NOT NULL AND ${p.in(`k${c}`, plan.label.values)} THEN 1 ELSE 0 END AS positive`,
    );
  } else {
    classified.push('0 AS positive');
  }
  plan.attributes.forEach((a, i) => {
    const c = a.columnIndex;
    const missing = a.missing.size > 0 ? `v${c} IS NULL OR ${p.in(`k${c}`, a.missing)}` : `v${c} IS NULL`;
    classified.push(`CASE WHEN ${missing} THEN 1 ELSE 0 END AS miss${i}`);
    classified.push(`${mappingSql(a, p)} AS hit${i}`);
  });

  const counted = [
    'row_status',
    `CASE WHEN row_status = ${USED} THEN w END AS w`,
    `CASE WHEN row_status = ${USED} THEN positive ELSE 0 END AS positive`,
  ];
  plan.attributes.forEach((_, i) => {
    counted.push(
      `CASE WHEN row_status <> ${USED} THEN NULL WHEN miss${i} = 1 THEN ${MISSING} WHEN hit${i} IS NULL THEN ${UNMAPPED} ELSE ${GROUP} END AS ${C.kind(i)}`,
      `CASE WHEN row_status = ${USED} AND miss${i} = 0 THEN hit${i} END AS ${C.group(i)}`,
    );
  });

  const select = [
    `GROUPING(row_status) AS ${C.rowsSet}`,
    ...plan.attributes.map((_, i) => `GROUPING(${C.kind(i)}) AS ${C.attributeSet(i)}`),
    `row_status AS ${C.status}`,
    ...plan.attributes.flatMap((_, i) => [C.kind(i), C.group(i)]),
    `count(*) AS ${C.count}`,
    `sum(w) AS ${C.weightSum}`,
    `sum(w * w) AS ${C.weightSqSum}`,
    `sum(positive) AS ${C.positives}`,
    `sum(CASE WHEN positive = 1 THEN w END) AS ${C.positiveWeightSum}`,
  ];
  const groupingSetsList = [
    '(row_status)',
    ...sets.map((s) => `(${s.attributes.flatMap((i) => [C.kind(i), C.group(i)]).join(', ')})`),
  ];

  const indent = (items: readonly string[]) => items.map((item) => `    ${item}`).join(',\n');
  const sql = `WITH src AS (
  SELECT
${indent(src)}
  FROM ${tableSql(table)} AS t
),
keyed AS (
  SELECT
${indent(keyedList)}
  FROM src
),
parsed AS (
  SELECT
${indent(parsed)}
  FROM keyed
),
classified AS (
  SELECT
${indent(classified)}
  FROM parsed
),
counted AS (
  SELECT
${indent(counted)}
  FROM classified
)
SELECT
${indent(select)}
FROM counted
GROUP BY GROUPING SETS (
${indent(groupingSetsList)}
)`;
  return { sql, params: p.values };
}

/** The group of a normalised, non-missing value `k<c>`, or NULL for unmapped. */
function mappingSql(a: AttributePlan, p: Params): string {
  const k = `k${a.columnIndex}`;
  if (a.kind === 'bins') {
    const c = a.columnIndex;
    const edges = a.binEdges;
    const labels = a.binLabels;
    if (edges.length === 0) return 'CAST(NULL AS VARCHAR)';
    const whens = [
      `WHEN ${k} IS NULL OR isnum${c} = 0 THEN NULL`,
      // The syntax is a number but the engine overflowed it to NULL: ±Infinity in JavaScript.
      `WHEN x${c} IS NULL THEN CASE WHEN ${k} LIKE '-%' THEN NULL ELSE ${p.one(labels[labels.length - 1]!)} END`,
      `WHEN x${c} < CAST(${p.one(edges[0]!)} AS DOUBLE) THEN NULL`,
    ];
    for (let b = 1; b < edges.length; b++) {
      whens.push(`WHEN x${c} < CAST(${p.one(edges[b]!)} AS DOUBLE) THEN ${p.one(labels[b - 1]!)}`);
    }
    return `CASE ${whens.join(' ')} ELSE ${p.one(labels[labels.length - 1]!)} END`;
  }
  const byGroup = new Map<string, string[]>();
  for (const [value, group] of a.lookup) {
    const values = byGroup.get(group);
    if (values) values.push(value);
    else byGroup.set(group, [value]);
  }
  const whens = [...byGroup].map(([group, values]) => `WHEN ${p.in(k, values)} THEN ${p.one(group)}`);
  const otherwise = a.kind === 'values' ? k : 'CAST(NULL AS VARCHAR)';
  return whens.length === 0 ? otherwise : `CASE ${whens.join(' ')} ELSE ${otherwise} END`;
}

/**
 * The first `IDENTIFIER_SAMPLE_ROWS` records with a valid weight, all projected columns as text
 * (`c0`, `c1`, … in plan order), for the opt-in identifier hints by value. On DuckDB over a file
 * these are the file's first records, as the streaming profiler samples them; on Athena they are
 * some records (a table has no order), so the hint is a sample either way.
 */
export function renderIdentifierSampleSql(
  plan: CountingPlan,
  table: TableRef,
  dialect: SqlDialect,
): Statement {
  const columns = plan.columns.map(
    (column, c) => `CAST(${columnSql(table, column)} AS VARCHAR) AS ${GROUPING_SETS_COLUMNS.sampleValue(c)}`,
  );
  let where = '';
  if (plan.weight) {
    const v = GROUPING_SETS_COLUMNS.sampleValue(plan.weight.columnIndex);
    const trimmed = trimSql(v, dialect);
    const number = dialect.tryCastDouble(trimmed);
    where = `\nWHERE ${v} IS NOT NULL AND ${dialect.regexpLike(trimmed, NUMBER_PATTERN)} AND ${number} >= 0 AND ${number} <= ${MAX_DOUBLE}`;
  }
  const sql = `SELECT * FROM (
  SELECT
${columns.map((c) => `    ${c}`).join(',\n')}
  FROM ${tableSql(table)} AS t
) AS sampled${where}
LIMIT ${IDENTIFIER_SAMPLE_ROWS}`;
  return { sql, params: [] };
}

/** Options of {@link GroupingSetsProfileReader}. */
export interface GroupingSetsReadOptions {
  /**
   * Rows of {@link renderIdentifierSampleSql}, when the plan samples values for identifier hints.
   * @default - no `sample` hints (as if the plan did not opt in)
   */
  readonly identifierSample?: readonly Record<string, SqlValue>[];
}

/** What one row says about one attribute. */
type Classified =
  | { readonly kind: typeof GROUP; readonly group: string }
  | { readonly kind: typeof MISSING | typeof UNMAPPED }
  /** A `values` group that looks like an identifier: counted as unmapped, never published. */
  | { readonly kind: 'identifier'; readonly identifier: IdentifierHint['kind'] };

/**
 * Turns the rows of {@link renderGroupingSetsSql} into a `Profile`, one row at a time, so an
 * adapter can stream a large result: a column with too many distinct values fails with
 * TOO_MANY_GROUPS as soon as the limit is passed. Accepts counts as numbers, bigints or decimal
 * strings (Athena returns text).
 */
export class GroupingSetsProfileReader {
  private read = 0;
  private excludedNoConsent = 0;
  private malformed = 0;
  private readonly known: ReadonlySet<string>[];
  private readonly groups: Map<string, Tally>[];
  /** Per attribute, the groups seen that are not known groups (in attribute or cell rows). */
  private readonly extra: Set<string>[];
  private readonly missing: number[];
  private readonly unmapped: number[];
  private readonly cells: Map<string, Tally>[];
  private readonly incomplete: number[];
  /** Grouping-set key → the attribute it counts and the intersections it feeds. */
  private readonly attributeOfSet = new Map<string, number>();
  private readonly intersectionsOfSet = new Map<string, number[]>();
  private readonly hints = new Map<string, IdentifierHint>();

  constructor(
    private readonly plan: CountingPlan,
    options: GroupingSetsReadOptions = {},
  ) {
    this.known = plan.attributes.map((a) => new Set(a.knownGroups));
    this.groups = plan.attributes.map((a) => new Map(a.knownGroups.map((g) => [g, emptyTally()])));
    this.extra = plan.attributes.map(() => new Set());
    this.missing = plan.attributes.map(() => 0);
    this.unmapped = plan.attributes.map(() => 0);
    this.cells = plan.intersections.map(() => new Map());
    this.incomplete = plan.intersections.map(() => 0);
    for (let i = 0; i < plan.attributes.length; i++) this.attributeOfSet.set(setKey([i]), i);
    plan.intersections.forEach((x, j) => {
      const key = setKey(x.attributes);
      this.intersectionsOfSet.set(key, [...(this.intersectionsOfSet.get(key) ?? []), j]);
    });
    if (options.identifierSample && plan.sampleValuesForIdentifiers) this.sample(options.identifierSample);
  }

  /** Adds one row of the grouping-sets statement. */
  add(row: Readonly<Record<string, SqlValue>>): void {
    const C = GROUPING_SETS_COLUMNS;
    const count = int(row, C.count);
    if (int(row, C.rowsSet) === 0) {
      const status = int(row, C.status);
      this.read += count;
      if (status === EXCLUDED_NO_CONSENT) this.excludedNoConsent += count;
      else if (status === MALFORMED) this.malformed += count;
      else if (status !== USED) throw new TypeError(`grouping-sets row: unexpected ${C.status} ${status}`);
      return;
    }
    const members = this.plan.attributes.flatMap((_, i) => (int(row, C.attributeSet(i)) === 0 ? [i] : []));
    const key = setKey(members);
    const attribute = this.attributeOfSet.get(key);
    const intersections = this.intersectionsOfSet.get(key) ?? [];
    if (attribute === undefined && intersections.length === 0) {
      throw new TypeError(`grouping-sets row: nothing groups by the attributes [${key}]`);
    }
    // Excluded and malformed rows carry no kind; the (row_status) set has counted them.
    if (members.some((i) => row[C.kind(i)] === null || row[C.kind(i)] === undefined)) return;
    const classified = new Map<number, Classified>();
    for (const i of members) classified.set(i, this.classify(i, row));
    const tally = tallyOf(row, count);
    if (attribute !== undefined) this.addToAttribute(attribute, classified.get(attribute)!, tally);
    for (const j of intersections) {
      const names: string[] = [];
      for (const i of this.plan.intersections[j]!.attributes) {
        const c = classified.get(i)!;
        if (c.kind !== GROUP) break;
        names.push(c.group);
      }
      if (names.length === this.plan.intersections[j]!.attributes.length) {
        addTo(this.cells[j]!, names.join('|'), tally);
      } else {
        this.incomplete[j]! += count;
      }
    }
  }

  toProfile(): Profile {
    const template = emptyProfile(this.plan);
    return {
      ...template,
      rows: {
        read: this.read,
        used: this.read - this.malformed - this.excludedNoConsent,
        excludedNoConsent: this.excludedNoConsent,
        malformed: this.malformed,
      },
      attributes: template.attributes.map((a, i) => ({
        ...a,
        groups: sortedGroups(this.groups[i]!),
        missing: this.missing[i]!,
        unmapped: this.unmapped[i]!,
      })),
      intersections: template.intersections.map((x, j) => ({
        ...x,
        cells: sortedGroups(this.cells[j]!),
        incomplete: this.incomplete[j]!,
      })),
      // SQL has no line numbers: the number of malformed rows is exact, samples cannot be given.
      malformedSamples: [],
      identifierHints: [...this.hints.values()].sort(compareHints),
    };
  }

  private classify(i: number, row: Readonly<Record<string, SqlValue>>): Classified {
    const C = GROUPING_SETS_COLUMNS;
    const kind = int(row, C.kind(i));
    if (kind === MISSING || kind === UNMAPPED) return { kind };
    if (kind !== GROUP) throw new TypeError(`grouping-sets row: unexpected ${C.kind(i)} ${kind}`);
    const group = row[C.group(i)];
    if (typeof group !== 'string') throw new TypeError(`grouping-sets row: expected text in ${C.group(i)}`);
    const attribute = this.plan.attributes[i]!;
    const known = this.known[i]!;
    if (known.has(group)) return { kind, group };
    if (attribute.kind === 'values') {
      const identifier = identifierKindOfValue(group);
      if (identifier) return { kind: 'identifier', identifier };
    }
    const extra = this.extra[i]!;
    if (!extra.has(group)) {
      extra.add(group);
      if (known.size + extra.size > MAX_GROUPS_PER_ATTRIBUTE) throw tooManyGroups(attribute);
    }
    return { kind, group };
  }

  private addToAttribute(i: number, c: Classified, tally: Tally): void {
    switch (c.kind) {
      case GROUP:
        addTo(this.groups[i]!, c.group, tally);
        return;
      case MISSING:
        this.missing[i]! += tally.count;
        return;
      case UNMAPPED:
        this.unmapped[i]! += tally.count;
        return;
      case 'identifier':
        this.unmapped[i]! += tally.count;
        this.hint(this.plan.attributes[i]!.column, c.identifier, 'group-value', tally.count, 0);
        return;
    }
  }

  /** `sample` hints: like the builder, every projected value of the sampled rows is looked at. */
  private sample(rows: readonly Readonly<Record<string, SqlValue>>[]): void {
    const sampled = Math.min(rows.length, IDENTIFIER_SAMPLE_ROWS);
    for (const row of rows.slice(0, sampled)) {
      this.plan.columns.forEach((column, c) => {
        const value = row[GROUPING_SETS_COLUMNS.sampleValue(c)];
        if (typeof value !== 'string') return;
        const kind = identifierKindOfValue(value);
        if (kind) this.hint(column, kind, 'sample', 1, sampled);
      });
    }
  }

  private hint(
    column: string,
    kind: IdentifierHint['kind'],
    source: IdentifierHint['source'],
    matched: number,
    sampled: number,
  ): void {
    const key = hintKey({ column, kind, source });
    const previous = this.hints.get(key);
    this.hints.set(key, { column, kind, source, matched: (previous?.matched ?? 0) + matched, sampled });
  }
}

/** Reads all rows of {@link renderGroupingSetsSql} into the profile the streaming builder gives. */
export function profileFromGroupingSetsRows(
  plan: CountingPlan,
  rows: Iterable<Readonly<Record<string, SqlValue>>>,
  options: GroupingSetsReadOptions = {},
): Profile {
  const reader = new GroupingSetsProfileReader(plan, options);
  for (const row of rows) reader.add(row);
  return reader.toProfile();
}

/** The same message as the streaming builder's. */
function tooManyGroups(attribute: AttributePlan): InputError {
  return new InputError(
    'TOO_MANY_GROUPS',
    `column '${attribute.column}' (attribute ${attribute.name}) has more than ${MAX_GROUPS_PER_ATTRIBUTE} distinct values; expected a grouping column: declare groups or bins, or check the column name`,
  );
}

function tallyOf(row: Readonly<Record<string, SqlValue>>, count: number): Tally {
  const C = GROUPING_SETS_COLUMNS;
  return {
    count,
    weightSum: num(row, C.weightSum),
    weightSqSum: num(row, C.weightSqSum),
    positives: num(row, C.positives),
    positiveWeightSum: num(row, C.positiveWeightSum),
  };
}

function addTo(tallies: Map<string, Tally>, group: string, t: Tally): void {
  const previous = tallies.get(group) ?? emptyTally();
  tallies.set(group, {
    count: previous.count + t.count,
    weightSum: previous.weightSum + t.weightSum,
    weightSqSum: previous.weightSqSum + t.weightSqSum,
    positives: previous.positives + t.positives,
    positiveWeightSum: previous.positiveWeightSum + t.positiveWeightSum,
  });
}

/** A number from a number, bigint or decimal text; SQL NULL (an empty sum) is 0; -0 becomes 0. */
function num(row: Readonly<Record<string, SqlValue>>, key: string): number {
  const v: unknown = row[key];
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new TypeError(`grouping-sets row: expected a number in ${key}`);
  }
  return n + 0;
}

function int(row: Readonly<Record<string, SqlValue>>, key: string): number {
  const n = num(row, key);
  if (!Number.isInteger(n)) throw new TypeError(`grouping-sets row: expected an integer in ${key}`);
  return n;
}

/** Sorted by group id, as the builder sorts them (UTF-16 code unit order). */
function sortedGroups(tallies: Map<string, Tally>): GroupCount[] {
  return [...tallies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, t]) => ({ group, ...t }));
}

function hintKey(h: Pick<IdentifierHint, 'column' | 'kind' | 'source'>): string {
  return `${h.column}\u0000${h.kind}\u0000${h.source}`;
}

function compareHints(x: IdentifierHint, y: IdentifierHint): number {
  const a = hintKey(x);
  const b = hintKey(y);
  return a < b ? -1 : a > b ? 1 : 0;
}
