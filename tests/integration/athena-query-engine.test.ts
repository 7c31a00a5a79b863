import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AthenaQueryEngine, sqlLiteral } from '../../functions/adapters/aws/athena-query-engine.ts';
import { S3ObjectStore } from '../../functions/adapters/aws/s3-object-store.ts';
import { DuckDbQueryEngine } from '../../functions/adapters/local/duckdb-query-engine.ts';
import { compareStatement, toCompareRows } from '../../functions/core/compare/compare-sql.ts';
import { QueryError } from '../../functions/core/errors.ts';
import type { SqlValue } from '../../functions/core/ports.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';
import {
  type AthenaProtocolServer,
  spliceParameters,
  startAthenaProtocolServer,
} from '../helpers/athena-protocol-server.ts';
import { athenaStandInEngine } from '../helpers/athena-stand-in-engine.ts';
import { type S3Peer, startS3rver } from '../helpers/s3-servers.ts';

/**
 * The Athena adapter against a loopback server that speaks Athena's JSON 1.1 protocol and runs the
 * SQL in DuckDB over the lake held by an S3 server (s3rver): the same compare statement gives the
 * same rows through Athena as through the local DuckDB engine, values travel as ExecutionParameters
 * literals, and queueing, failures, timeouts and paging behave as Athena's do.
 */
let local: string;
let cleanup: () => Promise<void>;
let s3: S3Peer;
let athena: AthenaProtocolServer;
let engine: AthenaQueryEngine;
let run: string;
const waits: number[] = [];

const mappings = [
  { attribute: 'sex', population: 'de-2023', referenceAttribute: 'sex' },
  { attribute: 'age_band', population: 'de-2023', referenceAttribute: 'age_band' },
  { attribute: 'state', population: 'de-2023', referenceAttribute: 'state' },
  { attribute: 'sex_x_age_band', population: 'de-2023', referenceAttribute: 'sex_x_age_band' },
];

function athenaEngine(
  overrides: Partial<ConstructorParameters<typeof AthenaQueryEngine>[0]> = {},
): AthenaQueryEngine {
  return athenaStandInEngine(athena.endpoint, {
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  });
}

