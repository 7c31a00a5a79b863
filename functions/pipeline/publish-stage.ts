import { PublishError } from '../core/errors.ts';
import { lakeKeys, parseLakeKey } from '../core/lake/layout.ts';
import { formatIssues } from '../core/manifest/parse.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import { suppressReport } from '../core/privacy/suppress.ts';
import { REPORT_SCHEMA_ID, type Report, reportSchema } from '../core/report/schema.ts';
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
 * Publish: every report in the lake, small cells suppressed, rendered to static pages. All pages
 * are rendered before the first is written, so a failure leaves the previous site in place; the
 * top index is written last.
 */
export async function publishStage(input: PublishStageInput): Promise<number> {
  const { store } = input;
  const keys = (await store.list(lakeKeys.reportsPrefix)).filter(
    (o) => parseLakeKey(o.key)?.file === 'report.json',
  );
  const reports: Report[] = [];
  for (const o of keys) {
    const text = await readText(store, o.key);
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
  const files = await input.renderSite({ reports, generatedAt: input.clock.now().toISOString() });
  const ordered = [
    ...files.filter((f) => f.path !== 'index.html'),
    ...files.filter((f) => f.path === 'index.html'),
  ];
  for (const f of ordered) await store.write(`${lakeKeys.site}${f.path}`, f.body, f.contentType);
  return files.length;
}
