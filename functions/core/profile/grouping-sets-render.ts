import type { Statement } from '../compare/compare-sql.ts';
import { InputError } from '../errors.ts';
import type { SqlValue } from '../ports.ts';
import {
  MAX_DOUBLE,
  NUMBER_PATTERN,
  normaliseSql,
  quoteIdentifier,
  type SqlDialect,
  trimSql,
} from './grouping-sets-dialect.ts';
import {
  type AttributePlan,
  type CountingPlan,
  LABEL_MISSING,
  LABEL_NEGATIVE,
  LABEL_OTHER,
  LABEL_POSITIVE,
  type LabelPlan,
} from './plan.ts';
import { IDENTIFIER_SAMPLE_ROWS } from './profile.ts';
import { TALLY_FIELDS, type TallyKey } from './tally.ts';

/**
 * The counting plan rendered as one `GROUP BY GROUPING SETS` statement (and the identifier
 * sample's statement), and the names and codes of the statement's rows, which
 * grouping-sets-read.ts reads back. See grouping-sets-sql.ts for the semantics.
 */

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

/**
 * The tally columns of the statement's rows, one per field of TALLY_FIELDS: the lake's column
 * names, except `row_count` for `count` (an alias that does not read as the aggregate's name).
 */
const TALLY_COLUMNS = Object.fromEntries(
  TALLY_FIELDS.map((f) => [f.key, f.key === 'count' ? 'row_count' : f.column]),
) as { readonly [K in TallyKey]: string };

/** Column names of the statement's rows (all lower case: Athena returns them as written). */
export const GROUPING_SETS_COLUMNS = {
  rowsSet: 'set_rows',
  status: 'row_status',
  ...TALLY_COLUMNS,
  attributeSet: (i: number) => `set_a${i}`,
  kind: (i: number) => `kind${i}`,
  group: (i: number) => `grp${i}`,
  sampleValue: (c: number) => `c${c}`,
} as const;

/** `row_status` values. */
export const USED = 0;
export const EXCLUDED_NO_CONSENT = 1;
export const MALFORMED = 2;
/** `kind<i>` values; null marks rows that are not counted (excluded or malformed). */
export const GROUP = 0;
export const MISSING = 1;
export const UNMAPPED = 2;

/** The grouping sets: one per attribute, one per distinct member set of the intersections. */
interface GroupingSet {
  /** Attribute indices, in the order of the first intersection (or attribute) that asked for them. */
  readonly attributes: readonly number[];
}

/** The key of a grouping set: its distinct attribute indices, sorted. */
export function setKey(attributes: readonly number[]): string {
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
  classified.push(`${labelStateSql(plan.label, p)} AS label_state`);
  plan.attributes.forEach((a, i) => {
    const c = a.columnIndex;
    const missing = a.missing.size > 0 ? `v${c} IS NULL OR ${p.in(`k${c}`, a.missing)}` : `v${c} IS NULL`;
    classified.push(`CASE WHEN ${missing} THEN 1 ELSE 0 END AS miss${i}`);
    classified.push(`${mappingSql(a, p)} AS hit${i}`);
  });

  const counted = [
    'row_status',
    `CASE WHEN row_status = ${USED} THEN w END AS w`,
    `CASE WHEN row_status = ${USED} AND label_state = ${LABEL_POSITIVE} THEN 1 ELSE 0 END AS positive`,
    `CASE WHEN row_status = ${USED} THEN label_state ELSE ${LABEL_NEGATIVE} END AS label_state`,
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
    ...TALLY_FIELDS.map((f) => `${f.aggregate} AS ${C[f.key]}`),
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

/** The row's label state, in the order of `labelStateOf`: positive, negative, missing, other. */
function labelStateSql(label: LabelPlan | null, p: Params): string {
  if (label === null) return `${LABEL_NEGATIVE}`;
  const k = `k${label.columnIndex}`;
  const whens = [
    `WHEN v${label.columnIndex} IS NULL THEN ${LABEL_MISSING}`,
    `WHEN ${p.in(k, label.values)} THEN ${LABEL_POSITIVE}`,
  ];
  if (label.negative !== null) whens.push(`WHEN ${p.in(k, label.negative)} THEN ${LABEL_NEGATIVE}`);
  whens.push(`WHEN ${p.in(k, label.missing)} THEN ${LABEL_MISSING}`);
  const otherwise = label.negative === null ? LABEL_NEGATIVE : LABEL_OTHER;
  return `CASE ${whens.join(' ')} ELSE ${otherwise} END`;
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
