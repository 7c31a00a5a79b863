import type { Alert } from '../core/history/alerts.ts';
import { lakeKeys, parseDatasetKey, parseLakeKey, runId } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import type { Report } from '../core/report/schema.ts';
import { type AnalyseContext, analyse, type DatasetEntry, type DatasetOutcome } from './analyse.ts';
import { claimRun } from './claim-run.ts';
import { readReport } from './history.ts';
import { publishSite, type SiteRenderer } from './publish-stage.ts';
import {
  declaresTable,
  keptRuns,
  planRecompare,
  type Recompare,
  recompareRun,
  type SkippedDataset,
  textIfPresent,
} from './recompare.ts';
import { writeReferenceTable } from './references.ts';
import { runInputs } from './run-inputs.ts';

export interface RunRootContext extends AnalyseContext {
  /** web/'s renderSite: publishing is the one stage that needs the site stack (preact, vega). */
  readonly renderSite: SiteRenderer;
}

const versionOrder = new Intl.Collator('en', { numeric: true });

/**
 * The registered datasets: each with a manifest under `datasets/<id>/repscope.yaml`, or with a run
 * the lake keeps (its manifest expired with the raw uploads; the kept run's manifest stands in),
 * with the files of its newest `datasets/<id>/<version>/` and its newest kept run.
 */
export async function discoverDatasets(store: ObjectStore): Promise<DatasetEntry[]> {
  const ids = new Map<string, { manifest: boolean; versions: Map<string, string[]> }>();
  const of = (id: string) => {
    const entry = ids.get(id) ?? { manifest: false, versions: new Map<string, string[]>() };
    ids.set(id, entry);
    return entry;
  };
  for (const o of await store.list(lakeKeys.datasetsPrefix)) {
    const key = parseDatasetKey(o.key);
    if (!key) continue;
    const entry = of(key.dataset);
    if (key.kind === 'manifest') entry.manifest = true;
    else entry.versions.set(key.version, [...(entry.versions.get(key.version) ?? []), o.key]);
  }
  const kept = await keptRuns(store);
  for (const id of kept.keys()) of(id);
  return [...ids.entries()]
    .filter(([id, e]) => e.manifest || kept.has(id))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, e]) => {
      const version = [...e.versions.keys()].sort(versionOrder.compare).at(-1) ?? null;
      const run = kept.get(id);
      return {
        id,
        manifestKey: lakeKeys.manifest(id),
        version,
        files: (version ? e.versions.get(version)! : []).map((key) => ({ key, name: key })),
        ...(run === undefined ? {} : { kept: run }),
      };
    });
}

/** How a run gets a dataset's counts: by reading its data, by comparing a kept profile again, or not at all. */
export type CountsSource =
  | { readonly kind: 'read'; readonly table: boolean }
  | { readonly kind: 'recompare'; readonly recompare: Recompare }
  | { readonly kind: 'none'; readonly reason: string; readonly manifest: boolean };

/**
 * A dataset with data files and its manifest, or registered as a table, is read. Without them (its
 * uploads or its manifest expired) its newest kept run is compared again when the plan allows it
 * (recompare.ts), else there is nothing to run and the reason says why. The catalogue is loaded
 * only when a recompare is weighed.
 */
export async function countsSource(
  store: ObjectStore,
  entry: DatasetEntry,
  catalogue: () => Promise<ReferenceCatalogue>,
): Promise<CountsSource> {
  const manifest = await textIfPresent(store, entry.manifestKey);
  const table = declaresTable(manifest);
  // Data without its manifest (the manifest expired first) cannot be profiled: its newest kept
  // run, which read it while the manifest was there, is compared again instead.
  const readable = manifest !== undefined || entry.kept === undefined;
  if (table || (entry.files.length > 0 && readable)) return { kind: 'read', table };
  const decision = await planRecompare(store, entry.id, entry.kept, await catalogue());
  if (decision.recompare) return { kind: 'recompare', recompare: decision.recompare };
  return { kind: 'none', reason: decision.reason, manifest: manifest !== undefined };
}

