import { RepscopeError } from '../core/errors.ts';
import { lakeKeys, parseLakeKey, RUN_ID_PATTERN } from '../core/lake/layout.ts';
import { declaredTable, parseManifest } from '../core/manifest/parse.ts';
import { DATASET_ID_PATTERN } from '../core/manifest/patterns.ts';
import type { ObjectStore } from '../core/ports.ts';
import { planFingerprint } from '../core/profile/plan.ts';
import type { Profile } from '../core/profile/profile.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { REPORT_SCHEMA_ID } from '../core/report/schema.ts';
import {
  type CompareContext,
  compareRun,
  type DatasetEntry,
  type DatasetOutcome,
  keepProfiledRun,
  type ProfiledRun,
  type RunInfo,
} from './analyse.ts';
import { readText, sha256 } from './io.ts';
import { planFor } from './profile-stage.ts';
import { type RunInputs, referenceDigests } from './run-inputs.ts';
import { readProfiledRecord } from './staged-run.ts';

/**
 * Raw uploads expire (the bucket's lifecycle rule on `datasets/`, manifests included), but a run's
 * exact profile and its profiled record (the manifest text, the data's provenance, the plan's
 * digest, the claim) are kept in the lake. A dataset whose data is gone can then still be compared
 * again when a reference it uses is revised: a compare-only run over the kept profile of its
 * newest run, with inputs whose data part is that run's (so unchanged references stay a duplicate).
 */

/** The newest run with a kept profile and profiled record, per dataset (or of one dataset). */
export async function keptRuns(store: ObjectStore, dataset?: string): Promise<Map<string, string>> {
  const objects = await store.list(
    dataset === undefined ? lakeKeys.profilesPrefix : lakeKeys.datasetProfilesPrefix(dataset),
  );
  const keys = new Set(objects.map((o) => o.key));
  const newest = new Map<string, string>();
  for (const { key } of objects) {
    const k = parseLakeKey(key);
    if (!k || key !== lakeKeys.profiledRun(k.dataset, k.run)) continue;
    if (!DATASET_ID_PATTERN.test(k.dataset) || !RUN_ID_PATTERN.test(k.run)) continue;
    if (!keys.has(lakeKeys.profile(k.dataset, k.run))) continue;
    const before = newest.get(k.dataset);
    if (before === undefined || before < k.run) newest.set(k.dataset, k.run);
  }
  return newest;
}

/** The text of an object when it exists, else undefined (a manifest that expired). */
export async function textIfPresent(store: ObjectStore, key: string): Promise<string | undefined> {
  return (await store.head(key)) ? readText(store, key) : undefined;
}

/**
 * The manifest a dataset is registered by: the one under `datasets/` while it exists, else the
 * one its newest kept run profiled with (the schedule, references and thresholds it declared).
 */
export async function registeredManifest(
  store: ObjectStore,
  entry: DatasetEntry,
): Promise<string | undefined> {
  const current = await textIfPresent(store, entry.manifestKey);
  if (current !== undefined || entry.kept === undefined) return current;
  return (await readProfiledRecord(store, entry.id, entry.kept)).manifestText;
}

/** Whether a manifest text registers its dataset as a table (`table: { name }`). */
export function declaresTable(text: string | undefined): boolean {
  return text !== undefined && declaredTable(text)?.name !== undefined;
}

/** A compare-only run to make: the kept run it starts from, the manifest to use, the inputs to claim. */
export interface Recompare {
  readonly dataset: string;
  /** The kept run whose profile is compared again. */
  readonly from: string;
  readonly profiled: ProfiledRun;
  /** The manifest under `datasets/` when it still exists (with the same plan), else the kept one. */
  readonly manifestText: string;
  readonly inputs: RunInputs;
}

/** A compare-only run, or why a dataset without data cannot have one. */
export type RecompareDecision =
  | { readonly recompare: Recompare; readonly reason?: undefined }
  | { readonly recompare?: undefined; readonly reason: string };

/** A due dataset with nothing to run, and why (said by `repscope rescan` and the rescan handler). */
export interface SkippedDataset {
  readonly dataset: string;
  readonly reason: string;
}

/** Why a due dataset has nothing to profile (the rescan's `skipped` reason). */
export function noDataReason(dataset: string): string {
  return `no data file under ${lakeKeys.datasetsPrefix}${dataset}/<version>/ (expired or never uploaded) and no table in its manifest`;
}

/**
 * Whether the kept profile of `kept` can be compared again: only when the plan the manifest (the
 * current one, else the kept one) gives with today's references is the plan the profile was
 * counted with. A changed manifest that counts differently, or a revised reference that maps
 * values to other groups, needs the data again; the reason says so.
 */
