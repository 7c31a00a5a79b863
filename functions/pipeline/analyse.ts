import { RepscopeError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import { groupCountRows, toJsonLines } from '../core/lake/tables.ts';
import { parseManifest } from '../core/manifest/parse.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import type { Clock, Logger, ObjectStore, Profiler, QueryEngine } from '../core/ports.ts';
import { planFingerprint } from '../core/profile/plan.ts';
import type { Profile } from '../core/profile/profile.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import type { Report, ReportWarning } from '../core/report/schema.ts';
import { compareStage } from './compare-stage.ts';
import { errorReport } from './error-report.ts';
import { readText, sha256 } from './io.ts';
import {
  type DataFile,
  type ProfileProgress,
  type ProfileStageOutput,
  profileStage,
} from './profile-stage.ts';
import { stageProfiledRun } from './staged-run.ts';
import { profileTableStage } from './table-profile.ts';

/**
 * What analysing a dataset needs from outside, built once per process (the CLI) or per cold start
 * (a Lambda handler): the lake, the query engine, the profiler and the references.
 */
export interface AnalyseContext {
  /** The lake: the manifest and data files are read from it, the run's tables written to it. */
  readonly store: ObjectStore;
  readonly engine: QueryEngine;
  /**
   * Counts the data files: streaming (threads) or a GROUPING SETS query (DuckDB, Athena). A
   * dataset registered as a table is counted by the engine instead (`table-profile.ts`).
   */
  readonly profiler: Profiler;
  /** Every population the manifests may name; its table must already be in the lake. */
  readonly catalogue: ReferenceCatalogue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly codeVersion: string;
  /** Called as the data files are read; for progress bars. */
  readonly onProgress?: (progress: ProfileProgress) => void;
}

/** What the compare half needs: no profiler, nothing is read from the data. */
export type CompareContext = Omit<AnalyseContext, 'profiler' | 'onProgress'>;

/** One dataset's manifest and the data files of one version, as found in the lake or an event. */
export interface DatasetEntry {
  readonly id: string;
  readonly manifestKey: string;
  /** null when the dataset has no version folder with files (the report then says so). */
  readonly version: string | null;
  readonly files: readonly DataFile[];
  /**
   * The newest run whose profile and profiled record the lake keeps (`lakeKeys.profiledRun`): what
   * a rescan re-compares once the data files expired, and what keeps the dataset registered
   * after its manifest under `datasets/` expired too.
   */
  readonly kept?: string;
}

/** Which run this is: its id (partition of every lake table) and why it ran. */
export interface RunInfo {
  readonly id: string;
  readonly reason: Report['run']['reason'];
  /** The key of the run's claim (claim-run.ts), kept with its profile: its inputs name the data. */
  readonly claim?: string;
}

export interface DatasetOutcome {
  readonly dataset: string;
  readonly report: Report;
  /** Set when the dataset could not be analysed; the report then has status `error`. */
  readonly error?: RepscopeError;
  /** Set when the inputs were analysed before: `report` is that run's, and no run was added. */
  readonly duplicate?: true;
}

/**
 * What the profile half of a run hands the compare half, besides the profile itself (which is in
 * the lake at `lakeKeys.profile`): kept in memory by {@link analyse}, staged in the lake between
 * the profile and compare Lambdas. The manifest travels as the text that was profiled, so compare
 * uses that one even when a newer one is uploaded in between.
 */
export interface ProfiledRun {
  readonly manifestText: string;
  readonly startedAt: string;
  /** The dataset version the report names. */
  readonly version: string;
  readonly source: ProfileStageOutput['source'];
  readonly fileColumns: readonly string[];
  /** SHA-256 of the plan's fingerprint (`planFingerprint`): what the counts depend on besides the data. */
  readonly planSha256?: string;
  /** The run's claim key (see RunInfo.claim). */
  readonly claim?: string;
  /**
   * Set when this run read no data but re-compared a kept profile (recompare.ts): the run that
   * read the data, and when it started. The report then says so in a `recompared` warning.
   */
  readonly recompared?: { readonly run: string; readonly readAt: string };
}

/** The profile half's result: the run profiled, or (bad input) the error outcome already reported. */
export type ProfileOutcome =
  | { readonly profiled: ProfiledRun; readonly profile: Profile }
  | (DatasetOutcome & { readonly profiled?: undefined });

/**
 * profile → compare for one dataset: the one sequence `check`, `run` and the handlers share (the
 * handlers run its two halves, {@link profileRun} and {@link compareRun}, in two Lambdas). Bad
 * input (and a failing store or engine) becomes an `error` report in the lake and the outcome's
 * `error`, so a run over many datasets goes on; other errors are bugs and propagate.
 */
export async function analyse(
  entry: DatasetEntry,
  context: AnalyseContext,
  run: RunInfo,
): Promise<DatasetOutcome> {
  const first = await profileRun(entry, context, run);
  if (!first.profiled) return first;
  return compareRun(entry, context, run, first.profiled, first.profile);
}

/**
 * The profile half: reads and checks the manifest, profiles the data files and writes the run's
 * exact profile and group_counts to the lake, where compare reads them.
 */
export async function profileRun(
  entry: DatasetEntry,
  context: AnalyseContext,
  run: RunInfo,
): Promise<ProfileOutcome> {
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
    // A table dataset's data is its table, unless files were given (`check` of a sample file).
    const table = entry.files.length === 0 ? manifest.table?.name : undefined;
    const version = table ?? entry.version;
    if (!version) {
      throw new RepscopeError(
        'INPUT_UNREADABLE',
        `${lakeKeys.datasetPrefix(entry.id)}: no version folder with data files; expected ${lakeKeys.dataFile(entry.id, '<version>', '<file>')}`,
      );
    }
    const profiled = table
      ? await profileTableStage({ engine: context.engine, table, manifest, catalogue: context.catalogue })
      : await profileStage({
          store: context.store,
          profiler: context.profiler,
          files: entry.files,
          manifest,
          catalogue: context.catalogue,
          ...(context.onProgress ? { onProgress: context.onProgress } : {}),
        });
    const kept: ProfiledRun = {
      manifestText: text,
      startedAt,
      version,
      source: profiled.source,
      fileColumns: profiled.fileColumns,
      planSha256: sha256(planFingerprint(profiled.plan, manifest)),
      ...(run.claim === undefined ? {} : { claim: run.claim }),
    };
    await keepProfiledRun(context.store, entry.id, run.id, kept, profiled.profile);
    return { profile: profiled.profile, profiled: kept };
  } catch (error) {
    return reportError(error, entry, context, run, startedAt, manifest);
  }
}

