import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../../functions/core/report/schema.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, leadsJsonl, skewedLeads } from '../fixtures/leads.ts';

/**
 * The same 3 000 leads as CSV, CSV.gz, JSON Lines, JSONL.gz and Parquet (written by DuckDB, an
 * independent writer) must give identical profiles through the CLI.
 */
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const leads = skewedLeads(3000);
  const csv = leadsCsv(leads);
  const jsonl = leadsJsonl(leads);
  await writeFile(path.join(dir, 'repscope.yaml'), LEADS_MANIFEST);
  await writeFile(path.join(dir, 'leads.csv'), csv);
  await writeFile(path.join(dir, 'leads.csv.gz'), gzipSync(csv));
  await writeFile(path.join(dir, 'leads.jsonl'), jsonl);
  await writeFile(path.join(dir, 'leads.jsonl.gz'), gzipSync(jsonl));
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const file = (name: string) => `'${path.join(dir, name).replaceAll("'", "''")}'`;
  await c.run(
    `COPY (SELECT id, email, sex, age, address, consent, converted, notes FROM read_json(${file('leads.jsonl')}, format = 'newline_delimited', columns = {id: 'BIGINT', email: 'VARCHAR', sex: 'VARCHAR', age: 'INTEGER', address: 'STRUCT(state VARCHAR, city VARCHAR)', consent: 'VARCHAR', converted: 'BIGINT', notes: 'VARCHAR'}) ORDER BY id) TO ${file('leads.parquet')} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000)`,
  );
  db.closeSync();
});

afterAll(async () => cleanup());

describe('every format gives the same profile', () => {
  const files = ['leads.csv', 'leads.csv.gz', 'leads.jsonl', 'leads.jsonl.gz', 'leads.parquet'];
  const profiles = new Map<string, unknown>();

  for (const name of files) {
    it(`profiles ${name}`, async () => {
      const result = await runCli(['profile', path.join(dir, name)]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const profile = JSON.parse(result.stdout) as {
        rows: { read: number; used: number; malformed: number };
      };
      expect(profile.rows.read).toBe(3000);
      expect(profile.rows.malformed).toBe(0);
      profiles.set(name, profile);
    });
  }

  it('and the profiles are identical', () => {
    const csv = profiles.get('leads.csv');
    expect(csv).toBeDefined();
    for (const name of files.slice(1)) expect(profiles.get(name), name).toEqual(csv);
  });

  it('profile --engine sql gives the same counts as the streaming profiler', async () => {
    for (const name of ['leads.csv', 'leads.parquet', 'leads.jsonl']) {
      const sql = await runCli(['profile', path.join(dir, name), '--engine', 'sql']);
      expect(sql.stderr).toBe('');
      expect(sql.code).toBe(0);
      const { malformedSamples: _a, ...fromSql } = JSON.parse(sql.stdout);
      const { malformedSamples: _b, ...fromStream } = profiles.get('leads.csv') as Record<string, unknown>;
      expect(fromSql, name).toEqual(fromStream);
    }
  });

  it('check gives the same verdict and numbers for CSV and Parquet, and the report validates', async () => {
    const a = await runCli(['check', path.join(dir, 'leads.csv'), '--format', 'json']);
    const b = await runCli(['check', path.join(dir, 'leads.parquet'), '--format', 'json']);
    expect([0, 1]).toContain(a.code);
    expect(b.code).toBe(a.code);
    const ra = reportSchema.parse(JSON.parse(a.stdout));
    const rb = reportSchema.parse(JSON.parse(b.stdout));
    expect(rb.attributes).toEqual(ra.attributes);
    expect(rb.intersections).toEqual(ra.intersections);
    expect(ra.dataset.source.format).toBe('csv');
    expect(rb.dataset.source.format).toBe('parquet');
    expect(ra.dataset.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
