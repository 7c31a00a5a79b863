import type { Alert } from '../core/history/alerts.ts';
import { lakeKeys, parseDatasetKey, parseLakeKey, runId } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { Report } from '../core/report/schema.ts';
import { type AnalyseContext, analyse, type DatasetEntry, type DatasetOutcome } from './analyse.ts';
import { claimRun } from './claim-run.ts';
import { readReport } from './history.ts';
import { publishSite, type SiteRenderer } from './publish-stage.ts';
import { writeReferenceTable } from './references.ts';
import { runInputs } from './run-inputs.ts';

export interface RunRootContext extends AnalyseContext {
  /** web/'s renderSite: publishing is the one stage that needs the site stack (preact, vega). */
  readonly renderSite: SiteRenderer;
}

const versionOrder = new Intl.Collator('en', { numeric: true });

/** Every `datasets/<id>/repscope.yaml` with the files of its newest `datasets/<id>/<version>/`. */
export async function discoverDatasets(store: ObjectStore): Promise<DatasetEntry[]> {
  const ids = new Map<string, { manifest: boolean; versions: Map<string, string[]> }>();
  for (const o of await store.list(lakeKeys.datasetsPrefix)) {
    const key = parseDatasetKey(o.key);
    if (!key) continue;
    const entry = ids.get(key.dataset) ?? { manifest: false, versions: new Map() };
    ids.set(key.dataset, entry);
    if (key.kind === 'manifest') entry.manifest = true;
    else entry.versions.set(key.version, [...(entry.versions.get(key.version) ?? []), o.key]);
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
        files: (version ? e.versions.get(version)! : []).map((key) => ({ key, name: key })),
      };
    });
}

export interface RunRootResult {
  readonly outcomes: DatasetOutcome[];
  readonly siteFiles: number;
  /** Alerts of the runs this call added (a duplicate raises none again). */
  readonly alerts: readonly Alert[];
}

/** `repscope run`: every dataset under the root through profile → compare, then publish the site. */
export async function runRoot(
  context: RunRootContext,
  reason: Report['run']['reason'] = 'manual',
  select: (entries: DatasetEntry[]) => Promise<DatasetEntry[]> = async (entries) => entries,
): Promise<RunRootResult> {
  await writeReferenceTable(context.store, context.catalogue);
  const entries = await select(await discoverDatasets(context.store));
  const id = await freshRunId(context);
  const outcomes: DatasetOutcome[] = [];
  for (const entry of entries) {
    const inputs = await runInputs(context.store, entry.manifestKey, entry.files, context.catalogue);
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
    context.logger.info('analysing dataset', { dataset: entry.id, files: entry.files.length });
    const outcome = await analyse(entry, context, { id: claim.run, reason });
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
  return { outcomes, siteFiles: published.files, alerts };
}

async function freshRunId(context: AnalyseContext): Promise<string> {
  const base = runId(context.clock.now());
  const existing = new Set(
    (await context.store.list(lakeKeys.reportsPrefix)).map((o) => parseLakeKey(o.key)?.run),
  );
  if (!existing.has(base)) return base;
  for (let n = 2; ; n++) if (!existing.has(`${base}-${n}`)) return `${base}-${n}`;
}
