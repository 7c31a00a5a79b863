// Compiles the project's TypeScript to JavaScript once, with esbuild, and caches the result, so
// that `bin/repscope.mjs` and the worker threads of `--threads` start without a TypeScript loader
// (tsx costs ~35 MB and 0.3–0.6 s per thread). Plain JavaScript, since `bin/repscope.mjs` loads it
// before any TypeScript can run; its types are in ts-bundle.d.mts.
//
// - Only the project's own modules are bundled; packages stay imports (`packages: 'external'`)
//   and resolve from node_modules at run time, which is why the cache lives inside the project:
//   node_modules/.cache/repscope/.
// - Output folders are named by a hash of their content and never rewritten, so a process still
//   running from an older build keeps its lazily imported chunks. An index per entry records the
//   current folder and every source file (path, size, mtime) it was built from; a source that
//   changed makes the next start rebuild (~50 ms).
// - `import.meta.url` in a bundled module is replaced by the URL of its source file, so paths
//   resolved relative to the source tree (references/, web/, task modules) keep working.

import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const PROJECT_ROOT = path.resolve(path.dirname(SELF), '..', '..', '..');
export const CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'repscope');
/** Bump when the build options below change, so older caches are not reused. */
const FORMAT_VERSION = 1;
/** Output folders of an entry that are no longer current are removed once this old. */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;
const VIRTUAL = 'repscope-entry';

/** The installed esbuild's version (part of the cache key), or '' when it cannot be read. */
function esbuildVersion() {
  try {
    return JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8'),
    ).version;
  } catch {
    return '';
  }
}

/** @param {string} text */
const hash = (text) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * @param {import('./ts-bundle.d.mts').BundleRequest} request
 * @returns {Promise<URL>}
 */
export async function bundleModule(request) {
  if (!/^[a-z][a-z0-9-]*$/.test(request.name)) {
    throw new Error(`bundle name '${request.name}' must be lower-case letters, digits and dashes`);
  }
  const entry = entryOf(request);
  const key = hash(
    JSON.stringify({ FORMAT_VERSION, entry, node: process.versions.node, esbuild: esbuildVersion() }),
  );
  const indexFile = path.join(CACHE_DIR, `${request.name}-${key}.json`);
  const current = currentBuild(indexFile);
  if (current) return current;
  return build(request.name, entry, indexFile);
}

/** @param {import('./ts-bundle.d.mts').BundleRequest} request */
function entryOf(request) {
  if ('file' in request) {
    const file = request.file instanceof URL ? fileURLToPath(request.file) : path.resolve(request.file);
    return { file };
  }
  return { contents: request.contents, resolveDir: path.resolve(request.resolveDir) };
}

/**
 * The entry's current build when every source it was built from is unchanged. Synchronous on
 * purpose (a few dozen stat calls, well under a millisecond): the worker pool asks while the
 * calling thread is busy counting, and awaiting each stat there would wait for the counting loop
 * to yield every time, delaying the workers' start by a third of a second.
 * @param {string} indexFile
 * @returns {URL | undefined}
 */
function currentBuild(indexFile) {
  let index;
  try {
    index = JSON.parse(readFileSync(indexFile, 'utf8'));
  } catch {
    return undefined;
  }
  const entryFile = path.join(CACHE_DIR, index.dir, index.entry);
  try {
    statSync(entryFile);
    for (const input of index.inputs) {
      const s = statSync(input.path);
      if (s.size !== input.size || s.mtimeMs !== input.mtimeMs) return undefined;
    }
  } catch {
    return undefined;
  }
  try {
    // Marks the folder as used now, so that tidying up leaves it alone for a day.
    const now = new Date();
    utimesSync(path.join(CACHE_DIR, index.dir), now, now);
  } catch {
    // a read-only cache still works
  }
  return pathToFileURL(entryFile);
}

/**
 * @param {string} name
 * @param {{ file: string } | { contents: string, resolveDir: string }} entry
 * @param {string} indexFile
 */
