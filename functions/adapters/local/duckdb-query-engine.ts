import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { InputError, QueryError, RepscopeError } from '../../core/errors.ts';
import { lakeKeys } from '../../core/lake/layout.ts';
import {
  type ColumnType,
  LAKE_TABLES,
  type LakeColumn,
  type LakeTable,
  partitionKeys,
  sqlColumn,
  tableFilesGlob,
} from '../../core/lake/tables.ts';
import { TABLE_NAME_PATTERN } from '../../core/manifest/schema.ts';
import type { QueryEngine, SqlValue } from '../../core/ports.ts';
import { duckdbDialect } from '../../core/profile/grouping-sets-dialect.ts';
import { type DataFormat, detectFormat } from '../../core/scan/format.ts';

/**
 * DuckDB standing in for Athena over the same lake layout. The lake tables are views over the
 * files below `root`; they are re-created before each statement so new runs are visible, and a
 * table with no files yet is an empty view with the same columns. Each folder `tables/<name>/`
 * (the data tables manifests register with `table: { name }`) is a view `<name>` over its files,
 * as a Glue table over the same folder would be in Athena.
 */
export class DuckDbQueryEngine implements QueryEngine {
  readonly dialect = duckdbDialect;
  private connection: Promise<DuckDBConnection> | undefined;
  private instance: DuckDBInstance | undefined;

  constructor(
    private readonly root: string,
    private readonly options: { threads?: number } = {},
  ) {}

  async rows(sql: string, params: readonly SqlValue[] = []): Promise<Record<string, SqlValue>[]> {
    const connection = await this.connect();
    await this.createViews(connection);
    await this.createDataTableViews(connection, sql);
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

  /**
   * One view per folder `tables/<name>/` with data files that the statement names: a folder with
   * files it cannot read fails only the statements that read it.
   */
  private async createDataTableViews(connection: DuckDBConnection, sql: string): Promise<void> {
    for (const folder of await entries(path.join(this.root, lakeKeys.tables))) {
      if (!folder.isDirectory() || !TABLE_NAME_PATTERN.test(folder.name)) continue;
      if (!new RegExp(`(^|[^a-z0-9_])${folder.name}($|[^a-z0-9_])`, 'i').test(sql)) continue;
      const files = await dataFiles(path.join(this.root, lakeKeys.tableFolder(folder.name)));
      if (files.length === 0) continue;
      const body = dataTableSelect(folder.name, files);
      try {
        await connection.run(`CREATE OR REPLACE VIEW ${folder.name} AS ${body}`);
      } catch (error) {
        throw new QueryError(
          `DuckDB could not read the table ${folder.name} (${lakeKeys.tableFolder(folder.name)} under ${this.root}): ${firstLine(error)}`,
          { cause: error },
        );
      }
    }
  }

  /** True when some file `<prefix><first partition>=…/…/*.jsonl` exists. */
  private async hasFiles(table: LakeTable): Promise<boolean> {
    const partition = `${table.partitions[0]?.name ?? ''}=`;
    const ext = '.jsonl';
    const walk = async (at: string, depth: number): Promise<boolean> => {
      let entries: Dirent[];
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

async function entries(folder: string): Promise<Dirent[]> {
  try {
    return await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** The files below a folder, hidden ones left out, sorted. */
async function dataFiles(folder: string): Promise<string[]> {
  const found = await readdir(folder, { withFileTypes: true, recursive: true });
  return found
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/**
 * The SELECT a data table's view is made of: its files by their one format (Parquet; CSV with a
 * header, read as text; JSON Lines; the text formats optionally gzip), columns matched by name.
 */
function dataTableSelect(name: string, files: readonly string[]): string {
  const formats = new Set<DataFormat>();
  for (const file of files) {
    try {
      formats.add(detectFormat(file).format);
    } catch (error) {
      if (!(error instanceof RepscopeError)) throw error;
      throw new InputError('INPUT_FORMAT', `table ${name}: ${error.message}`, { cause: error });
    }
  }
  if (formats.size > 1) {
    throw new InputError(
      'INPUT_FORMAT',
      `table ${name}: its folder ${lakeKeys.tableFolder(name)} mixes ${[...formats].join(' and ')} files; expected one format`,
    );
  }
  const list = `[${files.map(literal).join(', ')}]`;
  switch ([...formats][0]!) {
    case 'parquet':
      return `SELECT * FROM read_parquet(${list}, union_by_name = true)`;
    case 'csv':
      return `SELECT * FROM read_csv(${list}, header = true, all_varchar = true, union_by_name = true)`;
    case 'jsonl':
      return `SELECT * FROM read_json(${list}, format = 'newline_delimited', union_by_name = true)`;
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
