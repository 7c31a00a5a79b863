import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleModule, CACHE_DIR } from '../../../functions/adapters/local/ts-bundle.mjs';
import { tempDir } from '../../fixtures/cli.ts';

/**
 * The esbuild cache that lets bin/repscope.mjs and worker threads run the TypeScript as plain
 * JavaScript: real esbuild, real files, modules really imported. Each test uses its own bundle
 * name (`test-…`) and removes its outputs from the cache afterwards.
 */
let dir: string;
let cleanup: () => Promise<void>;
const names = new Set<string>();
const name = (n: string) => {
  const full = `test-${n}-${process.pid}`;
  names.add(full);
  return full;
};

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('repscope-bundle-'));
});

afterAll(async () => {
  await cleanup();
  for (const entry of await readdir(CACHE_DIR).catch(() => [] as string[])) {
    if ([...names].some((n) => entry.startsWith(`${n}-`))) {
      await rm(path.join(CACHE_DIR, entry), { recursive: true, force: true });
    }
  }
});

async function write(file: string, text: string, mtime?: Date): Promise<string> {
  const full = path.join(dir, file);
  await writeFile(full, text);
  if (mtime) await utimes(full, mtime, mtime);
  return full;
}

describe('bundleModule', () => {
  it('compiles TypeScript with its relative imports, leaves packages as imports, keeps source URLs', async () => {
    await write('b.ts', 'export const b: number = 21;\n');
    const a = await write(
      'a.ts',
      [
        "import { b } from './b.ts';",
        "export { parse } from 'yaml';",
        'export const value = b * 2;',
        'export const here = import.meta.url;',
        "export const sibling = new URL('./data.txt', import.meta.url).href;",
        '',
      ].join('\n'),
    );
    const url = await bundleModule({ name: name('basic'), file: a });
    expect(url.protocol).toBe('file:');
    expect(url.pathname.startsWith(pathToFileURL(CACHE_DIR).pathname)).toBe(true);
    const compiled = await readFile(url, 'utf8');
    expect(compiled).not.toContain('b: number'); // type annotations are gone
    expect(compiled).toMatch(/from "yaml"/); // the package stays an import, resolved at run time
    const loaded = (await import(url.href)) as {
      value: number;
      here: string;
      sibling: string;
      parse: (text: string) => unknown;
    };
    expect(loaded.value).toBe(42);
    expect(loaded.here).toBe(pathToFileURL(a).href);
    expect(loaded.sibling).toBe(pathToFileURL(path.join(dir, 'data.txt')).href);
    expect(loaded.parse('x: 1')).toEqual({ x: 1 });
  });

  it('reuses the build while no source changed and rebuilds into a new folder when one did', async () => {
    const then = new Date('2026-01-01T00:00:00Z');
    await write('d.ts', 'export const d = 1;\n', then);
    const c = await write('c.ts', "export { d } from './d.ts';\n", then);
    const first = await bundleModule({ name: name('cache'), file: c });
    const again = await bundleModule({ name: name('cache'), file: c });
    expect(again.href).toBe(first.href);

    // A changed dependency (size and mtime differ) makes a new build; the old folder stays for
    // any process still running from it.
    await write('d.ts', 'export const d = 12345;\n');
    const changed = await bundleModule({ name: name('cache'), file: c });
    expect(changed.href).not.toBe(first.href);
    expect(((await import(changed.href)) as { d: number }).d).toBe(12345);
    expect(((await import(first.href)) as { d: number }).d).toBe(1);
  });

  it('compiles generated entry source resolved from a folder', async () => {
    await write('e.ts', 'export const twice = (n: number): number => n * 2;\n');
    const url = await bundleModule({
      name: name('virtual'),
      contents: "import { twice } from './e.ts';\nexport const result = twice(8);\n",
      resolveDir: dir,
    });
    expect(((await import(url.href)) as { result: number }).result).toBe(16);
  });

  it('gives the same working build to concurrent callers', async () => {
    const f = await write('f.ts', 'export const f = 7;\n');
    const urls = await Promise.all(
      Array.from({ length: 4 }, () => bundleModule({ name: name('concurrent'), file: f })),
    );
    expect(new Set(urls.map((u) => u.href)).size).toBe(1);
    expect(((await import(urls[0]!.href)) as { f: number }).f).toBe(7);
  });

  it('names the file and the problem when the source does not compile', async () => {
    const g = await write('g.ts', 'export const g = ;\n');
    await expect(bundleModule({ name: name('broken'), file: g })).rejects.toThrow(
      /^repscope: compiling test-broken-\d+ failed: .*g\.ts:1:18: Unexpected ";"/,
    );
  });

  it('refuses a bundle name that is not a plain folder name', async () => {
    await expect(bundleModule({ name: '../escape', file: path.join(dir, 'a.ts') })).rejects.toThrow(
      /must be lower-case letters, digits and dashes/,
    );
  });

  it('replaces only import.meta.url/dirname/filename and keeps ts-bundle.mjs itself an import', async () => {
    const h = await write(
      'h.ts',
      [
        `import { CACHE_DIR as cache } from ${JSON.stringify(path.resolve('functions/adapters/local/ts-bundle.mjs'))};`,
        'export const cacheDir = cache;',
        '// @ts-expect-error: not a property of import.meta',
        "export const other = import.meta.urlish ?? 'none';",
        'export const dir = import.meta.dirname;',
        '',
      ].join('\n'),
    );
    const url = await bundleModule({ name: name('meta'), file: h });
    const compiled = await readFile(url, 'utf8');
    expect(compiled).toContain(
      `from "${pathToFileURL(path.resolve('functions/adapters/local/ts-bundle.mjs')).href}"`,
    );
    expect(compiled).not.toContain('function withSourceUrls'); // not bundled, so never rewritten
    const loaded = (await import(url.href)) as { cacheDir: string; other: string; dir: string };
    expect(loaded.cacheDir).toBe(CACHE_DIR);
    expect(loaded.other).toBe('none');
    expect(loaded.dir).toBe(dir);
  });

  it('tidies up unused output folders after a day, but never one an index still points to', async () => {
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    const i = await write('i.ts', 'export const i = 1;\n');
    const kept = await bundleModule({ name: name('kept'), file: i });
    const keptFolder = path.dirname(kept.pathname);
    await utimes(keptFolder, twoDaysAgo, twoDaysAgo);
    const orphan = path.join(CACHE_DIR, `${name('orphan')}-0000000000000000`);
    await mkdir(orphan, { recursive: true });
    await utimes(orphan, twoDaysAgo, twoDaysAgo);
    // Any build tidies up: here a fresh one.
    await bundleModule({ name: name('trigger'), file: await write('j.ts', 'export const j = 2;\n') });
    await expect(stat(orphan)).rejects.toThrow(/ENOENT/);
    expect((await stat(keptFolder)).isDirectory()).toBe(true);
    // Starting from the kept build marks it as used now.
    expect((await bundleModule({ name: name('kept'), file: i })).href).toBe(kept.href);
    expect(Date.now() - (await stat(keptFolder)).mtimeMs).toBeLessThan(60_000);
  });
});
