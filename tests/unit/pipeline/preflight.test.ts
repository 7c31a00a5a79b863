import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../functions/adapters/local/file-object-store.ts';
import { BUILT_IN_REFERENCES } from '../../../functions/cli/local.ts';
import { parseManifest } from '../../../functions/core/manifest/parse.ts';
import type { ObjectStore } from '../../../functions/core/ports.ts';
import type { ReferenceCatalogue } from '../../../functions/core/references/reference.ts';
import { preflight } from '../../../functions/pipeline/preflight.ts';
import { loadBuiltInReferences } from '../../../functions/pipeline/references.ts';
import { tempDir } from '../../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, leadsJsonl, skewedLeads } from '../../fixtures/leads.ts';
import { jsonlToParquet } from '../../fixtures/parquet.ts';
import { rejection } from '../../fixtures/scan/builders.ts';
import { memoryStore } from './memory-store.ts';

/** A store that counts the bytes its readers actually took (a reader that stops early takes fewer). */
function countingStore(store: ObjectStore): ObjectStore & { bytesRead(): number } {
  let taken = 0;
  return {
    head: (key) => store.head(key),
    write: (key, body, type) => store.write(key, body, type),
    writeIf: (key, body, condition, type) => store.writeIf(key, body, condition, type),
    list: (prefix) => store.list(prefix),
    uri: (key) => store.uri(key),
    async *read(key, range) {
      for await (const chunk of store.read(key, range)) {
        taken += chunk.byteLength;
        yield chunk;
      }
    },
    bytesRead: () => taken,
  };
}

const MIB = 1024 * 1024;
const manifest = parseManifest(LEADS_MANIFEST, 'repscope.yaml');
const csv = new TextEncoder().encode(leadsCsv(skewedLeads(300_000)));
let catalogue: ReferenceCatalogue;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  catalogue = await loadBuiltInReferences(new FileObjectStore(BUILT_IN_REFERENCES));
  ({ dir, cleanup } = await tempDir('repscope-preflight-'));
  await writeFile(path.join(dir, 'leads.jsonl'), leadsJsonl(skewedLeads(60_000)));
  await jsonlToParquet(dir, 'leads.jsonl', 'leads.parquet', 'COMPRESSION uncompressed');
});

afterAll(async () => cleanup());

const check = (store: ObjectStore, key: string, overrides: Partial<Parameters<typeof preflight>[0]> = {}) =>
  preflight({ store, file: { key, name: `data/${key}` }, manifest, catalogue, ...overrides });

describe('preflight: the head of a file, never all of it', () => {
  it('reads about a MiB of a big CSV and names its columns', async () => {
    expect(csv.length).toBeGreaterThan(16 * MIB);
    const store = countingStore(memoryStore({ 'leads.csv': csv }, MIB));
    const result = await check(store, 'leads.csv');
    expect(result).toMatchObject({ format: 'csv', compression: 'none', bytes: csv.length });
    expect(result.header).toContain('address.state');
    expect(store.bytesRead()).toBeLessThanOrEqual(3 * MIB);
  });

  it('inflates only the head of a big gzip file', async () => {
    const gz = gzipSync(csv);
    const store = countingStore(memoryStore({ 'leads.csv.gz': gz }, 64 * 1024));
    const result = await check(store, 'leads.csv.gz');
    expect(result).toMatchObject({ format: 'csv', compression: 'gzip', bytes: gz.length });
    expect(store.bytesRead()).toBeLessThan(gz.length / 4);
  });

  it('reads only the footer of a Parquet file', async () => {
    const store = countingStore(new FileObjectStore(dir));
    const bytes = (await store.head('leads.parquet'))!.bytes;
    expect(bytes).toBeGreaterThan(2 * MIB);
    const result = await check(store, 'leads.parquet');
    expect(result.header).toEqual(expect.arrayContaining(['sex', 'age', 'address']));
    expect(store.bytesRead()).toBeLessThan(bytes / 4);
  });

  it('reads a file shorter than the head whole, malformed rows and all', async () => {
    const text = `${leadsCsv(skewedLeads(50))}1,2\n`;
    const result = await check(memoryStore({ 'small.csv': text }), 'small.csv');
    expect(result.bytes).toBe(Buffer.byteLength(text));
    // Read whole, its end is the file's end: a quote open there is refused, as `check` refuses it.
    const open = `${text}"unterminated,3\n`;
    const error = await rejection(check(memoryStore({ 'small.csv': open }), 'small.csv'));
    expect(error.code).toBe('INPUT_FORMAT');
    expect(error.message).toMatch(/^data\/small\.csv: line \d+: a quote opened here is never closed/);
  });

  it('ends the head after a whole record: a cut inside a multi-byte character is not reported', async () => {
    // 'ümlaut ✓' sits in the notes column; whatever byte the head's size falls on, it ends at a line feed.
    for (const headBytes of [1000, 1001, 1002, 1003]) {
      await expect(
        check(memoryStore({ 'leads.csv': csv }, 4096), 'leads.csv', { headBytes }),
      ).resolves.toBeTruthy();
    }
  });
});

