import type { Statement } from '../core/compare/compare-sql.ts';
import { InputError, QueryError } from '../core/errors.ts';
import { type Manifest, TABLE_NAME_PATTERN } from '../core/manifest/schema.ts';
import type { Profiler, ProfileSource, QueryEngine } from '../core/ports.ts';
import {
  GroupingSetsProfileReader,
  renderGroupingSetsSql,
  renderIdentifierSampleSql,
  type TableRef,
} from '../core/profile/grouping-sets-sql.ts';
import { refuseUnreadableInput } from '../core/profile/no-rows.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { type ProfileStageOutput, planFor } from './profile-stage.ts';

/**
 * Profiling a dataset registered as a table (manifest `table: { name }`): the counting plan runs
 * as one GROUPING SETS statement where the data already is, through the QueryEngine port — Athena
 * (Trino) over a table of the pipeline's Glue database in AWS, DuckDB over the files of
 * `tables/<name>/` locally — in the engine's own dialect. This is the path for data that outgrows
 * one Lambda: the engine is the distributed part.
 *
 * The table's values are the engine's text of its columns (`CAST(… AS VARCHAR)`), so numbers and
 * dates take the engine's spelling, and records the engine cannot read are its errors, not
 * malformed rows (see grouping-sets-sql.ts for what else differs from the streaming profiler).
 */

/**
 * A Profiler over tables: `source.key` is the table's name (checked against the manifest's
 * allow-list again, since it becomes SQL). The source's columns are those of one row of the
 * table (none when it is empty).
 */
export function tableProfiler(engine: QueryEngine): Profiler {
  return {
    async profile(plan, source, options) {
      if (!TABLE_NAME_PATTERN.test(source.key)) {
        throw new InputError(
          'INPUT_UNREADABLE',
          `${source.name}: not a table name; expected one matching ${TABLE_NAME_PATTERN.source}`,
        );
      }
      const table: TableRef = { name: [source.key] };
      const rows = (statement: Statement) => named(source.name, engine.rows(statement.sql, statement.params));
      let identifierSample: Awaited<ReturnType<QueryEngine['rows']>> | undefined;
      if (plan.sampleValuesForIdentifiers) {
        identifierSample = await rows(renderIdentifierSampleSql(plan, table, engine.dialect));
      }
      const reader = new GroupingSetsProfileReader(plan, identifierSample ? { identifierSample } : {});
      for (const row of await rows(renderGroupingSetsSql(plan, table, engine.dialect))) reader.add(row);
      const profile = reader.toProfile();
      const [first] = await rows({ sql: `SELECT * FROM ${source.key} LIMIT 1`, params: [] });
      options.onProgress({ bytes: source.bytes, rows: profile.rows.read });
      return { profile, header: first ? Object.keys(first) : [] };
    },
  };
}

/**
 * A statement the engine rejected, with the table named first: the likely causes are the table's
 * (not in the engine's catalogue, a column of the manifest missing). A retryable failure is
 * passed on as it is, for the state machine to retry.
 */
async function named<T>(name: string, running: Promise<T>): Promise<T> {
  try {
    return await running;
  } catch (error) {
    if (!(error instanceof QueryError) || error.retryable) throw error;
    throw new QueryError(
      `${name}: the query engine could not count it (expected a table of that name in its catalogue, with the manifest's columns): ${error.message}`,
      { cause: error, ...(error.reason === undefined ? {} : { reason: error.reason }) },
    );
  }
}

export interface TableStageInput {
  readonly engine: QueryEngine;
  /** The table's name, as the manifest's `table.name` gives it. */
  readonly table: string;
  readonly manifest: Manifest;
  readonly catalogue: ReferenceCatalogue;
}

/**
 * Profile, for a table: the plan (its references checked as for files) counted by the
 * {@link tableProfiler}. Provenance names the table (`table:<name>`); a table has no bytes to
 * count or hash, and its format is the manifest's `format` (Parquet when it does not say).
 */
export async function profileTableStage(input: TableStageInput): Promise<ProfileStageOutput> {
  const plan = planFor(input.manifest, input.catalogue);
  const source: ProfileSource = {
    key: input.table,
    name: `table ${input.table}`,
    format: input.manifest.format ?? 'parquet',
    compression: 'none',
    bytes: 0,
  };
  const counted = await tableProfiler(input.engine).profile(plan, source, {
    csv: {},
    onProgress: () => {},
  });
  refuseUnreadableInput(counted.profile, {
    name: source.name,
    kind: 'table',
    format: source.format,
    bytes: 0,
    header: counted.header,
  });
  return {
    profile: counted.profile,
    plan,
    fileColumns: counted.header,
    source: { uri: `table:${input.table}`, bytes: 0, format: source.format, compression: 'none' },
  };
}
