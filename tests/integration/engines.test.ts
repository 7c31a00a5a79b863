import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile, loadManifest } from '../../functions/cli/analyse-file.ts';
import { loadCatalogue } from '../../functions/cli/local.ts';
import { type Report, reportSchema } from '../../functions/core/report/schema.ts';
import type { ProfileProgress } from '../../functions/pipeline/profile-stage.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, leadsJsonl, skewedLeads } from '../fixtures/leads.ts';

/**
 * `--engine sql` (the DuckDB file profiler behind the Profiler port) for `check` and `run`: the
 * same `analyse` runs with either profiler, so the reports differ only where the engines do
 * (run times, and provenance's etag where the streaming engine hashed the bytes).
 */
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const leads = skewedLeads(2000, 11);
  await writeFile(path.join(dir, 'repscope.yaml'), LEADS_MANIFEST);
  await writeFile(path.join(dir, 'leads.csv'), leadsCsv(leads));
  await writeFile(path.join(dir, 'leads.jsonl'), leadsJsonl(leads));
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const file = (name: string) => `'${path.join(dir, name).replaceAll("'", "''")}'`;
  await c.run(
    `COPY (SELECT * FROM read_json(${file('leads.jsonl')}, format = 'newline_delimited', columns = {id: 'BIGINT', email: 'VARCHAR', sex: 'VARCHAR', age: 'INTEGER', address: 'STRUCT(state VARCHAR, city VARCHAR)', consent: 'VARCHAR', converted: 'BIGINT', notes: 'VARCHAR'}) ORDER BY id) TO ${file('leads.parquet')} (FORMAT parquet)`,
  );
  db.closeSync();
});
afterAll(async () => cleanup());

/** What must not depend on the engine: everything but the run's times and the source's digest. */
function comparable(report: Report): unknown {
  const { run: _run, dataset, ...rest } = report;
  const { sha256: _s, etag: _e, ...source } = dataset.source;
  return { ...rest, dataset: { ...dataset, source } };
}

describe('check --engine sql', () => {
  for (const name of ['leads.csv', 'leads.jsonl', 'leads.parquet']) {
    it(`gives the report of the streaming engine for ${name}`, async () => {
      const stream = await runCli(['check', path.join(dir, name), '--format', 'json']);
      const sql = await runCli(['check', path.join(dir, name), '--format', 'json', '--engine', 'sql']);
      expect(sql.stderr).toBe('');
      expect(sql.code).toBe(stream.code);
      const a = reportSchema.parse(JSON.parse(stream.stdout));
      const b = reportSchema.parse(JSON.parse(sql.stdout));
      expect(b.rows).toEqual(a.rows);
      expect(b.rows.read).toBe(2000);
      expect(b.attributes.map((x) => x.groups.map((g) => [g.group, g.count]))).toEqual(
        a.attributes.map((x) => x.groups.map((g) => [g.group, g.count])),
      );
      expect(comparable(b)).toEqual(comparable(a));
      // Provenance: the same file named, and a digest of it (DuckDB read the bytes: the etag).
      expect(b.dataset.source.uri).toBe(`file://${path.join(dir, name)}`);
      expect(b.dataset.source.etag).toMatch(/\S/);
      if (name !== 'leads.parquet') expect(a.dataset.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  it('reports progress once the file is counted', async () => {
    const data = path.join(dir, 'leads.csv');
    const loaded = await loadManifest(data, undefined);
    const seen: ProfileProgress[] = [];
    const report = await checkFile(data, loaded, await loadCatalogue([]), {
      engine: 'sql',
      onProgress: (p) => seen.push(p),
    });
    const bytes = (await readFile(data)).length;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toEqual({ bytesRead: bytes, bytesTotal: bytes, rowsRead: 2000, file: data });
    expect(report.dataset.source.bytes).toBe(bytes);
  });

  it('exits 2 with one line when DuckDB cannot read what the streaming engine skips', async () => {
    const ragged = path.join(dir, 'ragged', 'leads.jsonl');
    await mkdir(path.dirname(ragged), { recursive: true });
    await writeFile(path.join(dir, 'ragged', 'repscope.yaml'), LEADS_MANIFEST);
    const good = leadsJsonl(skewedLeads(50, 3));
    await writeFile(ragged, `${good}[1, 2]\n`);
    const r = await runCli(['check', ragged, '--engine', 'sql']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^repscope: [^\n]*leads\.jsonl: [^\n]*profile this file with the streaming engine\n$/,
    );
    const streamed = await runCli(['check', ragged, '--format', 'json']);
    expect(reportSchema.parse(JSON.parse(streamed.stdout)).rows.malformed).toBe(1);
  });
});

describe('run --engine sql', () => {
  async function bucket(name: string): Promise<string> {
    const root = path.join(dir, name);
    const version = path.join(root, 'datasets', 'leads-fixture', 'v1');
    await mkdir(version, { recursive: true });
    await writeFile(path.join(root, 'datasets', 'leads-fixture', 'repscope.yaml'), LEADS_MANIFEST);
    await writeFile(path.join(version, 'leads.csv'), await readFile(path.join(dir, 'leads.csv')));
    return root;
  }

  async function onlyReport(root: string): Promise<Report> {
    const reports = path.join(root, 'lake', 'reports', 'dataset=leads-fixture');
    const [run] = await readdir(reports);
    return reportSchema.parse(JSON.parse(await readFile(path.join(reports, run!, 'report.json'), 'utf8')));
  }

  it('writes the report the streaming engine writes, and publishes it', async () => {
    const streamRoot = await bucket('bucket-stream');
    const sqlRoot = await bucket('bucket-sql');
    const stream = await runCli(['run', '--root', streamRoot]);
    const sql = await runCli(['run', '--root', sqlRoot, '--engine', 'sql']);
    expect(sql.stderr).toBe('');
    expect(sql.code).toBe(stream.code);
    expect(sql.stdout).toMatch(/^(PASS|WARN|FAIL) +leads-fixture {2}site\/datasets\/leads-fixture\/runs\//m);
    const a = await onlyReport(streamRoot);
    const b = await onlyReport(sqlRoot);
    expect(b.rows).toEqual(a.rows);
    expect(b.dataset.source.uri.replace('bucket-sql', 'bucket-stream')).toBe(a.dataset.source.uri);
    const sameBucket = (r: Report) => ({
      ...r,
      dataset: { ...r.dataset, source: { ...r.dataset.source, uri: '' } },
    });
    expect(comparable(sameBucket(b))).toEqual(comparable(sameBucket(a)));
    // The streaming engine hashed the bytes; DuckDB read them itself, so the etag names them.
    expect(a.dataset.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.dataset.source.etag).toMatch(/\S/);
    await expect(readFile(path.join(sqlRoot, 'site', 'index.html'), 'utf8')).resolves.toContain(
      'leads-fixture',
    );
  });
});