describe('preflight refuses what check refuses, with the same code', () => {
  it('an unknown CSV column', async () => {
    const bad = parseManifest(LEADS_MANIFEST.replace('column: sex', 'column: gender'), 'repscope.yaml');
    const error = await rejection(
      check(memoryStore({ 'leads.csv': csv }, MIB), 'leads.csv', { manifest: bad }),
    );
    expect(error.code).toBe('COLUMN_NOT_FOUND');
    expect(error.message).toMatch(/^data\/leads\.csv: column 'gender' not found; /);
  });

  it('an unknown JSON Lines column, after the head', async () => {
    const bad = parseManifest(LEADS_MANIFEST.replace('address.state', 'address.land'), 'repscope.yaml');
    const store = new FileObjectStore(dir);
    const error = await rejection(check(store, 'leads.jsonl', { manifest: bad }));
    expect(error.code).toBe('COLUMN_NOT_FOUND');
    expect(error.message).toMatch(/column 'address\.land' not found in any of the \d+ JSON objects/);
  });

  it('an unknown Parquet column', async () => {
    const bad = parseManifest(LEADS_MANIFEST.replace('column: age', 'column: years'), 'repscope.yaml');
    const error = await rejection(check(new FileObjectStore(dir), 'leads.parquet', { manifest: bad }));
    expect(error.code).toBe('COLUMN_NOT_FOUND');
    expect(error.message).toContain("column 'years' not found; the file has columns");
  });

  it('an unknown reference, before the file is read', async () => {
    const bad = parseManifest(LEADS_MANIFEST.replace('de-2023/state', 'de-2023/land'), 'repscope.yaml');
    const store = countingStore(memoryStore({ 'leads.csv': csv }));
    const error = await rejection(check(store, 'leads.csv', { manifest: bad }));
    expect(error.code).toBe('REFERENCE_NOT_FOUND');
    expect(store.bytesRead()).toBe(0);
  });

  it('a file named .gz that is not gzip, and gzip named .parquet', async () => {
    const notGzip = await rejection(check(memoryStore({ 'leads.csv.gz': csv }), 'leads.csv.gz'));
    expect(notGzip.code).toBe('GZIP_INVALID');
    const parquet = await readFile(path.join(dir, 'leads.parquet'));
    const gzParquet = await rejection(check(memoryStore({ 'x.parquet': gzipSync(parquet) }), 'x.parquet'));
    expect(gzParquet.code).toBe('INPUT_FORMAT');
    expect(gzParquet.message).toContain('gzip-compressed Parquet is not supported');
  });

  it('a corrupt gzip head, a truncated Parquet footer, a missing file', async () => {
    const corrupt = gzipSync(csv.subarray(0, 100_000));
    corrupt.fill(0x55, 20, 400);
    expect((await rejection(check(memoryStore({ 'x.csv.gz': corrupt }), 'x.csv.gz'))).code).toBe(
      'GZIP_INVALID',
    );
    const parquet = await readFile(path.join(dir, 'leads.parquet'));
    const cut = memoryStore({ 'x.parquet': parquet.subarray(0, parquet.length - 100) });
    expect((await rejection(check(cut, 'x.parquet'))).code).toBe('PARQUET_INVALID');
    const missing = await rejection(check(memoryStore({}), 'nothing.csv'));
    expect(missing).toMatchObject({ code: 'INPUT_UNREADABLE', message: 'data/nothing.csv: no such file' });
  });
});
