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
  /** The files may leave it empty (an empty CSV cell reads as NULL, not as an error). @default false */
  readonly optional?: boolean;
}

/** A Hive-style folder level `<name>=<value>` below a table's prefix. */
export interface LakeFolder {
  readonly name: string;
  readonly type: ColumnType;
  /**
   * True: a partition column, its value only in the key. False: the rows carry the same value
   * themselves (reference CSVs have a `population` column, and Glue refuses a partition key that is
   * also a column), so the level only groups the files.
   */
  readonly partition: boolean;
}

export interface LakeTable {
  readonly name: string;
  /** Where its files start in the lake (the same key in S3 and in a local folder), with `/`. */
  readonly prefix: string;
  /** Folder levels below the prefix, outermost first; the files sit in the innermost. */
  readonly folders: readonly LakeFolder[];
  /** `jsonl`: JSON Lines, one object a row. `csv`: comma-separated with a header row. */
  readonly format: 'jsonl' | 'csv';
  /** The columns of the rows in the files, in file order (partition keys are not among them). */
  readonly columns: readonly LakeColumn[];
}

const string = (name: string): LakeColumn => ({ name, type: 'string' });
const double = (name: string): LakeColumn => ({ name, type: 'double' });
const runPartitions: readonly LakeFolder[] = [
  { name: 'dataset', type: 'string', partition: true },
  { name: 'run', type: 'string', partition: true },
];

/** `reference_populations`: the populations a run compares with, one CSV per population. */
export const referencePopulationsTable: LakeTable = {
  name: 'reference_populations',
  prefix: 'references/',
  folders: [{ name: 'population', type: 'string', partition: false }],
  format: 'csv',
  columns: [
    string('population'),
    string('attribute'),
    string('group'),
    { name: 'count', type: 'double', optional: true },
    double('share'),
    { name: 'source_year', type: 'int', optional: true },
  ],
};

/** `group_counts`: the counters of every group and cell of a run (see TALLY_FIELDS). */
export const groupCountsTable: LakeTable = {
  name: 'group_counts',
  prefix: 'lake/group_counts/',
  folders: runPartitions,
  format: 'jsonl',
  columns: [string('attribute'), string('group'), ...TALLY_FIELDS.map((f) => double(f.column))],
};

/** `group_metrics`: the per-group results of a run, for history across runs. */
export const groupMetricsTable: LakeTable = {
  name: 'group_metrics',
  prefix: 'lake/group_metrics/',
  folders: runPartitions,
  format: 'jsonl',
  columns: [
    string('attribute'),
    string('group'),
    ...['count', 'share', 'reference_share', 'ratio', 'ci_low', 'ci_high', 'p_value', 'p_adjusted'].map(
      double,
    ),
    string('status'),
  ],
};

/** Every table of the lake, in the order their views are created. */
export const LAKE_TABLES: readonly LakeTable[] = [
  referencePopulationsTable,
  groupCountsTable,
  groupMetricsTable,
];

/** The folder levels that are partition columns, outermost first. */
export function partitionKeys(table: LakeTable): LakeColumn[] {
  return table.folders.filter((f) => f.partition).map(({ name, type }) => ({ name, type }));
}

/** The glob of a table's files below the lake root: each folder level as `<name>=*`, then `*.<format>`. */
export function tableFilesGlob(table: LakeTable): string {
  return `${table.prefix}${table.folders.map((f) => `${f.name}=*/`).join('')}*.${table.format}`;
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
