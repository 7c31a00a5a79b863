import { PublishError } from '../core/errors.ts';
import { buildDatasetHistory, type DatasetHistory } from '../core/history/series.ts';
import { lakeKeys, parseLakeKey, sitePath } from '../core/lake/layout.ts';
import { formatIssues } from '../core/manifest/issues.ts';
import type { Clock, Notifier, ObjectStore } from '../core/ports.ts';
import { suppressRuns } from '../core/privacy/suppress.ts';
import { REPORT_SCHEMA_ID, type Report, reportSchema } from '../core/report/schema.ts';
import { readBaseline } from './baseline.ts';
import { eachBounded } from './each-bounded.ts';
import { recordRuns } from './history.ts';
import { readText } from './io.ts';

/** One file of the site, its path relative to the site root. */
export interface SiteFile {
  readonly path: string;
  readonly body: string | Uint8Array;
  readonly contentType: string;
}

/**
 * Renders published (suppressed) reports to the site's files: web/'s `renderSite`. Passed in, so
 * the stage does not load preact and vega and a publish handler states that it does.
 */
export type SiteRenderer = (input: {
  readonly reports: readonly Report[];
  readonly generatedAt: string;
  /** Each dataset's history (trend series, drift, alerts), computed from the same published copies. */
  readonly histories: readonly DatasetHistory[];
}) => Promise<readonly SiteFile[]>;

export interface PublishStageInput {
  readonly store: ObjectStore;
  readonly clock: Clock;
  readonly renderSite: SiteRenderer;
  /**
   * Sends the alerts of `notifyRuns` once the site shows them (an SNS topic in AWS).
   * @default - no messages (the CLI prints the alerts itself)
   */
  readonly notifier?: Notifier;
  /** The runs this publish is for: their alerts go to the notifier. @default - none */
  readonly notifyRuns?: readonly { readonly dataset: string; readonly run: string }[];
}

export interface PublishResult {
  /** Files written to the site. */
  readonly files: number;
  /** Every dataset's history as the site shows it. */
  readonly histories: readonly DatasetHistory[];
}

/**
 * How often a publish that lost the race for the site index renders again from the newer lake.
 * @see publishStage
 */
const INDEX_ATTEMPTS = 8;

/**
 * How many site files are written at once. Each is a small PUT whose time is mostly the round
 * trip, so a handful in flight cuts a cold publish's writes several-fold while staying far below
 * S3's per-prefix request rates and the SDK's socket pool (50).
 */
const WRITE_CONCURRENCY = 8;

/** How many reports are read from the lake at once (every run of every dataset is published). */
const READ_CONCURRENCY = 8;

/**
 * Publish: every report in the lake, small cells suppressed, rendered to static pages. All pages
 * are rendered before the first is written, so a failure leaves the previous site in place; the
 * top index is written last, and only if it is still the version seen before the lake was read:
 * two runs publishing at once (two Lambdas) cannot leave an index that misses the later run —
 * the one that loses renders again from the lake as it now is.
 */
export async function publishStage(input: PublishStageInput): Promise<number> {
  return (await publishSite(input)).files;
}

