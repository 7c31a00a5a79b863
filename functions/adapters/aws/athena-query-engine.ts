import {
  AthenaClient,
  type AthenaClientConfig,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsOutput,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { QueryError } from '../../core/errors.ts';
import type { QueryEngine, SqlValue } from '../../core/ports.ts';
import { trinoDialect } from '../../core/profile/grouping-sets-dialect.ts';

export interface AthenaQueryEngineProps {
  /** The workgroup that runs repscope's queries (it sets the result location and encryption). */
  readonly workGroup: string;
  /** The Glue database that holds the lake tables. */
  readonly database: string;
  /**
   * The data catalog.
   * @default 'AwsDataCatalog'
   */
  readonly catalog?: string;
  /**
   * A client to use; built once per cold start by the caller.
   * @default - a new AthenaClient from `clientConfig` (credentials and region from the SDK's chain)
   */
  readonly client?: AthenaClient;
  /** @default - {} */
  readonly clientConfig?: AthenaClientConfig;
  /**
   * First wait between two status polls; each next wait doubles up to `maxPollIntervalMs`.
   * @default 200
   */
  readonly pollIntervalMs?: number;
  /** @default 5000 */
  readonly maxPollIntervalMs?: number;
  /**
   * How long a query may take from start to its last result page before it is stopped.
   * @default 300000 (5 minutes)
   */
  readonly timeoutMs?: number;
  /** @default 1000 (Athena's largest page) */
  readonly pageSize?: number;
  /** Waits `ms`; tests pass a faster clock. @default - setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Athena (Trino) behind the QueryEngine port. A statement runs in a workgroup with its values as
 * ExecutionParameters — never spliced into the SQL — and the engine polls its state with capped
 * exponential backoff, stops it on timeout, and reads every result page, converting each value by
 * the type Athena reports for its column. FAILED and CANCELLED become a QueryError carrying
 * Athena's reason. The SQL itself is written once for Trino and DuckDB (functions/core).
 */
export class AthenaQueryEngine implements QueryEngine {
  readonly dialect = trinoDialect;
  private readonly client: AthenaClient;
  private readonly props: AthenaQueryEngineProps;

  constructor(props: AthenaQueryEngineProps) {
    this.props = props;
    this.client = props.client ?? new AthenaClient(props.clientConfig ?? {});
  }

  async rows(sql: string, params: readonly SqlValue[] = []): Promise<Record<string, SqlValue>[]> {
    const started = Date.now();
    const timeoutMs = this.props.timeoutMs ?? 300_000;
    const id = await this.start(sql, params);
    const statementType = await this.waitForSuccess(id, started, timeoutMs);
    return this.results(id, started, timeoutMs, statementType);
  }

  private async start(sql: string, params: readonly SqlValue[]): Promise<string> {
    try {
      const out = await this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: this.props.workGroup,
          QueryExecutionContext: {
            Database: this.props.database,
            Catalog: this.props.catalog ?? 'AwsDataCatalog',
          },
          ...(params.length > 0 ? { ExecutionParameters: params.map(sqlLiteral) } : {}),
        }),
      );
      if (!out.QueryExecutionId) throw new QueryError('Athena started a query without an execution id');
      return out.QueryExecutionId;
    } catch (error) {
      if (error instanceof QueryError) throw error;
      throw new QueryError(
        `Athena refused the query in workgroup ${this.props.workGroup}: ${describe(error)}`,
        { cause: error, retryable: isThrottledOrUnreachable(error) },
      );
    }
  }

  /** Polls until the query succeeded; returns its statement type (DML, DDL, UTILITY). */
  private async waitForSuccess(id: string, started: number, timeoutMs: number): Promise<string | undefined> {
    const sleep = this.props.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    let wait = this.props.pollIntervalMs ?? 200;
    const maxWait = this.props.maxPollIntervalMs ?? 5000;
    for (;;) {
      const out = await this.client
        .send(new GetQueryExecutionCommand({ QueryExecutionId: id }))
        .catch((error: unknown) => {
          throw new QueryError(`Athena query ${id}: cannot read its state: ${describe(error)}`, {
            cause: error,
          });
        });
      const status = out.QueryExecution?.Status;
      const state = status?.State;
      if (state === 'SUCCEEDED') return out.QueryExecution?.StatementType;
      if (state === 'FAILED' || state === 'CANCELLED') {
        // Athena's message can quote values of the data (a field it could not parse), so it goes
        // into `reason` for the logs; the message, which reaches error reports, names the kind.
        const athena = status?.AthenaError;
        const kind =
          athena?.ErrorCategory !== undefined
            ? ` (${ERROR_CATEGORIES[athena.ErrorCategory] ?? 'other'} error, type ${athena.ErrorType ?? 'unknown'})`
            : '';
        throw new QueryError(`Athena query ${id} ${state}${kind}; Athena's console has its reason`, {
          retryable: athena?.Retryable === true,
          reason: athena?.ErrorMessage ?? status?.StateChangeReason ?? 'no reason given',
        });
      }
      if (Date.now() - started + wait > timeoutMs) await this.stopAfterTimeout(id, timeoutMs);
      await sleep(wait);
      wait = Math.min(maxWait, wait * 2);
    }
  }

  private async stopAfterTimeout(id: string, timeoutMs: number): Promise<never> {
    try {
      await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    } catch {
      // The timeout is the error to report; a failed stop leaves the workgroup's own limit.
    }
    throw new QueryError(`Athena query ${id} did not finish within ${timeoutMs} ms; it was stopped`);
  }

  private async results(
    id: string,
    started: number,
    timeoutMs: number,
    statementType: string | undefined,
  ): Promise<Record<string, SqlValue>[]> {
    const rows: Record<string, SqlValue>[] = [];
    let token: string | undefined;
    let columns: { name: string; type: string }[] | undefined;
    let first = true;
    do {
      if (Date.now() - started > timeoutMs) await this.stopAfterTimeout(id, timeoutMs);
      let page: GetQueryResultsOutput;
      try {
        page = await this.client.send(
          new GetQueryResultsCommand({
            QueryExecutionId: id,
            MaxResults: this.props.pageSize ?? 1000,
            ...(token ? { NextToken: token } : {}),
          }),
        );
      } catch (error) {
        throw new QueryError(`Athena query ${id}: cannot read its results: ${describe(error)}`, {
          cause: error,
        });
      }
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
        name: c.Name ?? c.Label ?? '',
        type: (c.Type ?? 'varchar').toLowerCase(),
      }));
      const data = page.ResultSet?.Rows ?? [];
      for (const [i, row] of data.entries()) {
        // A SELECT's (DML) first row on the first page repeats the column names.
        if (first && i === 0 && (statementType === 'DML' || isHeaderRow(row.Data ?? [], columns))) continue;
        const record: Record<string, SqlValue> = {};
        columns.forEach((column, j) => {
          record[column.name] = convert(row.Data?.[j]?.VarCharValue, column, id);
        });
        rows.push(record);
      }
      first = false;
      token = page.NextToken;
    } while (token);
    return rows;
  }
}

