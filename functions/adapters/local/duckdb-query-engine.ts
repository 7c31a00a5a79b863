import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { QueryError } from '../../core/errors.ts';
import type { QueryEngine, SqlValue } from '../../core/ports.ts';

/**
 * DuckDB standing in for Athena over the same lake layout. The lake tables are views over the
 * files below `root`; they are re-created before each statement so new runs are visible, and a
 * table with no files yet is an empty view with the same columns.
 */
export class DuckDbQueryEngine implements QueryEngine {
  private connection: Promise<DuckDBConnection> | undefined;
  private instance: DuckDBInstance | undefined;

  constructor(
    private readonly root: string,
    private readonly options: { threads?: number } = {},
  ) {}

  async rows(sql: string, params: readonly SqlValue[] = []): Promise<Record<string, SqlValue>[]> {
    const connection = await this.connect();
    await this.createViews(connection);
    try {
      const reader = await connection.runAndReadAll(sql, params as SqlValue[]);
      return reader.getRowObjectsJS().map((row) => {
        const out: Record<string, SqlValue> = {};
        for (const [key, value] of Object.entries(row)) out[key] = toSqlValue(value);
        return out;
      });
    } catch (error) {
      throw new QueryError(`DuckDB could not run the statement: ${firstLine(error)}`, { cause: error });
    }
  }

  close(): void {
    this.instance?.closeSync();
    this.instance = undefined;
    this.connection = undefined;
  }

  private connect(): Promise<DuckDBConnection> {
    this.connection ??= (async () => {
      this.instance = await DuckDBInstance.create(':memory:', {
        threads: String(this.options.threads ?? 2),
      });
      return this.instance.connect();
    })();
    return this.connection;
  }

  private async createViews(connection: DuckDBConnection): Promise<void> {
    const tables: [string, string, () => Promise<boolean>, (glob: string) => string][] = [
      [
        'reference_populations',
        `CAST(NULL AS VARCHAR) AS population, CAST(NULL AS VARCHAR) AS attribute, CAST(NULL AS VARCHAR) AS "group", CAST(NULL AS DOUBLE) AS "count", CAST(NULL AS DOUBLE) AS share, CAST(NULL AS INTEGER) AS source_year`,
        () => this.hasFiles('references', 'population=', '.csv'),
        (glob) =>
          `SELECT population, attribute, "group", TRY_CAST(NULLIF("count", '') AS DOUBLE) AS "count", CAST(share AS DOUBLE) AS share, TRY_CAST(NULLIF(source_year, '') AS INTEGER) AS source_year FROM read_csv(${literal(glob)}, header = true, all_varchar = true, hive_partitioning = false)`,
      ],
      [
        'group_counts',
        `CAST(NULL AS VARCHAR) AS dataset, CAST(NULL AS VARCHAR) AS run, CAST(NULL AS VARCHAR) AS attribute, CAST(NULL AS VARCHAR) AS "group", CAST(NULL AS DOUBLE) AS "count", CAST(NULL AS DOUBLE) AS weight_sum, CAST(NULL AS DOUBLE) AS weight_sq_sum, CAST(NULL AS DOUBLE) AS positives, CAST(NULL AS DOUBLE) AS positive_weight_sum`,
        () => this.hasFiles('lake/group_counts', 'dataset=', '.jsonl'),
        (glob) =>
          `SELECT dataset, run, attribute, "group", "count", weight_sum, weight_sq_sum, positives, positive_weight_sum FROM read_json(${literal(glob)}, format = 'newline_delimited', hive_partitioning = true, hive_types = {'dataset': 'VARCHAR', 'run': 'VARCHAR'}, columns = {'attribute': 'VARCHAR', 'group': 'VARCHAR', 'count': 'DOUBLE', 'weight_sum': 'DOUBLE', 'weight_sq_sum': 'DOUBLE', 'positives': 'DOUBLE', 'positive_weight_sum': 'DOUBLE'})`,
      ],
      [
        'group_metrics',
        `CAST(NULL AS VARCHAR) AS dataset, CAST(NULL AS VARCHAR) AS run, CAST(NULL AS VARCHAR) AS attribute, CAST(NULL AS VARCHAR) AS "group", CAST(NULL AS DOUBLE) AS "count", CAST(NULL AS DOUBLE) AS share, CAST(NULL AS DOUBLE) AS reference_share, CAST(NULL AS DOUBLE) AS ratio, CAST(NULL AS DOUBLE) AS ci_low, CAST(NULL AS DOUBLE) AS ci_high, CAST(NULL AS DOUBLE) AS p_value, CAST(NULL AS DOUBLE) AS p_adjusted, CAST(NULL AS VARCHAR) AS status`,
        () => this.hasFiles('lake/group_metrics', 'dataset=', '.jsonl'),
        (glob) =>
          `SELECT dataset, run, attribute, "group", "count", share, reference_share, ratio, ci_low, ci_high, p_value, p_adjusted, status FROM read_json(${literal(glob)}, format = 'newline_delimited', hive_partitioning = true, hive_types = {'dataset': 'VARCHAR', 'run': 'VARCHAR'}, columns = {'attribute': 'VARCHAR', 'group': 'VARCHAR', 'count': 'DOUBLE', 'share': 'DOUBLE', 'reference_share': 'DOUBLE', 'ratio': 'DOUBLE', 'ci_low': 'DOUBLE', 'ci_high': 'DOUBLE', 'p_value': 'DOUBLE', 'p_adjusted': 'DOUBLE', 'status': 'VARCHAR'})`,
      ],
    ];
    for (const [name, emptyColumns, exists, select] of tables) {
      const dir =
        name === 'reference_populations'
          ? 'references/population=*/*.csv'
          : `lake/${name}/dataset=*/run=*/*.jsonl`;
      const glob = path.join(this.root, dir);
      const body = (await exists()) ? select(glob) : `SELECT ${emptyColumns} WHERE 1 = 0`;
      try {
        await connection.run(`CREATE OR REPLACE VIEW ${name} AS ${body}`);
      } catch (error) {
        throw new QueryError(
          `DuckDB could not read the ${name} table under ${this.root}: ${firstLine(error)}`,
          {
            cause: error,
          },
        );
      }
    }
  }

  /** True when some file `<dir>/<partition>…/…<ext>` exists. */
  private async hasFiles(dir: string, partition: string, ext: string): Promise<boolean> {
    const walk = async (at: string, depth: number): Promise<boolean> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(at, { withFileTypes: true });
      } catch {
        return false;
      }
      for (const e of entries) {
        if (e.isFile() && depth > 0 && e.name.endsWith(ext)) return true;
        if (
          e.isDirectory() &&
          (depth > 0 || e.name.startsWith(partition)) &&
          (await walk(path.join(at, e.name), depth + 1))
        ) {
          return true;
        }
      }
      return false;
    };
    return walk(path.join(this.root, dir), 0);
  }
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function toSqlValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
