import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { QueryError } from '../../core/errors.ts';
import {
  type ColumnType,
  LAKE_TABLES,
  type LakeColumn,
  type LakeTable,
  partitionKeys,
  sqlColumn,
  tableFilesGlob,
} from '../../core/lake/tables.ts';
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
    for (const table of LAKE_TABLES) {
      const glob = path.join(this.root, tableFilesGlob(table));
      const body = (await this.hasFiles(table)) ? selectFiles(table, glob) : emptySelect(table);
      try {
        await connection.run(`CREATE OR REPLACE VIEW ${table.name} AS ${body}`);
      } catch (error) {
        throw new QueryError(
          `DuckDB could not read the ${table.name} table under ${this.root}: ${firstLine(error)}`,
          {
            cause: error,
          },
        );
      }
    }
  }

  /** True when some file `<prefix><first partition>=…/…/*.jsonl` exists. */
  private async hasFiles(table: LakeTable): Promise<boolean> {
    const partition = `${table.partitions[0]?.name ?? ''}=`;
    const ext = '.jsonl';
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
    return walk(path.join(this.root, table.prefix), 0);
  }
}

/** DuckDB's spelling of the catalogue's column types. */
const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
};

/** Partition keys first, then the rows' columns: the view's columns. */
function viewColumns(table: LakeTable): LakeColumn[] {
  return [...partitionKeys(table), ...table.columns];
}

/** The view of a table with no files yet: no rows, the same columns and types. */
function emptySelect(table: LakeTable): string {
  const columns = viewColumns(table).map(
    (c) => `CAST(NULL AS ${DUCKDB_TYPES[c.type]}) AS ${sqlColumn(c.name)}`,
  );
  return `SELECT ${columns.join(', ')} WHERE 1 = 0`;
}

/** The view over a table's files, typed as the catalogue says. */
function selectFiles(table: LakeTable, glob: string): string {
  const partitions = partitionKeys(table);
  const hive =
    partitions.length > 0
      ? `hive_partitioning = true, hive_types = {${partitions.map((c) => `${literal(c.name)}: ${literal(DUCKDB_TYPES[c.type])}`).join(', ')}}`
      : 'hive_partitioning = false';
  const types = table.columns.map((c) => `${literal(c.name)}: ${literal(DUCKDB_TYPES[c.type])}`);
  const names = viewColumns(table).map((c) => sqlColumn(c.name));
  return `SELECT ${names.join(', ')} FROM read_json(${literal(glob)}, format = 'newline_delimited', ${hive}, columns = {${types.join(', ')}})`;
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