/**
 * One ExecutionParameters entry: Athena splices each into the statement as SQL text, so it must be
 * a literal — strings quoted with inner quotes doubled, numbers finite, booleans and NULL as words.
 */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new QueryError(`query parameter ${value} is not a finite number`);
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

function isHeaderRow(
  data: readonly { VarCharValue?: string }[],
  columns: readonly { name: string }[],
): boolean {
  return data.length === columns.length && columns.every((c, j) => data[j]?.VarCharValue === c.name);
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const FLOAT_TYPES = new Set(['double', 'float', 'real', 'decimal']);

/** Athena hands every value over as text; its column type says what it was. */
function convert(text: string | undefined, column: { name: string; type: string }, id: string): SqlValue {
  if (text === undefined) return null;
  const base = column.type.replace(/\(.*$/, '');
  if (INTEGER_TYPES.has(base) || FLOAT_TYPES.has(base)) {
    const value = Number(text);
    if (Number.isNaN(value) && text !== 'NaN') {
      throw new QueryError(`Athena query ${id}: column ${column.name} (${column.type}) holds a non-number`);
    }
    return value;
  }
  if (base === 'boolean') return text === 'true';
  return text;
}

/** Athena's error categories (AthenaError.ErrorCategory). */
const ERROR_CATEGORIES: Readonly<Record<number, string>> = { 1: 'system', 2: 'user', 3: 'other' };

/** Throttling, a 5xx or no answer at all: worth another try later. */
function isThrottledOrUnreachable(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined) return true;
  return status >= 500 || status === 429 || (error as Error).name === 'TooManyRequestsException';
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `${error.name}${status ? ` (HTTP ${status})` : ''}: ${error.message}`;
  }
  return String(error);
}
