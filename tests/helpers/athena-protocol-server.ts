import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DuckDbQueryEngine } from '../../functions/adapters/local/duckdb-query-engine.ts';
import { lakeKeys } from '../../functions/core/lake/layout.ts';
import { LAKE_TABLES } from '../../functions/core/lake/tables.ts';
import type { ObjectStore, SqlValue } from '../../functions/core/ports.ts';
import { trinoToDuckDb } from './trino-to-duckdb.ts';

/**
 * A loopback server that speaks Athena's JSON 1.1 protocol for the calls repscope makes
 * (StartQueryExecution, GetQueryExecution, GetQueryResults, StopQueryExecution) and runs each
 * statement in DuckDB over the lake in an S3 bucket (read through the ObjectStore port, so it sees
 * what an S3 server holds). ExecutionParameters are spliced into the statement's `?` marks as SQL
 * text, as Athena does; Trino's spellings of a few functions become DuckDB's (`trinoToDuckDb`).
 * The data tables under `tables/<name>/` are tables of that name, as Glue tables over those
 * folders would be. Faults are injected on request: queued polls, failed or cancelled queries,
 * queries that never finish, slow result pages, throttled starts, result pages that fail.
 */
export interface AthenaFaults {
  /** GetQueryExecution answers QUEUED this many times before the query runs. @default 0 */
  queuedPolls?: number;
  /** The next query ends in this state with this reason instead of running (retryable: Athena's flag). */
  failNext?: { state: 'FAILED' | 'CANCELLED'; reason: string; retryable?: boolean };
  /** The next query stays RUNNING until it is stopped. */
  hangNext?: boolean;
  /** Each GetQueryResults waits this long. @default 0 */
  pageDelayMs?: number;
  /**
   * StartQueryExecution answers TooManyRequestsException (HTTP 400, Athena's throttling error)
   * this many times before it starts a query. @default 0
   */
  throttleStarts?: number;
  /**
   * GetQueryResults of a page after the first answers InternalServerException (HTTP 500) this many
   * times (a results read that fails midway). @default 0
   */
  failLaterPages?: number;
}

interface Execution {
  readonly id: string;
  readonly sql: string;
  readonly workGroup: string;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  retryable?: boolean;
  pollsLeftQueued: number;
  hang: boolean;
  columns?: { name: string; type: string }[];
  rows?: SqlValue[][];
  done?: Promise<void>;
}

export interface AthenaProtocolServer {
  readonly endpoint: string;
  /** Every statement as Athena received it (parameters spliced in, in Trino's dialect), in order. */
  readonly statements: string[];
  /** Calls by operation name, e.g. `GetQueryExecution`. */
  readonly calls: Map<string, number>;
  readonly stopped: string[];
  faults: AthenaFaults;
  stop(): Promise<void>;
}