async function build(name, entry, indexFile) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new Error(
      `repscope: cannot load esbuild to compile its TypeScript (${message(error)}); run npm ci`,
    );
  }
  /** Every project file as read: its size and mtime taken before reading, so an edit made while
   * compiling makes the next start compile again. @type {Map<string, { size: number, mtimeMs: number }>} */
  const read = new Map();
  /** @type {import('esbuild').Plugin} */
  const project = {
    name: 'repscope-project',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${VIRTUAL}$`) }, () => ({ path: 'entry', namespace: VIRTUAL }));
      b.onLoad({ filter: /.*/, namespace: VIRTUAL }, () => ({
        contents: 'contents' in entry ? entry.contents : '',
        resolveDir: 'resolveDir' in entry ? entry.resolveDir : PROJECT_ROOT,
        loader: 'ts',
      }));
      // This module stays an import of the compiled code (bundling it would also rewrite its own
      // mentions of import.meta).
      b.onResolve({ filter: /ts-bundle\.mjs$/ }, (args) => {
        const resolved = path.resolve(args.resolveDir, args.path);
        return resolved === SELF ? { path: pathToFileURL(SELF).href, external: true } : undefined;
      });
      b.onLoad({ filter: /.*/ }, async (args) => {
        const s = await stat(args.path);
        read.set(args.path, { size: s.size, mtimeMs: s.mtimeMs });
        const text = await readFile(args.path, 'utf8');
        return { contents: withSourceUrls(text, args.path), loader: loaderOf(args.path) };
      });
    },
  };
  // The compiler options (jsx, target) come from tsconfig.json: a change there rebuilds too.
  const tsconfig = path.join(PROJECT_ROOT, 'tsconfig.json');
  const tsconfigStat = await stat(tsconfig).catch(() => undefined);
  if (tsconfigStat) read.set(tsconfig, { size: tsconfigStat.size, mtimeMs: tsconfigStat.mtimeMs });
  let result;
  try {
    result = await esbuild.build({
      entryPoints: { main: 'file' in entry ? entry.file : VIRTUAL },
      absWorkingDir: PROJECT_ROOT,
      tsconfig,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      packages: 'external',
      outdir: 'out',
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      write: false,
      metafile: true,
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      plugins: [project],
    });
  } catch (error) {
    throw new Error(`repscope: compiling ${name} failed: ${buildErrors(error)}`);
  }
  const files = result.outputFiles
    .map((f) => ({ name: path.relative(path.join(PROJECT_ROOT, 'out'), f.path), contents: f.contents }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const digest = createHash('sha256');
  for (const f of files) digest.update(f.name).update('\0').update(f.contents);
  const dir = `${name}-${digest.digest('hex').slice(0, 16)}`;
  const target = path.join(CACHE_DIR, dir);
  try {
    await mkdir(CACHE_DIR, { recursive: true });
    if (!(await exists(path.join(target, 'main.mjs')))) {
      const scratch = path.join(CACHE_DIR, `.tmp-${randomUUID()}`);
      await mkdir(scratch);
      for (const f of files) await writeFile(path.join(scratch, f.name), f.contents);
      try {
        await rename(scratch, target);
      } catch (error) {
        // Another process put the same build there first: the same bytes, so theirs will do.
        await rm(scratch, { recursive: true, force: true });
        if (!(await exists(path.join(target, 'main.mjs')))) throw error;
      }
    }
    const inputs = tsconfigStat ? [{ path: tsconfig, ...read.get(tsconfig) }] : [];
    for (const input of Object.keys(result.metafile.inputs)) {
      if (input.startsWith(`${VIRTUAL}:`)) continue;
      const file = path.resolve(PROJECT_ROOT, input);
      const seen = read.get(file);
      if (seen === undefined) throw new Error(`${input} was compiled without being read through the cache`);
      inputs.push({ path: file, ...seen });
    }
    const scratchIndex = `${indexFile}.${randomUUID()}.tmp`;
    await writeFile(scratchIndex, JSON.stringify({ dir, entry: 'main.mjs', inputs }));
    await rename(scratchIndex, indexFile);
  } catch (error) {
    throw new Error(
      `repscope: cannot write its compiled modules to ${CACHE_DIR} (${message(error)}); the folder must be writable`,
    );
  }
  await removeStale().catch(() => undefined); // tidying up is best effort
  return pathToFileURL(path.join(target, 'main.mjs'));
}

/**
 * Removes output folders that no index points to any more and that were last used (built or
 * started from) over a day ago: a process started from one may still be loading its chunks.
 */
async function removeStale() {
  const now = Date.now();
  const entries = await readdir(CACHE_DIR, { withFileTypes: true });
  const current = new Set();
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    try {
      current.add(JSON.parse(await readFile(path.join(CACHE_DIR, entry.name), 'utf8')).dir);
    } catch {
      // an index being replaced or broken: its folder is not protected, but is recent anyway
    }
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || current.has(entry.name)) continue;
    const folder = path.join(CACHE_DIR, entry.name);
    const s = await stat(folder).catch(() => undefined);
    if (s && now - s.mtimeMs > STALE_AFTER_MS) await rm(folder, { recursive: true, force: true });
  }
}

/**
 * `import.meta.url`, `.dirname` and `.filename` in a source replaced by its own values, so that
 * paths resolved relative to the source tree keep working from the compiled folder.
 * @param {string} text
 * @param {string} file
 */
function withSourceUrls(text, file) {
  if (!text.includes('import.meta')) return text;
  const values = {
    url: JSON.stringify(pathToFileURL(file).href),
    dirname: JSON.stringify(path.dirname(file)),
    filename: JSON.stringify(file),
  };
  return text.replace(
    /\bimport\.meta\.(url|dirname|filename)\b/g,
    (_match, /** @type {'url' | 'dirname' | 'filename'} */ key) => values[key],
  );
}

/** @param {string} file */
async function exists(file) {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} file @returns {import('esbuild').Loader} */
function loaderOf(file) {
  if (file.endsWith('.tsx')) return 'tsx';
  if (/\.[cm]?ts$/.test(file)) return 'ts';
  if (file.endsWith('.json')) return 'json';
  return 'js';
}

/**
 * esbuild's first errors as `file:line:column: text`.
 * @param {unknown} error
 */
function buildErrors(error) {
  /** @type {{ text: string, location: { file: string, line: number, column: number } | null }[]} */
  const errors = /** @type {any} */ (error)?.errors ?? [];
  if (errors.length === 0) return message(error);
  const shown = errors.slice(0, 3).map((e) => {
    const where = e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : '';
    return `${where}${e.text}`;
  });
  return `${shown.join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`;
}

/** @param {unknown} error */
function message(error) {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}
