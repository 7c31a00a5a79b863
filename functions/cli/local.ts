import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileObjectStore } from '../adapters/local/file-object-store.ts';
import type { Clock, Logger } from '../core/ports.ts';
import { mergeCatalogues, type ReferenceCatalogue } from '../core/references/reference.ts';
import { loadBuiltInReferences, loadReferenceFile } from '../pipeline/references.ts';

/** The repository's root (where package.json and references/ live). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILT_IN_REFERENCES = path.join(REPO_ROOT, 'references');

export const systemClock: Clock = { now: () => new Date() };

/** Logs to stderr as one line each; fields never carry row data (callers pass ids and counts). */
export function stderrLogger(verbose: boolean): Logger {
  const write = (level: string, message: string, fields?: Record<string, string | number | boolean>) => {
    if (!verbose && level === 'info') return;
    const extra = fields
      ? ` ${Object.entries(fields)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : '';
    process.stderr.write(`repscope ${level}: ${message}${extra}\n`);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** Built-in references plus each `--reference` file. */
export async function loadCatalogue(referenceFiles: readonly string[]): Promise<ReferenceCatalogue> {
  const catalogues = [await loadBuiltInReferences(new FileObjectStore(BUILT_IN_REFERENCES))];
  for (const file of referenceFiles) {
    const absolute = path.resolve(file);
    catalogues.push(
      await loadReferenceFile(new FileObjectStore(path.dirname(absolute)), path.basename(absolute), file),
    );
  }
  return mergeCatalogues(catalogues);
}

/** A scratch lake for commands that analyse one file without a bucket (`check`). */
export async function withScratchLake<T>(work: (root: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'repscope-'));
  try {
    return await work(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export async function codeVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return `repscope ${pkg.version}`;
}
