import { RepscopeError } from '../core/errors.ts';
import { lakeKeys, runId } from '../core/lake/layout.ts';
import { parseManifest } from '../core/manifest/parse.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { Clock, Logger, ObjectStore, QueryEngine } from '../core/ports.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { REPORT_SCHEMA_ID, type Report, reportSchema } from '../core/report/schema.ts';
import { compareStage } from './compare-stage.ts';
import { readText, sha256 } from './io.ts';
import type { ProfileParallelism } from './parallel-profile.ts';
import { type ProfileProgress, profileStage } from './profile-stage.ts';
import { publishStage } from './publish-stage.ts';
import { writeReferenceTable } from './references.ts';

export interface PipelineContext {
  readonly store: ObjectStore;
  readonly engine: QueryEngine;
  readonly catalogue: ReferenceCatalogue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly codeVersion: string;
  readonly onProgress?: (progress: ProfileProgress) => void;
  /**
   * How the profile stage may spread a big file over threads (see profileFileInRanges).
   * @default - one thread: every file is read in one pass on the calling thread
   */
  readonly parallel?: ProfileParallelism;
}

export interface DatasetOutcome {
  readonly dataset: string;
  readonly report: Report;
  /** Set when the dataset could not be analysed; the report then has status `error`. */
  readonly error?: RepscopeError;
}

/** One dataset's manifest and the data files of its newest version, as found in the bucket. */
export interface DatasetEntry {
  readonly id: string;
  readonly manifestKey: string;
  readonly version: string | null;
  readonly fileKeys: readonly string[];
}

const versionOrder = new Intl.Collator('en', { numeric: true });

/** Every `datasets/<id>/repscope.yaml` with the files of its newest `datasets/<id>/<version>/`. */
export async function discoverDatasets(store: ObjectStore): Promise<DatasetEntry[]> {
  const objects = await store.list('datasets/');
  const ids = new Map<string, { manifest: boolean; versions: Map<string, string[]> }>();
  for (const o of objects) {
    const parts = o.key.split('/');
    const id = parts[1]!;
    const entry = ids.get(id) ?? { manifest: false, versions: new Map() };
    ids.set(id, entry);
    if (parts.length === 3 && parts[2] === 'repscope.yaml') entry.manifest = true;
    if (parts.length === 4 && !parts[3]!.startsWith('.')) {
      entry.versions.set(parts[2]!, [...(entry.versions.get(parts[2]!) ?? []), o.key]);
    }
  }
  return [...ids.entries()]
    .filter(([, e]) => e.manifest)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, e]) => {
      const version = [...e.versions.keys()].sort(versionOrder.compare).at(-1) ?? null;
      return {
        id,
        manifestKey: lakeKeys.manifest(id),
        version,
        fileKeys: version ? e.versions.get(version)! : [],
      };
    });
}

/** profile → compare for one dataset entry; bad input becomes an `error` report, not a crash. */
export async function analyseDataset(
  context: PipelineContext,
  entry: DatasetEntry,
  run: { id: string; reason: Report['run']['reason'] },
): Promise<DatasetOutcome> {
  const startedAt = context.clock.now().toISOString();
  let manifest: Manifest | undefined;
  try {
    const text = await readText(context.store, entry.manifestKey);
    manifest = parseManifest(text, entry.manifestKey);
    if (manifest.dataset !== entry.id) {
      throw new RepscopeError(
        'MANIFEST_INVALID',
        `${entry.manifestKey}: dataset '${manifest.dataset}' does not match its folder '${entry.id}'; expected them equal`,
      );
    }
    if (!entry.version) {
      throw new RepscopeError(
        'INPUT_UNREADABLE',
        `datasets/${entry.id}/: no version folder with data files; expected datasets/${entry.id}/<version>/<file>`,
      );
    }
    const profiled = await profileStage({
      store: context.store,
      files: entry.fileKeys.map((key) => ({ key, name: key })),
      manifest,
      catalogue: context.catalogue,
      ...(context.onProgress ? { onProgress: context.onProgress } : {}),
      ...(context.parallel ? { parallel: context.parallel } : {}),
    });
    const report = await compareStage({
      store: context.store,
      engine: context.engine,
      manifest,
      manifestSha256: sha256(text),
      catalogue: context.catalogue,
      profiled,
      dataset: { id: entry.id, version: entry.version },
      run: { id: run.id, startedAt, finishedAt: context.clock.now().toISOString(), reason: run.reason },
      codeVersion: context.codeVersion,
    });
    return { dataset: entry.id, report };
  } catch (error) {
    if (!(error instanceof RepscopeError)) throw error;
    context.logger.error('dataset failed', { dataset: entry.id, code: error.code });
    const report = errorReport(
      entry,
      run,
      startedAt,
      context.clock.now().toISOString(),
      error,
      manifest,
      context.codeVersion,
    );
    await context.store.write(lakeKeys.report(entry.id, run.id), `${JSON.stringify(report, null, 2)}\n`);
    return { dataset: entry.id, report, error };
  }
}

/** `repscope run`: every dataset under the root through profile → compare, then publish the site. */
export async function runRoot(
  context: PipelineContext,
  reason: Report['run']['reason'] = 'manual',
): Promise<{ outcomes: DatasetOutcome[]; siteFiles: number }> {
  await writeReferenceTable(context.store, context.catalogue);
  const entries = await discoverDatasets(context.store);
  const id = await freshRunId(context);
  const outcomes: DatasetOutcome[] = [];
  for (const entry of entries) {
    context.logger.info('analysing dataset', { dataset: entry.id, files: entry.fileKeys.length });
    outcomes.push(await analyseDataset(context, entry, { id, reason }));
  }
  const siteFiles = await publishStage({ store: context.store, clock: context.clock });
  return { outcomes, siteFiles };
}

async function freshRunId(context: PipelineContext): Promise<string> {
  const base = runId(context.clock.now());
  const existing = new Set((await context.store.list('lake/reports/')).map((o) => o.key.split('/')[3]));
  if (!existing.has(`run=${base}`)) return base;
  for (let n = 2; ; n++) if (!existing.has(`run=${base}-${n}`)) return `${base}-${n}`;
}

function errorReport(
  entry: DatasetEntry,
  run: { id: string; reason: Report['run']['reason'] },
  startedAt: string,
  finishedAt: string,
  error: RepscopeError,
  manifest: Manifest | undefined,
  codeVersion: string,
): Report {
  return reportSchema.parse({
    schema: REPORT_SCHEMA_ID,
    dataset: {
      id: entry.id,
      version: entry.version ?? 'none',
      source: {
        uri: `datasets/${entry.id}/${entry.version ?? ''}`,
        bytes: 0,
        format: manifest?.format ?? 'csv',
        compression: 'none',
      },
    },
    run: { id: run.id, startedAt, finishedAt, reason: run.reason },
    status: 'error',
    rows: { read: 0, used: 0, excludedNoConsent: 0, malformed: 0 },
    thresholds: manifest?.thresholds ?? {
      minRatio: 0.8,
      maxRatio: 1.25,
      maxTvd: 0.05,
      minGroupCount: 30,
      alpha: 0.05,
    },
    privacy: { minCellSize: manifest?.privacy.minCellSize ?? 10, suppressed: false },
    attributes: [],
    intersections: [],
    checks: [{ id: 'input', status: 'fail', message: error.message }],
    warnings: [{ code: error.code.toLowerCase().replaceAll('_', '-'), message: error.message }],
    provenance: { manifestSha256: '', references: [], codeVersion, columnsRead: [] },
  });
}