export async function startAthenaProtocolServer(lake: ObjectStore): Promise<AthenaProtocolServer> {
  const executions = new Map<string, Execution>();
  const statements: string[] = [];
  const calls = new Map<string, number>();
  const stopped: string[] = [];
  const state: { faults: AthenaFaults } = { faults: {} };

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    async StartQueryExecution(body) {
      if ((state.faults.throttleStarts ?? 0) > 0) {
        state.faults.throttleStarts! -= 1;
        throw new ProtocolError('TooManyRequestsException', 'Rate exceeded', 400);
      }
      const sql = String(body['QueryString'] ?? '');
      const workGroup = String(body['WorkGroup'] ?? '');
      if (sql === '') throw new ProtocolError('InvalidRequestException', 'QueryString is required');
      if (workGroup === '') throw new ProtocolError('InvalidRequestException', 'WorkGroup is required here');
      const params = (body['ExecutionParameters'] as string[] | undefined) ?? [];
      const execution: Execution = {
        id: randomUUID(),
        sql,
        workGroup,
        state: 'QUEUED',
        pollsLeftQueued: state.faults.queuedPolls ?? 0,
        hang: state.faults.hangNext === true,
      };
      state.faults.hangNext = false;
      executions.set(execution.id, execution);
      const failure = state.faults.failNext;
      state.faults.failNext = undefined;
      if (failure) {
        execution.state = failure.state;
        execution.reason = failure.reason;
        execution.retryable = failure.retryable === true;
      } else {
        execution.done = run(execution, params);
      }
      return { QueryExecutionId: execution.id };
    },
    async GetQueryExecution(body) {
      const execution = find(body);
      let shown = execution.state;
      if (
        execution.pollsLeftQueued > 0 &&
        (shown === 'RUNNING' || shown === 'SUCCEEDED' || shown === 'QUEUED')
      ) {
        execution.pollsLeftQueued--;
        shown = 'QUEUED';
      } else if (execution.hang && execution.state !== 'CANCELLED') {
        shown = 'RUNNING';
      } else if (execution.state === 'QUEUED' || execution.state === 'RUNNING') {
        await execution.done;
        shown = execution.state;
      }
      return {
        QueryExecution: {
          QueryExecutionId: execution.id,
          Query: execution.sql,
          WorkGroup: execution.workGroup,
          StatementType: /^\s*(SELECT|WITH)\b/i.test(execution.sql) ? 'DML' : 'DDL',
          Status: {
            State: shown,
            ...(execution.reason && (shown === 'FAILED' || shown === 'CANCELLED')
              ? {
                  StateChangeReason: execution.reason,
                  AthenaError: {
                    ErrorCategory: 2,
                    ErrorType: 1006,
                    Retryable: execution.retryable === true,
                    ErrorMessage: execution.reason,
                  },
                }
              : {}),
          },
        },
      };
    },
    async GetQueryResults(body) {
      const execution = find(body);
      if (execution.state !== 'SUCCEEDED') {
        throw new ProtocolError(
          'InvalidRequestException',
          `Query has not yet finished. Current state: ${execution.state}`,
        );
      }
      if (state.faults.pageDelayMs)
        await new Promise((resolve) => setTimeout(resolve, state.faults.pageDelayMs));
      const max = Math.min(Number(body['MaxResults'] ?? 1000), 1000);
      const columns = execution.columns ?? [];
      // Athena's first row of a SELECT repeats the column names.
      const all = [columns.map((c) => c.name as SqlValue), ...(execution.rows ?? [])];
      const offset = Number(body['NextToken'] ?? 0);
      if (offset > 0 && (state.faults.failLaterPages ?? 0) > 0) {
        state.faults.failLaterPages! -= 1;
        throw new ProtocolError('InternalServerException', 'We encountered an internal error', 500);
      }
      const page = all.slice(offset, offset + max);
      const next = offset + max < all.length ? String(offset + max) : undefined;
      return {
        ResultSet: {
          Rows: page.map((row) => ({
            Data: row.map((value) => (value === null ? {} : { VarCharValue: String(value) })),
          })),
          ResultSetMetadata: {
            ColumnInfo: columns.map((c) => ({
              Name: c.name,
              Label: c.name,
              Type: c.type,
              CatalogName: 'hive',
            })),
          },
        },
        ...(next ? { NextToken: next } : {}),
      };
    },
    async StopQueryExecution(body) {
      const execution = find(body);
      if (execution.state === 'QUEUED' || execution.state === 'RUNNING' || execution.hang) {
        execution.state = 'CANCELLED';
        execution.reason = 'Query was cancelled by the user';
        execution.hang = false;
      }
      stopped.push(execution.id);
      return {};
    },
  };

  function find(body: Record<string, unknown>): Execution {
    const id = String(body['QueryExecutionId'] ?? '');
    const execution = executions.get(id);
    if (!execution) throw new ProtocolError('InvalidRequestException', `QueryExecution ${id} was not found`);
    return execution;
  }

  async function run(execution: Execution, params: readonly string[]): Promise<void> {
    execution.state = 'RUNNING';
    const root = await mkdtemp(path.join(os.tmpdir(), 'athena-'));
    const engine = new DuckDbQueryEngine(root, { threads: 1 });
    try {
      const sql = spliceParameters(execution.sql, params);
      statements.push(sql);
      checkProjectedPartitions(sql);
      await copyLake(lake, root);
      const rows = await engine.rows(trinoToDuckDb(sql));
      // With no rows there are no names to report: callers get an empty list either way.
      const names = rows.length > 0 ? Object.keys(rows[0]!) : [];
      execution.columns = names.map((name) => ({ name, type: typeOf(rows.map((r) => r[name] ?? null)) }));
      execution.rows = rows.map((r) => names.map((n) => r[n] ?? null));
      execution.state = 'SUCCEEDED';
    } catch (error) {
      execution.state = 'FAILED';
      execution.reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    } finally {
      engine.close();
      await rm(root, { recursive: true, force: true });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.replace(/^AmazonAthena\./, '');
    calls.set(name, (calls.get(name) ?? 0) + 1);
    const operation = operations[name];
    try {
      if (!target.startsWith('AmazonAthena.') || !operation) {
        throw new ProtocolError('InvalidRequestException', `unsupported operation ${target}`);
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const out = await operation(body);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(out));
    } catch (error) {
      const type = error instanceof ProtocolError ? error.type : 'InternalServerException';
      res.writeHead(error instanceof ProtocolError ? error.status : 400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': type,
      });
      res.end(
        JSON.stringify({ __type: type, Message: error instanceof Error ? error.message : String(error) }),
      );
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    statements,
    calls,
    stopped,
    get faults() {
      return state.faults;
    },
    set faults(value: AthenaFaults) {
      state.faults = value;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

class ProtocolError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * Replaces each `?` outside string literals, quoted identifiers and comments with the next
 * parameter's text, as Athena does with ExecutionParameters; a count mismatch fails the query.
 */
export function spliceParameters(sql: string, params: readonly string[]): string {
  let out = '';
  let used = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closing(sql, i, c);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      if (used >= params.length)
        throw new Error(`INVALID_QUERY: more ? marks than the ${params.length} parameters`);
      out += params[used++];
    } else out += c;
  }
  if (used !== params.length)
    throw new Error(`INVALID_QUERY: ${params.length} parameters for ${used} ? marks`);
  return out;
}

function closing(sql: string, start: number, quote: string): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i++;
      else return i;
    }
  }
  return sql.length - 1;
}