beforeAll(async () => {
  ({ dir: local, cleanup } = await tempDir());
  const data = path.join(local, 'datasets', 'leads');
  await mkdir(path.join(data, 'v1'), { recursive: true });
  await writeFile(path.join(data, 'repscope.yaml'), LEADS_MANIFEST.replace('leads-fixture', 'leads'));
  await writeFile(path.join(data, 'v1', 'leads.csv'), leadsCsv(skewedLeads(800)));
  const result = await runCli(['run', '--root', local]);
  expect(result.code).toBeLessThan(2);
  run = (await readdir(path.join(local, 'lake', 'group_counts', 'dataset=leads')))[0]!.replace('run=', '');

  s3 = await startS3rver();
  await s3.createBucket('lake');
  const bucket = new S3ObjectStore({ bucket: 'lake', client: s3.client() });
  for (const entry of await readdir(local, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const key = path.relative(local, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (key.startsWith('lake/') || key.startsWith('references/')) {
      await bucket.write(key, await readFile(path.join(entry.parentPath, entry.name)));
    }
  }
  athena = await startAthenaProtocolServer(bucket);
  engine = athenaEngine();
}, 60_000);

afterAll(async () => {
  await athena?.stop();
  await s3?.stop();
  await cleanup?.();
});

const byKey = <T extends { attribute: string; group: string }>(rows: readonly T[]) =>
  [...rows].sort((a, b) => `${a.attribute}\u0000${a.group}`.localeCompare(`${b.attribute}\u0000${b.group}`));

describe('AthenaQueryEngine', () => {
  it('returns the same compare rows through Athena as the local DuckDB engine', async () => {
    const statement = compareStatement('leads', run, mappings);
    const duck = new DuckDbQueryEngine(local);
    try {
      const expected = byKey(toCompareRows(await duck.rows(statement.sql, statement.params)));
      const actual = byKey(toCompareRows(await engine.rows(statement.sql, statement.params)));
      expect(actual.length).toBeGreaterThan(20);
      expect(actual).toEqual(expected);
    } finally {
      duck.close();
    }
  });

  it('sends every value as a literal ExecutionParameter, quotes and comment markers included', async () => {
    const values: SqlValue[] = ["O'Brien -- not a comment", "/* not */ ? 'either'", 42, -1.5, true, null, ''];
    const sql = `SELECT ${values.map((_, i) => `? AS v${i}`).join(', ')}`;
    const [row] = await engine.rows(sql, values);
    expect(row).toEqual({ v0: values[0], v1: values[1], v2: 42, v3: -1.5, v4: true, v5: null, v6: '' });
    // The statement text never held a value: Athena spliced them in.
    expect(athena.statements.at(-1)).toContain("'O''Brien -- not a comment'");
  });

  it('renders literals as Athena expects them', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral(3)).toBe('3');
    expect(sqlLiteral(0.25)).toBe('0.25');
    expect(sqlLiteral(false)).toBe('FALSE');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(() => sqlLiteral(Number.POSITIVE_INFINITY)).toThrow(QueryError);
    expect(spliceParameters('SELECT \'?\', ? -- ?\n, "?"', ["'x'"])).toBe("SELECT '?', 'x' -- ?\n, \"?\"");
  });

  it('polls a queued query with capped exponential backoff', async () => {
    athena.faults = { queuedPolls: 6 };
    waits.length = 0;
    const before = athena.calls.get('GetQueryExecution') ?? 0;
    const rows = await engine.rows('SELECT ? AS x', [7]);
    athena.faults = {};
    expect(rows).toEqual([{ x: 7 }]);
    expect((athena.calls.get('GetQueryExecution') ?? 0) - before).toBe(7);
    expect(waits).toEqual([1, 2, 4, 8, 8, 8]);
  });

  it('maps FAILED and CANCELLED to a QueryError carrying Athena’s reason apart from its message', async () => {
    athena.faults = {
      failNext: { state: 'FAILED', reason: "HIVE_BAD_DATA: Error parsing field value 'diverse' for field 3" },
    };
    const failed = await engine.rows('SELECT 1 AS x').catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(QueryError);
    const error = failed as QueryError;
    expect(error.message).toMatch(
      /^Athena query [0-9a-f-]+ FAILED \(user error, type 1006\); Athena's console has its reason$/,
    );
    // The reason can quote data: it is kept for logs, never put in the message.
    expect(error.message).not.toContain('diverse');
    expect(error.reason).toBe("HIVE_BAD_DATA: Error parsing field value 'diverse' for field 3");
    expect(error.retryable).toBe(false);
    athena.faults = { failNext: { state: 'FAILED', reason: 'internal hiccup', retryable: true } };
    expect(((await engine.rows('SELECT 1 AS x').catch((e: unknown) => e)) as QueryError).retryable).toBe(
      true,
    );
    athena.faults = { failNext: { state: 'CANCELLED', reason: 'Query was cancelled by the user' } };
    await expect(engine.rows('SELECT 1 AS x')).rejects.toThrow(/CANCELLED/);
    const missing = (await engine.rows('SELECT * FROM no_such_table').catch((e: unknown) => e)) as QueryError;
    expect(missing.reason).toMatch(/no_such_table/);
  });

  it('rides out a throttled StartQueryExecution and result pages that fail midway (SDK retries)', async () => {
    const retrying = athenaEngine({
      pageSize: 100,
      clientConfig: {
        endpoint: athena.endpoint,
        region: 'eu-central-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 3,
      },
    });
    const sql =
      'SELECT attribute, "group", "count" FROM group_counts WHERE dataset = ? AND run = ? ORDER BY attribute, "group"';
    const expected = await retrying.rows(sql, ['leads', run]);
    expect(expected.length).toBeGreaterThan(100);
    const starts = athena.calls.get('StartQueryExecution') ?? 0;
    const pages = athena.calls.get('GetQueryResults') ?? 0;
    athena.faults = { throttleStarts: 2, failLaterPages: 2 };
    expect(await retrying.rows(sql, ['leads', run])).toEqual(expected);
    expect(athena.faults).toMatchObject({ throttleStarts: 0, failLaterPages: 0 });
    expect((athena.calls.get('StartQueryExecution') ?? 0) - starts).toBe(3);
    expect((athena.calls.get('GetQueryResults') ?? 0) - pages).toBe(
      Math.ceil((expected.length + 1) / 100) + 2,
    );
    athena.faults = {};
  });

  it('names the failure when throttling or a results page outlasts the retries', async () => {
    athena.faults = { throttleStarts: 5 };
    await expect(engine.rows('SELECT 1 AS x')).rejects.toThrow(/TooManyRequestsException/);
    athena.faults = { failLaterPages: 5 };
    const paged = athenaEngine({ pageSize: 100 });
    const error = await paged
      .rows('SELECT attribute FROM group_counts WHERE dataset = ? AND run = ?', ['leads', run])
      .catch((e: unknown) => e);
    athena.faults = {};
    expect(error).toBeInstanceOf(QueryError);
    expect((error as Error).message).toMatch(
      /^Athena query [0-9a-f-]+: cannot read its results: InternalServerException/,
    );
  });

  it('stops a query that runs past its timeout', async () => {
    athena.faults = { hangNext: true };
    const slow = athenaEngine({
      timeoutMs: 150,
      pollIntervalMs: 10,
      maxPollIntervalMs: 20,
      sleep: undefined,
    });
    await expect(slow.rows('SELECT 1 AS x')).rejects.toThrow(/did not finish within 150 ms; it was stopped/);
    expect(athena.stopped).toHaveLength(1);
  });

  it('reads every result page and converts values by the column types', async () => {
    const many = athenaEngine({ pageSize: 100 });
    const before = athena.calls.get('GetQueryResults') ?? 0;
    const rows = await many.rows(
      'SELECT attribute, "group", "count" FROM group_counts WHERE dataset = ? AND run = ? ORDER BY attribute, "group"',
      ['leads', run],
    );
    const duck = new DuckDbQueryEngine(local);
    try {
      const expected = await duck.rows(
        'SELECT attribute, "group", "count" FROM group_counts WHERE dataset = ? AND run = ? ORDER BY attribute, "group"',
        ['leads', run],
      );
      expect(rows).toEqual(expected);
      expect(rows.length).toBeGreaterThan(100);
      expect(typeof rows[0]!['count']).toBe('number');
    } finally {
      duck.close();
    }
    expect((athena.calls.get('GetQueryResults') ?? 0) - before).toBe(Math.ceil((rows.length + 1) / 100));
  });

  it('fails a query that does not name a projected partition, as Athena does', async () => {
    const error = (await engine
      .rows('SELECT count(*) AS n FROM group_counts WHERE dataset = ?', ['leads'])
      .catch((e: unknown) => e)) as QueryError;
    expect(error).toBeInstanceOf(QueryError);
    expect(error.reason).toMatch(/CONSTRAINT_VIOLATION: For the injected projected partition column run/);
  });

  it('sends only statements that a Trino grammar accepts (apart from the test probes above)', () => {
    const compare = athena.statements.filter((s) => s.startsWith('WITH mapping'));
    expect(compare.length).toBeGreaterThan(0);
    const trino = new TrinoSQL();
    for (const sql of compare) expect(trino.validate(sql)).toEqual([]);
  });
});