export async function planRecompare(
  store: ObjectStore,
  dataset: string,
  kept: string | undefined,
  catalogue: ReferenceCatalogue,
): Promise<RecompareDecision> {
  if (kept === undefined) return { reason: noDataReason(dataset) };
  const cannot = (why: string) => ({
    reason: `${noDataReason(dataset)}; the kept profile of run ${kept} cannot be compared again: ${why}`,
  });
  const record = await readProfiledRecord(store, dataset, kept);
  const manifestKey = lakeKeys.manifest(dataset);
  const current = await textIfPresent(store, manifestKey);
  const text = current ?? record.manifestText;
  if (declaresTable(text))
    return cannot('it registers a table, which is counted again once its manifest is uploaded again');
  let fingerprint: string;
  try {
    const manifest = parseManifest(text, current === undefined ? `the manifest of run ${kept}` : manifestKey);
    fingerprint = sha256(planFingerprint(planFor(manifest, catalogue), manifest));
  } catch (error) {
    if (!(error instanceof RepscopeError)) throw error;
    return cannot(error.message);
  }
  if (fingerprint !== record.planSha256) {
    return cannot(
      'the manifest now counts differently, or a revised reference maps values to other groups; upload the data again',
    );
  }
  const data = await keptDataInputs(store, dataset, record);
  return {
    recompare: {
      dataset,
      from: kept,
      profiled: record,
      manifestText: text,
      inputs: {
        schema: REPORT_SCHEMA_ID,
        manifestSha256: sha256(text),
        files: data,
        references: referenceDigests(text, manifestKey, catalogue),
      },
    },
  };
}

/**
 * The data part of a kept run's inputs: the files its claim names (so a re-compare with nothing
 * else changed is that run's claim again: a duplicate), or, without a readable claim, its
 * provenance (the data's uri and SHA-256 or ETag).
 */
async function keptDataInputs(
  store: ObjectStore,
  dataset: string,
  record: ProfiledRun,
): Promise<RunInputs['files']> {
  const claim = record.claim;
  const digest = claim
    ?.split('/')
    .at(-1)
    ?.replace(/\.json$/, '');
  // Only a claim of this dataset is read: the record is the lake's own, but keys stay in their place.
  if (claim !== undefined && digest !== undefined && claim === lakeKeys.claim(dataset, digest)) {
    try {
      const files = (JSON.parse(await readText(store, claim)) as { inputs?: { files?: unknown } }).inputs
        ?.files;
      if (Array.isArray(files)) return files as RunInputs['files'];
    } catch (error) {
      if (!(error instanceof RepscopeError) && !(error instanceof SyntaxError)) throw error;
    }
  }
  return [{ key: record.source.uri, identity: record.source.sha256 ?? record.source.etag ?? '' }];
}

/**
 * Writes the compare-only run's own copies: the kept profile, its group_counts (which compare
 * joins), and its profiled record, which names the run that read the data. Returns them for compare.
 */
export async function keepRecomparedRun(
  store: ObjectStore,
  recompare: Recompare,
  run: Pick<RunInfo, 'id' | 'claim'>,
  at: Date,
): Promise<{ readonly profiled: ProfiledRun; readonly profile: Profile }> {
  const { dataset, from, profiled: kept } = recompare;
  const profile = JSON.parse(await readText(store, lakeKeys.profile(dataset, from), 256 << 20)) as Profile;
  const profiled: ProfiledRun = {
    manifestText: recompare.manifestText,
    startedAt: at.toISOString(),
    version: kept.version,
    source: kept.source,
    fileColumns: kept.fileColumns,
    ...(kept.planSha256 === undefined ? {} : { planSha256: kept.planSha256 }),
    ...(run.claim === undefined ? {} : { claim: run.claim }),
    recompared: kept.recompared ?? { run: from, readAt: kept.startedAt },
  };
  await keepProfiledRun(store, dataset, run.id, profiled, profile);
  return { profiled, profile };
}

/**
 * A compare-only run in one process (`repscope rescan`): the kept profile copied to the new run,
 * then the compare half as after a profile. In AWS the profile step does the first part and the
 * compare step the second.
 */
export async function recompareRun(
  recompare: Recompare,
  context: CompareContext,
  run: RunInfo,
): Promise<DatasetOutcome> {
  const { profiled, profile } = await keepRecomparedRun(context.store, recompare, run, context.clock.now());
  const entry: DatasetEntry = {
    id: recompare.dataset,
    manifestKey: lakeKeys.manifest(recompare.dataset),
    version: profiled.version,
    files: [],
  };
  return compareRun(entry, context, run, profiled, profile);
}