/**
 * Athena's rule for tables whose partitions are projected with the `injected` type (every lake
 * table, see functions/adapters/aws/glue-tables.ts): a query must name each partition's values
 * with static equality (`=` or `IN` literals), else it fails with CONSTRAINT_VIOLATION. Checked
 * on the spliced statement, roughly as Athena's planner sees it.
 */
export function checkProjectedPartitions(sql: string): void {
  for (const table of LAKE_TABLES) {
    if (!new RegExp(`\\b(FROM|JOIN)\\s+${table.name}\\b`, 'i').test(sql)) continue;
    for (const p of table.partitions) {
      if (!new RegExp(`\\b${p.name}\\s*(=\\s*'|IN\\s*\\(\\s*')`, 'i').test(sql)) {
        throw new Error(
          `CONSTRAINT_VIOLATION: For the injected projected partition column ${p.name}, the WHERE clause must contain only static equality conditions, and at least one such condition must be present.`,
        );
      }
    }
  }
}

/** Athena's type names, as its result metadata spells them, from DuckDB's JavaScript values. */
function typeOf(values: readonly SqlValue[]): string {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return 'varchar';
  if (present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.every((v) => typeof v === 'number')) {
    return present.every((v) => Number.isInteger(v)) ? 'bigint' : 'double';
  }
  return 'varchar';
}

/** The lake's tables (every catalogue prefix) and the data tables as local files for DuckDB. */
async function copyLake(lake: ObjectStore, root: string): Promise<void> {
  for (const prefix of [...LAKE_TABLES.map((t) => t.prefix), lakeKeys.tables]) {
    for (const object of await lake.list(prefix)) {
      const parts: Uint8Array[] = [];
      for await (const chunk of lake.read(object.key)) parts.push(chunk);
      const file = path.join(root, ...object.key.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, Buffer.concat(parts));
    }
  }
}
