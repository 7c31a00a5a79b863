import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../functions/adapters/local/duckdb-query-engine.ts';
import { FileObjectStore } from '../../functions/adapters/local/file-object-store.ts';
import { historyStatement } from '../../functions/core/history/history-sql.ts';
import { datasetHistory } from '../../functions/pipeline/history.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';
import { type AthenaProtocolServer, startAthenaProtocolServer } from '../helpers/athena-protocol-server.ts';
import { athenaStandInEngine } from '../helpers/athena-stand-in-engine.ts';

/**
 * `repscope history`: three runs of one dataset (an upload, the same inputs again, a second
 * version), read with one statement over `runs` and `group_metrics`, on DuckDB and on the Athena
 * protocol stand-in, which enforces the projected partitions as Athena does.
 */
let root: string;
let cleanup: () => Promise<void>;
const DATASET = 'leads-history';

async function put(key: string, body: string): Promise<void> {
  const file = path.join(root, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await put(`datasets/${DATASET}/repscope.yaml`, LEADS_MANIFEST.replace('leads-fixture', DATASET));
  await put(`datasets/${DATASET}/v1/leads.csv`, leadsCsv(skewedLeads(1200, 1)));
  expect((await runCli(['run', '--root', root])).code).toBeLessThan(2);
  expect((await runCli(['run', '--root', root])).stdout).toMatch(/^SAME /m);
  await put(`datasets/${DATASET}/v2/leads.csv`, leadsCsv(skewedLeads(1500, 2)));
  expect((await runCli(['run', '--root', root])).code).toBeLessThan(2);
}, 120_000);
afterAll(async () => cleanup());

describe('repscope history', () => {
  it('prints one line per run, oldest first, with its version, trigger, rows, status and worst group', async () => {
    const r = await runCli(['history', DATASET, '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN +STARTED +VERSION +TRIGGER +ROWS +STATUS +WORST GROUP$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^\d{8}T\d{6}Z +\S+ \S+ +v1 +manual +\d+ +(PASS|WARN|FAIL) +\w+=\S+ ratio \d\.\d{3}$/,
    );
    expect(lines[2]).toMatch(/ v2 +manual +\d+ /);
  });

  it('gives the same lines as JSON and CSV', async () => {
    const json = JSON.parse((await runCli(['history', DATASET, '--root', root, '--format', 'json'])).stdout);
    expect(json).toHaveLength(2);
    expect(json.map((l: { version: string }) => l.version)).toEqual(['v1', 'v2']);
    expect(json[1].rowsRead).toBe(1500);
    expect(['sex', 'age_band', 'state']).toContain(json[0].worst.attribute);
    const csv = (await runCli(['history', DATASET, '--root', root, '--format', 'csv'])).stdout
      .trimEnd()
      .split('\n');
    expect(csv[0]).toBe(
      'run,started_at,version,trigger,rows_read,rows_used,status,worst_attribute,worst_group,worst_ratio',
    );
    expect(csv[2]).toContain(`${json[1].run},${json[1].startedAt},v2,manual,1500,`);
  });

  it('says so when a dataset has no runs', async () => {
    const r = await runCli(['history', 'nothing-here', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no runs of dataset 'nothing-here' in the lake; expected reports under/);
  });

  it('is one statement Trino parses, and Athena (the stand-in) returns what DuckDB returns', async () => {
    const store = new FileObjectStore(root);
    const statement = historyStatement(DATASET, ['20261206T000000Z', '20261207T000000Z']);
    expect(new TrinoSQL().validate(statement.sql)).toEqual([]);
    const duck = new DuckDbQueryEngine(root);
    let athena: AthenaProtocolServer | undefined;
    try {
      const local = await datasetHistory(store, duck, DATASET);
      athena = await startAthenaProtocolServer(store);
      const engine = athenaStandInEngine(athena.endpoint);
      expect(await datasetHistory(store, engine, DATASET)).toEqual(local);
      expect(athena.statements.at(-1)).toMatch(/dataset = 'leads-history'/);
    } finally {
      duck.close();
      await athena?.stop();
    }
  });
});
