import { groupCountsTable, referencePopulationsTable, sqlColumn } from '../lake/tables.ts';
import type { SqlValue } from '../ports.ts';
import { TALLY_FIELDS, type TallyKey } from '../profile/tally.ts';

/**
 * The compare join, written once in the dialect Trino (Athena engine v3) and DuckDB share: no `::`
 * casts, no DuckDB table functions, values only as `?` parameters. Table and column names come from
 * the lake's catalogue (lake/tables.ts), never from input.
 */
export interface ReferenceMapping {
  /** The dataset attribute (or intersection) name in group_counts. */
  readonly attribute: string;
  readonly population: string;
  /** The attribute name in reference_populations. */
  readonly referenceAttribute: string;
  /**
   * When `attribute` is an alias (`age_band@market-2026/age_band`: a further reference of an
   * attribute, issue #18), the group_counts attribute whose counts it compares.
   * @default - `attribute` itself is in group_counts
   */
  readonly counts?: string;
}

/** The alias under which a further reference's rows come back: `@` is in no attribute's name. */
export function referenceAlias(attribute: string, reference: string): string {
  return `${attribute}@${reference}`;
}

export interface Statement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** The counters of TALLY_FIELDS; null when the group exists only in the reference. */
export type CompareCounts = { readonly [K in TallyKey]: number | null };

/** Row shape of the compare query. */
export interface CompareRow extends CompareCounts {
  readonly attribute: string;
  readonly group: string;
  /** Null when the group exists only in the dataset, or the attribute has no reference. */
  readonly referenceShare: number | null;
  readonly referenceCount: number | null;
}

/**
 * group_counts of one run ⋈ reference_populations through the attribute → reference mapping, as a
 * FULL OUTER JOIN so reference groups absent from the data and data groups absent from the
 * reference both appear. Group names match case-insensitively; the dataset's spelling wins.
 */
export function compareStatement(
  dataset: string,
  run: string,
  mappings: readonly ReferenceMapping[],
): Statement {
  const params: SqlValue[] = [];
  const referenceParams: SqlValue[] = [];
  let mapping: string;
  let reference: string;
  if (mappings.length === 0) {
    mapping =
      'mapping AS (SELECT CAST(NULL AS VARCHAR) AS attribute, CAST(NULL AS VARCHAR) AS population, CAST(NULL AS VARCHAR) AS reference_attribute WHERE 1 = 0)';
    reference =
      'reference AS (SELECT CAST(NULL AS VARCHAR) AS attribute, CAST(NULL AS VARCHAR) AS "group", CAST(NULL AS DOUBLE) AS share, CAST(NULL AS DOUBLE) AS reference_count WHERE 1 = 0)';
  } else {
    mapping = `mapping (attribute, population, reference_attribute) AS (VALUES ${mappings.map(() => '(?, ?, ?)').join(', ')})`;
    for (const m of mappings) params.push(m.attribute, m.population, m.referenceAttribute);
    // Athena projects the population partition from the query: it must name the populations.
    const populations = [...new Set(mappings.map((m) => m.population))];
    reference = `reference AS (
  SELECT m.attribute AS attribute, r."group" AS "group", r.share AS share, r."count" AS reference_count
  FROM ${referencePopulationsTable.name} r
  JOIN mapping m ON r.population = m.population AND r.attribute = m.reference_attribute
  WHERE r.population IN (${populations.map(() => '?').join(', ')})
)`;
    referenceParams.push(...populations);
  }
  const counters = TALLY_FIELDS.map((f) => sqlColumn(f.column));
  const aliases = mappings.filter((m) => m.counts !== undefined);
  let aliasing = '';
  let aliasCounts = '';
  if (aliases.length > 0) {
    // One statement still: a further reference reads the same counts under its alias.
    aliasing = `aliases (alias, attribute) AS (VALUES ${aliases.map(() => '(?, ?)').join(', ')}),
`;
    for (const a of aliases) params.push(a.attribute, a.counts!);
    aliasCounts = `
  UNION ALL
  SELECT a.alias AS attribute, g."group", ${counters.map((c) => `g.${c}`).join(', ')}
  FROM ${groupCountsTable.name} g
  JOIN aliases a ON g.attribute = a.attribute
  WHERE g.dataset = ? AND g.run = ?`;
  }
  params.push(dataset, run);
  if (aliases.length > 0) params.push(dataset, run);
  params.push(...referenceParams);
  const sql = `WITH ${mapping},
${aliasing}counts AS (
  SELECT attribute, "group", ${counters.join(', ')}
  FROM ${groupCountsTable.name}
  WHERE dataset = ? AND run = ?${aliasCounts}
),
${reference}
SELECT
  COALESCE(c.attribute, f.attribute) AS attribute,
  COALESCE(c."group", f."group") AS "group",
${counters.map((c) => `  c.${c} AS ${c},\n`).join('')}  f.share AS reference_share,
  f.reference_count AS reference_count
FROM counts c
FULL OUTER JOIN reference f ON c.attribute = f.attribute AND lower(c."group") = lower(f."group")
ORDER BY 1, 2`;
  return { sql, params };
}

/** Reads the engine's rows into CompareRow, checking each field's type. */
export function toCompareRows(rows: readonly Record<string, SqlValue>[]): CompareRow[] {
  return rows.map((r, i) => ({
    attribute: text(r, 'attribute', i),
    group: text(r, 'group', i),
    ...counts(r, i),
    referenceShare: num(r, 'reference_share', i),
    referenceCount: num(r, 'reference_count', i),
  }));
}

function counts(row: Record<string, SqlValue>, i: number): CompareCounts {
  return Object.fromEntries(TALLY_FIELDS.map((f) => [f.key, num(row, f.column, i)])) as CompareCounts;
}

function text(row: Record<string, SqlValue>, key: string, i: number): string {
  const v = row[key];
  if (typeof v !== 'string') throw new TypeError(`compare query row ${i + 1}: expected text in ${key}`);
  return v;
}

function num(row: Record<string, SqlValue>, key: string, i: number): number | null {
  const v = row[key];
  if (v === null || v === undefined) return null;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new TypeError(`compare query row ${i + 1}: expected a number in ${key}`);
  }
  return n;
}
