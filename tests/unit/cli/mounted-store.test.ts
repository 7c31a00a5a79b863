import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../functions/adapters/local/file-object-store.ts';
import { mountFiles } from '../../../functions/cli/mounted-store.ts';
import { StoreError } from '../../../functions/core/errors.ts';
import { readText } from '../../../functions/pipeline/io.ts';
import { tempDir } from '../../fixtures/cli.ts';

let dir: string;
let cleanup: () => Promise<void>;
const KEY = 'datasets/leads/leads.csv/leads.csv';

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await mkdir(path.join(dir, 'lake'));
  await mkdir(path.join(dir, 'home'));
  await writeFile(path.join(dir, 'home', 'leads.csv'), 'sex\nfemale\n');
});
afterAll(async () => cleanup());

describe('mountFiles', () => {
  const store = () =>
    mountFiles(
      new FileObjectStore(path.join(dir, 'lake')),
      new Map([[KEY, path.join(dir, 'home', 'leads.csv')]]),
    );

  it('reads, heads and names a mounted key as the file where it is', async () => {
    const s = store();
    await expect(readText(s, KEY)).resolves.toBe('sex\nfemale\n');
    await expect(s.head(KEY)).resolves.toMatchObject({ key: KEY, bytes: 11 });
    expect(s.uri(KEY)).toBe(pathToFileURL(path.join(dir, 'home', 'leads.csv')).href);
  });

  it('writes every other key to the lake and lists both, in key order', async () => {
    const s = store();
    await s.write('datasets/leads/zz.txt', 'z');
    await s.write('datasets/leads/aa.txt', 'a');
    await expect(readFile(path.join(dir, 'lake', 'datasets', 'leads', 'aa.txt'), 'utf8')).resolves.toBe('a');
    expect((await s.list('datasets/')).map((o) => o.key)).toEqual([
      'datasets/leads/aa.txt',
      KEY,
      'datasets/leads/zz.txt',
    ]);
    expect((await s.list('lake/')).map((o) => o.key)).toEqual([]);
  });

  it('refuses to write over a mounted file', async () => {
    await expect(store().write(KEY, 'x')).rejects.toThrow(StoreError);
    await expect(readFile(path.join(dir, 'home', 'leads.csv'), 'utf8')).resolves.toBe('sex\nfemale\n');
  });
});
