import { PublishError } from '../core/errors.ts';
import { lakeKeys, parseLakeKey, sitePath } from '../core/lake/layout.ts';
import { formatIssues } from '../core/manifest/parse.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import { suppressReport } from '../core/privacy/suppress.ts';
import { REPORT_SCHEMA_ID, type Report, reportSchema } from '../core/report/schema.ts';
import { eachBounded } from './each-bounded.ts';
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
}) => Promise<readonly SiteFile[]>;

export interface PublishStageInput {
  readonly store: ObjectStore;
  readonly clock: Clock;
  readonly renderSite: SiteRenderer;
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
  const { store } = input;
  const indexKey = `${lakeKeys.site}${sitePath.index}`;
  for (let attempt = 1; attempt <= INDEX_ATTEMPTS; attempt++) {
    const before = await store.head(indexKey);
    const files = await input.renderSite({
      reports: await publishedReports(store),
      generatedAt: input.clock.now().toISOString(),
    });
    const index = files.find((f) => f.path === sitePath.index);
    await eachBounded(
      files.filter((f) => f !== index),
      WRITE_CONCURRENCY,
      (f) => store.write(`${lakeKeys.site}${f.path}`, f.body, f.contentType),
    );
    if (index === undefined) return files.length;
    const condition = before ? { ifEtag: before.etag } : ({ ifAbsent: true } as const);
    if (await store.writeIf(indexKey, index.body, condition, index.contentType)) return files.length;
    // Another publish won: wait a little (random, so two losers do not collide again) and redo.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 250 * attempt));
  }
  throw new PublishError(
    'INDEX_CONFLICT',
    `${store.uri(indexKey)} changed under ${INDEX_ATTEMPTS} publishes in a row; expected it to settle`,
  );
}

/** Every report in the lake, as its published (suppressed) copy. */
async function publishedReports(store: ObjectStore): Promise<Report[]> {
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
    reports.push(suppressReport(parsed.data, parsed.data.privacy.minCellSize));
  }
  return reports;
}