export interface RunRootResult {
  readonly outcomes: DatasetOutcome[];
  readonly siteFiles: number;
  /** Alerts of the runs this call added (a duplicate raises none again). */
  readonly alerts: readonly Alert[];
  /** Datasets with nothing to run (no data, no kept run to compare again), and why. */
  readonly skipped: readonly SkippedDataset[];
}

/**
 * `repscope run`: every dataset under the root through profile → compare (or, its uploads expired,
 * a compare of its kept profile: `countsSource`), then publish the site.
 */
export async function runRoot(
  context: RunRootContext,
  reason: Report['run']['reason'] = 'manual',
  select: (entries: DatasetEntry[]) => Promise<DatasetEntry[]> = async (entries) => entries,
): Promise<RunRootResult> {
  await writeReferenceTable(context.store, context.catalogue);
  const entries = await select(await discoverDatasets(context.store));
  const id = await freshRunId(context);
  const outcomes: DatasetOutcome[] = [];
  const skipped: SkippedDataset[] = [];
  for (const entry of entries) {
    const source = await countsSource(context.store, entry, async () => context.catalogue);
    // A rescan says what it cannot run; `run` reports a registered dataset without data as an
    // error run, as before (a dataset known only by a kept run has no manifest to report against).
    if (source.kind === 'none' && (reason === 'schedule' || !source.manifest)) {
      context.logger.warn('dataset skipped', { dataset: entry.id, reason: source.reason });
      skipped.push({ dataset: entry.id, reason: source.reason });
      continue;
    }
    const inputs =
      source.kind === 'recompare'
        ? source.recompare.inputs
        : await runInputs(context.store, entry.manifestKey, entry.files, context.catalogue);
    const claim = await claimRun(context.store, { dataset: entry.id, inputs }, context.clock.now(), {
      run: id,
    });
    const reportKey = lakeKeys.report(entry.id, claim.run);
    // A claim without its report is a run that stopped half-way: it is done again under its id.
    if (!claim.fresh && (await context.store.head(reportKey))) {
      context.logger.info('inputs unchanged', { dataset: entry.id, run: claim.run });
      outcomes.push({
        dataset: entry.id,
        report: await readReport(context.store, reportKey),
        duplicate: true,
      });
      continue;
    }
    const run = { id: claim.run, reason, claim: claim.claimKey };
    let outcome: DatasetOutcome;
    if (source.kind === 'recompare') {
      context.logger.info('comparing a kept profile again', {
        dataset: entry.id,
        from: source.recompare.from,
      });
      outcome = await recompareRun(source.recompare, context, run);
    } else {
      context.logger.info('analysing dataset', { dataset: entry.id, files: entry.files.length });
      outcome = await analyse(entry, context, run);
    }
    if (outcome.error)
      context.logger.error('dataset failed', { dataset: entry.id, code: outcome.error.code });
    outcomes.push(outcome);
  }
  const published = await publishSite({
    store: context.store,
    clock: context.clock,
    renderSite: context.renderSite,
  });
  const fresh = new Set(outcomes.filter((o) => !o.duplicate).map((o) => `${o.dataset}/${o.report.run.id}`));
  const alerts = published.histories
    .flatMap((h) => h.alerts)
    .filter((a) => fresh.has(`${a.dataset}/${a.run}`));
  return { outcomes, siteFiles: published.files, alerts, skipped };
}

async function freshRunId(context: AnalyseContext): Promise<string> {
  const base = runId(context.clock.now());
  const existing = new Set(
    (await context.store.list(lakeKeys.reportsPrefix)).map((o) => parseLakeKey(o.key)?.run),
  );
  if (!existing.has(base)) return base;
  for (let n = 2; ; n++) if (!existing.has(`${base}-${n}`)) return `${base}-${n}`;
}
