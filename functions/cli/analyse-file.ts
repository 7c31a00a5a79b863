import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FileObjectStore } from '../adapters/local/file-object-store.ts';
import { ManifestError } from '../core/errors.ts';
import { runId } from '../core/lake/layout.ts';
import { parseManifest } from '../core/manifest/parse.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import type { Report } from '../core/report/schema.ts';
import { compareStage } from '../pipeline/compare-stage.ts';
import { sha256 } from '../pipeline/io.ts';
import type { ProfileParallelism } from '../pipeline/parallel-profile.ts';
import { type ProfileProgress, type ProfileStageOutput, profileStage } from '../pipeline/profile-stage.ts';
import { writeReferenceTable } from '../pipeline/references.ts';
import { codeVersion, systemClock, withScratchLake } from './local.ts';

export interface LoadedManifest {
  readonly manifest: Manifest;
  readonly text: string;
  readonly path: string;
}

/** `--manifest`, or repscope.yaml next to the data file. */
export async function loadManifest(
  dataFile: string,
  manifestPath: string | undefined,
): Promise<LoadedManifest> {
  const file = manifestPath ?? path.join(path.dirname(dataFile), 'repscope.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'unreadable';
    const hint = manifestPath ? '' : ' (pass --manifest <file> or put repscope.yaml next to the data file)';
    throw new ManifestError(`${file}: ${reason}${hint}`, { cause: error, code: 'MANIFEST_UNREADABLE' });
  }
  return { manifest: parseManifest(text, file), text, path: file };
}

/** What `profile` and `check` pass on to the profile stage. */
export interface AnalyseFileOptions {
  /** Called as bytes are read; for progress bars. */
  readonly onProgress?: (p: ProfileProgress) => void;
  /**
   * How a big file may be spread over threads (see profileFileInRanges).
   * @default - one thread: the file is read in one pass on the calling thread
   */
  readonly parallel?: ProfileParallelism;
}

export async function profileFile(
  dataFile: string,
  manifest: Manifest,
  catalogue: ReferenceCatalogue,
  options: AnalyseFileOptions = {},
): Promise<ProfileStageOutput> {
  const absolute = path.resolve(dataFile);
  return profileStage({
    store: new FileObjectStore(path.dirname(absolute)),
    files: [{ key: path.basename(absolute), name: dataFile }],
    manifest,
    catalogue,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.parallel ? { parallel: options.parallel } : {}),
  });
}

/** `repscope check`: profile one file and compare it in a scratch lake with DuckDB. */
export async function checkFile(
  dataFile: string,
  loaded: LoadedManifest,
  catalogue: ReferenceCatalogue,
  options: AnalyseFileOptions = {},
): Promise<Report> {
  const startedAt = systemClock.now();
  const profiled = await profileFile(dataFile, loaded.manifest, catalogue, options);
  // Loaded here, not at start-up: `repscope profile` never needs DuckDB's native library.
  const { DuckDbQueryEngine } = await import('../adapters/local/duckdb-query-engine.ts');
  return withScratchLake(async (root) => {
    const store = new FileObjectStore(root);
    const engine = new DuckDbQueryEngine(root);
    try {
      await writeReferenceTable(store, catalogue);
      return await compareStage({
        store,
        engine,
        manifest: loaded.manifest,
        manifestSha256: sha256(loaded.text),
        catalogue,
        profiled,
        dataset: { id: loaded.manifest.dataset, version: path.basename(dataFile) },
        run: {
          id: runId(startedAt),
          startedAt: startedAt.toISOString(),
          finishedAt: systemClock.now().toISOString(),
          reason: 'manual',
        },
        codeVersion: await codeVersion(),
      });
    } finally {
      engine.close();
    }
  });
}
