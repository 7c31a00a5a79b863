import type { SqlValue } from '../ports.ts';

/**
 * The compare join, written once in the dialect Trino (Athena engine v3) and DuckDB share: no `::`
 * casts, no DuckDB table functions, values only as `?` parameters. Table names come from this
 * module, never from input.
 */
export interface ReferenceMapping {
  /** The dataset attribute (or intersection) name in group_counts. */
  readonly attribute: string;
  readonly population: string;
  /** The attribute name in reference_populations. */
  readonly referenceAttribute: string;
}

export interface Statement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** Row shape of the compare query. */
export interface CompareRow {
  readonly attribute: string;
  readonly group: string;
  /** Null when the group exists only in the reference. */
  readonly count: number | null;
  readonly weightSum: number | null;
  readonly weightSqSum: number | null;
  readonly positives: number | null;
  readonly positiveWeightSum: number | null;
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
  let mapping: string;
  if (mappings.length === 0) {
    mapping =
      'mapping AS (SELECT CAST(NULL AS VARCHAR) AS attribute, CAST(NULL AS VARCHAR) AS population, CAST(NULL AS VARCHAR) AS reference_attribute WHERE 1 = 0)';
  } else {
    mapping = `mapping (attribute, population, reference_attribute) AS (VALUES ${mappings.map(() => '(?, ?, ?)').join(', ')})`;
    for (const m of mappings) params.push(m.attribute, m.population, m.referenceAttribute);
  }
  params.push(dataset, run);
  const sql = `WITH ${mapping},
counts AS (
  SELECT attribute, "group", "count", weight_sum, weight_sq_sum, positives, positive_weight_sum
  FROM group_counts
  WHERE dataset = ? AND run = ?
),
reference AS (
  SELECT m.attribute AS attribute, r."group" AS "group", r.share AS share, r."count" AS reference_count
  FROM reference_populations r
  JOIN mapping m ON r.population = m.population AND r.attribute = m.reference_attribute
)
SELECT
  COALESCE(c.attribute, f.attribute) AS attribute,
  COALESCE(c."group", f."group") AS "group",
  c."count" AS "count",
  c.weight_sum AS weight_sum,
  c.weight_sq_sum AS weight_sq_sum,
  c.positives AS positives,
  c.positive_weight_sum AS positive_weight_sum,
  f.share AS reference_share,
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
    count: num(r, 'count', i),
    weightSum: num(r, 'weight_sum', i),
    weightSqSum: num(r, 'weight_sq_sum', i),
    positives: num(r, 'positives', i),
    positiveWeightSum: num(r, 'positive_weight_sum', i),
    referenceShare: num(r, 'reference_share', i),
    referenceCount: num(r, 'reference_count', i),
  }));
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
