import { renderSite } from '../../web/site.tsx';
import { lakeKeys } from '../core/lake/layout.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import { suppressReport } from '../core/privacy/suppress.ts';
import { type Report, reportSchema } from '../core/report/schema.ts';
import { readText } from './io.ts';

/**
 * Publish: every report in the lake, small cells suppressed, rendered to static pages. All pages
 * are rendered before the first is written, so a failure leaves the previous site in place; the
 * top index is written last.
 */
export async function publishStage(input: { store: ObjectStore; clock: Clock }): Promise<number> {
  const { store } = input;
  const keys = (await store.list(lakeKeys.reportsPrefix)).filter((o) => o.key.endsWith('/report.json'));
  const reports: Report[] = [];
  for (const o of keys) {
    const parsed = reportSchema.safeParse(JSON.parse(await readText(store, o.key)));
    if (!parsed.success)
      throw new Error(`${o.key} does not match ${'repscope/report@1'}: ${parsed.error.issues[0]?.message}`);
    reports.push(suppressReport(parsed.data, parsed.data.privacy.minCellSize));
  }
  const files = await renderSite({ reports, generatedAt: input.clock.now().toISOString() });
  const ordered = [
    ...files.filter((f) => f.path !== 'index.html'),
    ...files.filter((f) => f.path === 'index.html'),
  ];
  for (const f of ordered) await store.write(`${lakeKeys.site}${f.path}`, f.body, f.contentType);
  return files.length;
}
