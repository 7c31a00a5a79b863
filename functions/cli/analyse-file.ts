import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FileObjectStore } from '../adapters/local/file-object-store.ts';
import { ManifestError } from '../core/errors.ts';
import { lakeKeys, runId } from '../core/lake/layout.ts';
import { parseManifest } from '../core/manifest/parse.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { ObjectStore, Profiler } from '../core/ports.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import type { Report } from '../core/report/schema.ts';
import { analyse, type DatasetEntry } from '../pipeline/analyse.ts';
import type { ProfileParallelism } from '../pipeline/parallel-profile.ts';
import { type ProfileProgress, type ProfileStageOutput, profileStage } from '../pipeline/profile-stage.ts';
import { writeReferenceTable } from '../pipeline/references.ts';
import { streamingProfiler } from '../pipeline/streaming-profiler.ts';
import { codeVersion, stderrLogger, systemClock, withScratchLake } from './local.ts';
import { mountFiles } from './mounted-store.ts';

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
  /** Called as bytes are read (the SQL engine: once the file is counted); for progress bars. */
  readonly onProgress?: (p: ProfileProgress) => void;
  /**
   * How a big file may be spread over threads (see profileFileInRanges); the SQL engine's
   * DuckDB threads.
   * @default - one thread: the file is read in one pass on the calling thread
   */
  readonly parallel?: ProfileParallelism;
  /**
   * `stream`: repscope reads the bytes; `sql`: one GROUP BY GROUPING SETS query in DuckDB.
   * @default 'stream'
   */
  readonly engine?: ProfileEngine;
}

export type ProfileEngine = 'stream' | 'sql';

/** The profiler of `--engine`, reading the data files of `store`. */
export async function localProfiler(
  store: ObjectStore,
  engine: ProfileEngine,
  parallel: ProfileParallelism = { threads: 1 },
): Promise<Profiler> {
  if (engine === 'stream') return streamingProfiler(store, parallel);
  // DuckDB's native library (~20 MB resident) is loaded only by the commands that use it.
  const { duckDbFileProfiler } = await import('../adapters/local/duckdb-file-profiler.ts');
  return duckDbFileProfiler(store, { threads: parallel.threads });
}

/** `repscope profile`: the profile stage over one file. */
export async function profileFile(
  dataFile: string,
  manifest: Manifest,
  catalogue: ReferenceCatalogue,
  options: AnalyseFileOptions = {},
): Promise<ProfileStageOutput> {
  const absolute = path.resolve(dataFile);
  const store = new FileObjectStore(path.dirname(absolute));
  return profileStage({
    store,
    profiler: await localProfiler(store, options.engine ?? 'stream', options.parallel),
    files: [{ key: path.basename(absolute), name: dataFile }],
    manifest,
    catalogue,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/**
 * `repscope check`: the one `analyse` of `run` and the handlers, in a scratch lake where the
 * manifest and the data file are mounted at their lake keys (the file's name is the version).
 * Bad input is thrown, for the CLI's one line and exit code, rather than reported.
 */
export async function checkFile(
  dataFile: string,
  loaded: LoadedManifest,
  catalogue: ReferenceCatalogue,
  options: AnalyseFileOptions = {},
): Promise<Report> {
  const id = loaded.manifest.dataset;
  const version = path.basename(dataFile);
  const entry: DatasetEntry = {
    id,
    manifestKey: lakeKeys.manifest(id),
    version,
    files: [{ key: lakeKeys.dataFile(id, version, version), name: dataFile }],
  };
  const { DuckDbQueryEngine } = await import('../adapters/local/duckdb-query-engine.ts');
  return withScratchLake(async (root) => {
    const store = mountFiles(
      new FileObjectStore(root),
      new Map([
        [entry.manifestKey, loaded.path],
        [entry.files[0]!.key, dataFile],
      ]),
    );
    const engine = new DuckDbQueryEngine(root);
    try {
      await writeReferenceTable(store, catalogue);
      const outcome = await analyse(
        entry,
        {
          store,
          engine,
          profiler: await localProfiler(store, options.engine ?? 'stream', options.parallel),
          catalogue,
          clock: systemClock,
          logger: stderrLogger(false),
          codeVersion: await codeVersion(),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        },
        { id: runId(systemClock.now()), reason: 'manual' },
      );
      if (outcome.error) throw outcome.error;
      return outcome.report;
    } finally {
      engine.close();
    }
  });
}