/** {@link publishStage}, also returning the histories it published and sending the alerts asked for. */
export async function publishSite(input: PublishStageInput): Promise<PublishResult> {
  const { store } = input;
  const indexKey = `${lakeKeys.site}${sitePath.index}`;
  for (let attempt = 1; attempt <= INDEX_ATTEMPTS; attempt++) {
    const before = await store.head(indexKey);
    // Each report is read and validated once per attempt: its runs row and its published copy.
    const lake = await lakeReports(store);
    // Each dataset's runs oldest first, each suppressed with the one before (docs/PRIVACY.md).
    const reports = suppressRuns(lake);
    // The runs rows and the baselines are separate keys: their round trips overlap.
    const [, histories] = await Promise.all([
      attempt === 1 ? recordAllRuns(store, lake) : undefined,
      historiesOf(store, reports),
    ]);
    const files = await input.renderSite({
      reports,
      generatedAt: input.clock.now().toISOString(),
      histories,
    });
    const index = files.find((f) => f.path === sitePath.index);
    await eachBounded(
      files.filter((f) => f !== index),
      WRITE_CONCURRENCY,
      (f) => store.write(`${lakeKeys.site}${f.path}`, f.body, f.contentType),
    );
    const condition = before ? { ifEtag: before.etag } : ({ ifAbsent: true } as const);
    if (index === undefined || (await store.writeIf(indexKey, index.body, condition, index.contentType))) {
      await notify(input, histories);
      return { files: files.length, histories };
    }
    // Another publish won: wait a little (random, so two losers do not collide again) and redo.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 250 * attempt));
  }
  throw new PublishError(
    'INDEX_CONFLICT',
    `${store.uri(indexKey)} changed under ${INDEX_ATTEMPTS} publishes in a row; expected it to settle`,
  );
}

/** Every report in the lake, validated (the exact counts: only their suppressed copies are published). */
async function lakeReports(store: ObjectStore): Promise<Report[]> {
  const keys = (await store.list(lakeKeys.reportsPrefix)).filter(
    (o) => parseLakeKey(o.key)?.file === 'report.json',
  );
  const texts = new Array<string>(keys.length);
  await eachBounded([...keys.keys()], READ_CONCURRENCY, async (i) => {
    texts[i] = await readText(store, keys[i]!.key);
  });
  const reports: Report[] = [];
  for (const [i, o] of keys.entries()) {
    const text = texts[i]!;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new PublishError(
        'REPORT_INVALID',
        `${o.key}: not valid JSON; expected a ${REPORT_SCHEMA_ID} report`,
        {
          cause,
        },
      );
    }
    const parsed = reportSchema.safeParse(json);
    if (!parsed.success) {
      throw new PublishError(
        'REPORT_INVALID',
        `${o.key} does not match ${REPORT_SCHEMA_ID}: ${formatIssues(parsed.error.issues)}`,
      );
    }
    reports.push(parsed.data);
  }
  return reports;
}

/**
 * The `runs` table rows of every report that has none yet: every path that writes a report (a
 * run, an error report of a failed step) ends in a publish, so the table is complete once the
 * site is.
 */
async function recordAllRuns(store: ObjectStore, reports: readonly Report[]): Promise<void> {
  const byRun = new Map(reports.map((r) => [`${r.dataset.id}/${r.run.id}`, r]));
  for (const dataset of new Set(reports.map((r) => r.dataset.id))) {
    // The lake's reports were just listed: their runs are not listed again.
    const reported = reports.filter((r) => r.dataset.id === dataset).map((r) => r.run.id);
    await recordRuns(store, dataset, (run) => byRun.get(`${dataset}/${run}`), reported.sort());
  }
}

/** Each dataset's history from its published copies and its pinned baseline. */
async function historiesOf(store: ObjectStore, reports: readonly Report[]): Promise<DatasetHistory[]> {
  const byDataset = new Map<string, Report[]>();
  for (const r of reports) byDataset.set(r.dataset.id, [...(byDataset.get(r.dataset.id) ?? []), r]);
  const histories: DatasetHistory[] = [];
  for (const [dataset, runs] of [...byDataset].sort(([a], [b]) => (a < b ? -1 : 1))) {
    histories.push(buildDatasetHistory(dataset, runs, await readBaseline(store, dataset)));
  }
  return histories;
}

/** Sends the alerts of the runs this publish is for. */
async function notify(input: PublishStageInput, histories: readonly DatasetHistory[]): Promise<void> {
  if (!input.notifier || !input.notifyRuns?.length) return;
  const wanted = new Set(input.notifyRuns.map((r) => `${r.dataset}/${r.run}`));
  const alerts = histories.flatMap((h) => h.alerts).filter((a) => wanted.has(`${a.dataset}/${a.run}`));
  if (alerts.length > 0) await input.notifier.notify(alerts);
}