/**
 * The compare half: joins the run's group_counts with the references in the query engine, computes
 * the statistics and writes the report. `profile` is the one {@link profileRun} wrote.
 */
export async function compareRun(
  entry: DatasetEntry,
  context: CompareContext,
  run: RunInfo,
  profiled: ProfiledRun,
  profile: Profile,
): Promise<DatasetOutcome> {
  const versioned = { ...entry, version: profiled.version };
  let manifest: Manifest | undefined;
  try {
    manifest = parseManifest(profiled.manifestText, entry.manifestKey);
    const finishedAt = context.clock.now().toISOString();
    const report = await compareStage({
      store: context.store,
      engine: context.engine,
      manifest,
      manifestSha256: sha256(profiled.manifestText),
      catalogue: context.catalogue,
      profiled: { profile, source: profiled.source, fileColumns: profiled.fileColumns },
      dataset: { id: entry.id, version: profiled.version },
      run: {
        id: run.id,
        startedAt: profiled.startedAt,
        finishedAt,
        reason: run.reason,
      },
      codeVersion: context.codeVersion,
      notes: profiled.recompared ? [recomparedWarning(profiled, profiled.recompared, finishedAt)] : [],
    });
    return { dataset: entry.id, report };
  } catch (error) {
    return reportError(error, versioned, context, run, profiled.startedAt, manifest);
  }
}

/**
 * Where a re-compared run's counts came from, said in its report: the run that read the data and
 * when, and that its upload or manifest has expired since. Ids and dates only, never row data.
 */
export function recomparedWarning(
  profiled: Pick<ProfiledRun, 'version'>,
  from: NonNullable<ProfiledRun['recompared']>,
  at: string,
): ReportWarning {
  return {
    code: 'recompared',
    message: `re-compared from the profile of run ${from.run} (version ${profiled.version}, read on ${from.readAt.slice(0, 10)}): its raw upload or manifest has expired since (not under datasets/ on ${at.slice(0, 10)}), so this run read no rows; its counts are that run's`,
  };
}

/**
 * Writes a run's exact profile, its group_counts and its profiled record (lakeKeys.profiledRun),
 * which compare reads back and which outlive the raw upload (see recompare.ts).
 */
export async function keepProfiledRun(
  store: ObjectStore,
  dataset: string,
  run: string,
  profiled: ProfiledRun,
  profile: Profile,
): Promise<void> {
  await store.write(lakeKeys.profile(dataset, run), JSON.stringify(profile));
  await store.write(lakeKeys.groupCounts(dataset, run), toJsonLines(groupCountRows(profile)));
  await stageProfiledRun(store, dataset, run, profiled);
}

/** A repscope error as the run's `error` report in the lake; anything else is a bug and propagates. */
async function reportError(
  error: unknown,
  entry: DatasetEntry,
  context: CompareContext,
  run: RunInfo,
  startedAt: string,
  manifest: Manifest | undefined,
): Promise<DatasetOutcome> {
  if (!(error instanceof RepscopeError)) throw error;
  const finishedAt = context.clock.now().toISOString();
  const report = errorReport(entry, run, { startedAt, finishedAt }, error, manifest, context.codeVersion);
  await context.store.write(lakeKeys.report(entry.id, run.id), `${JSON.stringify(report, null, 2)}\n`);
  return { dataset: entry.id, report, error };
}
