import type { GroupCount, Profile } from '../profile/profile.ts';
import { TALLY_FIELDS } from '../profile/tally.ts';

/**
 * The lake's tables (DESIGN.md "Lake layout"): name, key prefix, folder levels, partition keys
 * and typed columns, spelled once. The DuckDB adapter generates its views from this catalogue,
 * and the Glue tables (with partition projection) are meant to be generated from it too, so the
 * two engines cannot disagree on a column. Public contract: governance teams query these tables.
 */

/** Column types that Glue/Athena (Hive DDL) and DuckDB both understand. */
export type ColumnType = 'string' | 'int' | 'bigint' | 'double';

export interface LakeColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/**
 * A table of the lake: JSON Lines files (one object a row, nulls as null) below
 * `<prefix><partition>=<value>/…/`. JSON Lines rather than CSV because Athena's CSV SerDe cannot
 * read an empty cell as a NULL number, and its columns are matched by name, not by position.
 */
export interface LakeTable {
  readonly name: string;
  /** Where its files start in the lake (the same key in S3 and in a local folder), with `/`. */
  readonly prefix: string;
  /**
   * Hive-style folder levels `<name>=<value>` below the prefix, outermost first: partition
   * columns, their value only in the key, never repeated in the rows. In Athena they are projected
   * (`injected`), so every query names their values with `=` or `IN` and reads only those folders.
   */
  readonly partitions: readonly LakeColumn[];
  /** The columns of the rows in the files. */
  readonly columns: readonly LakeColumn[];
}

const string = (name: string): LakeColumn => ({ name, type: 'string' });
const double = (name: string): LakeColumn => ({ name, type: 'double' });
const runPartitions: readonly LakeColumn[] = [string('dataset'), string('run')];

/**
 * `reference_populations`: the populations a run compares with, one file per population. Users
 * drop their own reference CSVs beside these folders (`references/<name>.csv`); the table never
 * reads them, only the `population=` folders written from the catalogue.
 */
export const referencePopulationsTable: LakeTable = {
  name: 'reference_populations',
  prefix: 'references/',
  partitions: [string('population')],
  columns: [
    string('attribute'),
    string('group'),
    double('count'),
    double('share'),
    { name: 'source_year', type: 'int' },
  ],
};

/** `group_counts`: the counters of every group and cell of a run (see TALLY_FIELDS). */
export const groupCountsTable: LakeTable = {
  name: 'group_counts',
  prefix: 'lake/group_counts/',
  partitions: runPartitions,
  columns: [string('attribute'), string('group'), ...TALLY_FIELDS.map((f) => double(f.column))],
};

/** `group_metrics`: the per-group results of a run, for history across runs. */
export const groupMetricsTable: LakeTable = {
  name: 'group_metrics',
  prefix: 'lake/group_metrics/',
  partitions: runPartitions,
  columns: [
    string('attribute'),
    string('group'),
    ...['count', 'share', 'reference_share', 'ratio', 'ci_low', 'ci_high', 'p_value', 'p_adjusted'].map(
      double,
    ),
    string('status'),
  ],
};

/**
 * `runs`: one row per run with what its report says at the top (times, version, trigger, status,
 * rows), so history is one SQL statement over `runs` and `group_metrics` (issue #11).
 */
export const runsTable: LakeTable = {
  name: 'runs',
  prefix: 'lake/runs/',
  partitions: runPartitions,
  columns: [
    string('started_at'),
    string('finished_at'),
    string('version'),
    string('reason'),
    string('status'),
    { name: 'rows_read', type: 'bigint' },
    { name: 'rows_used', type: 'bigint' },
  ],
};

/** Every table of the lake, in the order their views are created. */
export const LAKE_TABLES: readonly LakeTable[] = [
  referencePopulationsTable,
  groupCountsTable,
  groupMetricsTable,
  runsTable,
];

/** The partition columns, outermost first. */
export function partitionKeys(table: LakeTable): readonly LakeColumn[] {
  return table.partitions;
}

/** The key of one file of a table: `<prefix><p1>=<v1>/…/<file>.jsonl`, values in partition order. */
export function tableFileKey(table: LakeTable, values: readonly string[], file = 'part-00000'): string {
  if (values.length !== table.partitions.length) {
    throw new RangeError(
      `${table.name} has ${table.partitions.length} partitions, received ${values.length} values`,
    );
  }
  return `${table.prefix}${table.partitions.map((p, i) => `${p.name}=${values[i]}/`).join('')}${file}.jsonl`;
}

/** The glob of a table's files below the lake root: each partition level as `<name>=*`, then `*.jsonl`. */
export function tableFilesGlob(table: LakeTable): string {
  return `${table.prefix}${table.partitions.map((p) => `${p.name}=*/`).join('')}*.jsonl`;
}

/** Names that every statement over the lake quotes, as they are also SQL words. */
const QUOTED_COLUMNS: ReadonlySet<string> = new Set(['group', 'count']);

/** A lake column as SQL spells it: `"group"`, `"count"`, other names bare (they are [a-z_]). */
export function sqlColumn(name: string): string {
  return QUOTED_COLUMNS.has(name) ? `"${name}"` : name;
}

/**
 * Rows of the group_counts table for one run: marginals and intersections alike. `dataset` and
 * `run` are partition columns (in the key), so they are not repeated in the rows.
 */
export function groupCountRows(profile: Profile): Record<string, string | number>[] {
  const row = (attribute: string, g: GroupCount): Record<string, string | number> => {
    const out: Record<string, string | number> = { attribute, group: g.group };
    for (const f of TALLY_FIELDS) out[f.column] = g[f.key];
    return out;
  };
  return [
    ...profile.attributes.flatMap((a) => a.groups.map((g) => row(a.name, g))),
    ...profile.intersections.flatMap((x) => x.cells.map((g) => row(x.name, g))),
  ];
}

/** Rows as JSON Lines: one object a line, each line ended by a newline. */
export function toJsonLines(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
}
