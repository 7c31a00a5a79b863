import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../functions/adapters/local/duckdb-query-engine.ts';
import { parseManifest } from '../../functions/core/manifest/parse.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';

/**
 * A dataset registered as a table (`table: { name }`) under `repscope run --root`: its data is the
 * folder `tables/<name>/`, which DuckDB reads as a view, and its profile is the counting plan run
 * as one GROUPING SETS statement there. The counts equal the streaming profile of the same rows.
 */
let root: string;
let cleanup: () => Promise<void>;
const TABLE_MANIFEST = `${LEADS_MANIFEST.replace('leads-fixture', 'leads-table')}table: { name: leads_rows }\n`;
const leads = skewedLeads(1200, 11);

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await mkdir(path.join(root, 'datasets', 'leads-table'), { recursive: true });
  await mkdir(path.join(root, 'tables', 'leads_rows'), { recursive: true });
  await writeFile(path.join(root, 'datasets', 'leads-table', 'repscope.yaml'), TABLE_MANIFEST);
  // Two files of one table: one view over both.
  await writeFile(path.join(root, 'tables', 'leads_rows', 'part-0.csv'), leadsCsv(leads.slice(0, 500)));
  await writeFile(path.join(root, 'tables', 'leads_rows', 'part-1.csv'), leadsCsv(leads.slice(500)));
});
afterAll(async () => cleanup());

describe('a table dataset', () => {
  it('is profiled from its table by `run --root`, with the counts of the streaming profiler', async () => {
    const r = await runCli(['run', '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +leads-table/m);
    const [run] = await readdir(path.join(root, 'lake', 'reports', 'dataset=leads-table'));
    const report = JSON.parse(
      await readFile(path.join(root, 'lake', 'reports', 'dataset=leads-table', run!, 'report.json'), 'utf8'),
    ) as { status: string; dataset: { version: string; source: Record<string, unknown> } };
    expect(report.status).not.toBe('error');
    expect(report.dataset.version).toBe('leads_rows');
    expect(report.dataset.source).toEqual({
      uri: 'table:leads_rows',
      bytes: 0,
      format: 'parquet',
      compression: 'none',
    });

    const fromTable = JSON.parse(
      await readFile(
        path.join(root, 'lake', 'profiles', 'dataset=leads-table', run!, 'profile.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    // The same rows as one file through the streaming profiler (a file given wins over the table).
    const file = path.join(root, 'all.csv');
    const manifest = path.join(root, 'table.yaml');
    await writeFile(file, leadsCsv(leads));
    await writeFile(manifest, TABLE_MANIFEST);
    const streamed = await runCli(['profile', file, '--manifest', manifest]);
    expect(streamed.code).toBe(0);
    const expected = JSON.parse(streamed.stdout) as Record<string, unknown>;
    expect(expected['rows']).toEqual({
      read: 1200,
      used: expect.any(Number),
      excludedNoConsent: expect.any(Number),
      malformed: 0,
    });
    for (const field of ['rows', 'attributes', 'intersections'])
      expect(fromTable[field]).toEqual(expected[field]);
  });

  it('adds no run while its table folder is unchanged, and a run when a file of the table changes', async () => {
    const runs = async () => readdir(path.join(root, 'lake', 'reports', 'dataset=leads-table'));
    const before = await runs();
    const again = await runCli(['run', '--root', root]);
    expect(again.stdout).toMatch(/^SAME +leads-table .*no new run$/m);
    expect(await runs()).toEqual(before);

    await writeFile(path.join(root, 'tables', 'leads_rows', 'part-2.csv'), leadsCsv(leads.slice(0, 30)));
    const changed = await runCli(['run', '--root', root]);
    expect(changed.stdout).toMatch(/^(PASS|WARN|FAIL) +leads-table/m);
    expect(await runs()).toHaveLength(before.length + 1);
  });

  it('reports a table that does not exist as the run’s error, naming it', async () => {
    await mkdir(path.join(root, 'datasets', 'ghost'), { recursive: true });
    await writeFile(
      path.join(root, 'datasets', 'ghost', 'repscope.yaml'),
      `${LEADS_MANIFEST.replace('leads-fixture', 'ghost')}table: { name: no_such_table }\n`,
    );
    const r = await runCli(['run', '--root', root]);
    expect(r.stdout).toMatch(/^ERROR +ghost\s+table no_such_table: the query engine could not count it/m);
  });

  it('refuses a manifest whose table name is not on the allow-list, or is one of the lake’s', () => {
    for (const name of ['Leads', 'leads-rows', 'a.b', '"x"', 'x; drop table y', 'group_counts']) {
      expect(() =>
        parseManifest(`${TABLE_MANIFEST.replace('leads_rows', JSON.stringify(name))}`, 'm.yaml'),
      ).toThrow(/table\.name/);
    }
    expect(parseManifest(TABLE_MANIFEST, 'm.yaml').table).toEqual({ name: 'leads_rows' });
  });

  it('refuses a table folder that mixes formats, for the statements that read it only', async () => {
    const { dir, cleanup: done } = await tempDir();
    const engine = new DuckDbQueryEngine(dir, { threads: 1 });
    try {
      await mkdir(path.join(dir, 'tables', 'mixed'), { recursive: true });
      await writeFile(path.join(dir, 'tables', 'mixed', 'a.csv'), 'x\n1\n');
      await writeFile(path.join(dir, 'tables', 'mixed', 'b.jsonl'), '{"x":1}\n');
      await expect(engine.rows('SELECT count(*) AS n FROM mixed')).rejects.toThrow(/mixes csv and jsonl/);
      expect(await engine.rows('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      engine.close();
      await done();
    }
  });
});
