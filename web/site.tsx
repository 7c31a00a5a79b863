import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';
import { attributeChartValues, labelRateChartValues } from '../functions/core/charts/chart-specs.ts';
import { tvdTrendValues, worstRatioTrendValues } from '../functions/core/charts/history-charts.ts';
import { referencesChartSpec } from '../functions/core/charts/reference-charts.ts';
import { PublishError } from '../functions/core/errors.ts';
import { alertsOfRun, type DatasetHistory } from '../functions/core/history/series.ts';
import { type Report, reportSchema } from '../functions/core/report/schema.ts';
import { renderRuntimeSvg } from './chart-svg.ts';
import { attributeChartRuntime, labelRateChartRuntime, trendChartRuntime } from './chart-templates.ts';
import type { HistoryCharts } from './components/history-section.tsx';
import { DatasetPage } from './pages/dataset-page.tsx';
import { IndexPage } from './pages/index-page.tsx';
import { type RenderedChart, RunPage } from './pages/run-page.tsx';
import { assertDatasetId, assertRunId, sitePath } from './paths.ts';
import { SITE_CSS } from './site-css.ts';

/** One file of the static site, at a path relative to the site root. */
export interface SiteFile {
  readonly path: string;
  readonly body: string | Uint8Array;
  readonly contentType: string;
}

export interface RenderSiteInput {
  /** Published copies only (`suppressReport`): anything else is refused. */
  readonly reports: readonly Report[];
  /** ISO 8601 time shown in every page's footer. */
  readonly generatedAt: string;
  /**
   * Each dataset's history, computed by the pipeline from the same published copies: the dataset
   * page's trend charts, drift findings and alert banner. @default - none (pages without history)
   */
  readonly histories?: readonly DatasetHistory[];
}

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * Renders the whole static site: `index.html`, `datasets/<id>/index.html`,
 * `datasets/<id>/runs/<run>/index.html` with its `report.json`, and `assets/site.css`. Pages need
 * no JavaScript and no network, and link to each other relatively, so the folder works from
 * file:// and under any base path. Charts are SVG drawn at build time.
 *
 * @throws PublishError when a report is not a suppressed copy (`REPORT_NOT_SUPPRESSED`), is not a
 *   valid report@1 (`REPORT_INVALID`), has an id unfit for a path (`INVALID_ID`), or repeats a run
 *   (`DUPLICATE_RUN`).
 */
export async function renderSite(input: RenderSiteInput): Promise<SiteFile[]> {
  const reports = input.reports.map(assertPublishable);
  const byDataset = groupRuns(reports);
  const files: SiteFile[] = [{ path: sitePath.css, body: SITE_CSS, contentType: CSS }];
  const latest = [...byDataset.values()].map((runs) => runs[0]!);
  const historyOf = (id: string) => input.histories?.find((h) => h.dataset === id);
  const latestAlerts = latest.flatMap((r) => {
    const history = historyOf(r.dataset.id);
    return history ? alertsOfRun(history, r.run.id) : [];
  });
  files.push({
    path: sitePath.index,
    body: page(<IndexPage latest={latest} generatedAt={input.generatedAt} alerts={latestAlerts} />),
    contentType: HTML,
  });

  for (const [datasetId, runs] of byDataset) {
    const history = historyOf(datasetId);
    const historyCharts =
      history && history.points.length >= 2 ? await renderHistoryCharts(history) : undefined;
    files.push({
      path: sitePath.dataset(datasetId),
      body: page(
        <DatasetPage
          datasetId={datasetId}
          runs={runs}
          generatedAt={input.generatedAt}
          {...(history ? { history } : {})}
          {...(historyCharts ? { historyCharts } : {})}
        />,
      ),
      contentType: HTML,
    });
    for (const report of runs) {
      const charts = await renderCharts(report);
      const labelCharts = await renderLabelCharts(report);
      const referenceCharts = await renderReferenceCharts(report);
      files.push({
        path: sitePath.run(datasetId, report.run.id),
        body: page(
          <RunPage
            report={report}
            charts={charts}
            labelCharts={labelCharts}
            generatedAt={input.generatedAt}
            alerts={history ? alertsOfRun(history, report.run.id) : []}
            referenceCharts={referenceCharts}
          />,
        ),
        contentType: HTML,
      });
      files.push({
        path: sitePath.runJson(datasetId, report.run.id),
        body: `${JSON.stringify(report, null, 2)}\n`,
        contentType: JSON_TYPE,
      });
    }
  }
  return files;
}

function page(element: VNode): string {
  return `<!doctype html>\n${render(element)}\n`;
}

/** Refuses anything that is not a valid, suppressed report with ids fit for paths. */
function assertPublishable(candidate: Report): Report {
  const where = `dataset ${JSON.stringify(candidate.dataset?.id)}, run ${JSON.stringify(candidate.run?.id)}`;
  const parsed = reportSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new PublishError(
      'REPORT_INVALID',
      `report of ${where} is not a valid report@1: ${parsed.error.message}`,
      {
        cause: parsed.error,
      },
    );
  }
  const report = parsed.data;
  if (report.privacy.suppressed !== true) {
    throw new PublishError(
      'REPORT_NOT_SUPPRESSED',
      `report of ${where} is not a suppressed copy (privacy.suppressed is false); pass it through suppressReport before publishing`,
    );
  }
  assertDatasetId(report.dataset.id);
  assertRunId(report.dataset.id, report.run.id);
  const k = report.privacy.minCellSize;
  const small = visibleSmallCount(report, k);
  if (small !== undefined) {
    throw new PublishError(
      'REPORT_NOT_SUPPRESSED',
      `report of ${where} shows a count below ${k} (${small}) although it is marked suppressed`,
    );
  }
  return report;
}

/**
 * Where a suppressed copy still shows a count in 1..k−1, or undefined: a group or cell, positives
 * or negatives (count − positives) of a shown group, a label row's positives, or a source count.
 * Names the table only, never the group (names may be long or hostile).
 */
function visibleSmallCount(report: Report, k: number): string | undefined {
  const small = (n: number | null | undefined) => n !== null && n !== undefined && n > 0 && n < k;
  for (const table of [...report.attributes, ...report.intersections]) {
    const name = 'name' in table ? table.name : table.attributes.join(' × ');
    for (const g of table.groups) {
      if (small(g.count)) return `a group of ${name}`;
      const p = g.positives;
      if (p !== undefined && p !== null && (small(p) || (g.count !== null && small(g.count - p)))) {
        return `positives of a group of ${name}`;
      }
    }
  }
  for (const a of report.attributes) {
    for (const row of a.labels?.groups ?? []) {
      const group = a.groups.find((g) => g.group === row.group);
      const count = group?.status === 'suppressed' ? null : (group?.count ?? null);
      if (
        small(row.positives) ||
        (row.positives !== null && count !== null && small(count - row.positives))
      ) {
        return `positives of a label row of ${a.name}`;
      }
    }
  }
  const sources = report.sources;
  const sourceCounts = [
    ...(sources?.groups ?? []),
    ...(sources?.attributes ?? []).flatMap((t) => t.groups.flatMap((row) => row.sources)),
  ];
  if (sourceCounts.some((s) => small(s.count))) return 'a source count';
  return undefined;
}

/** Runs per dataset (datasets by id), newest first. */
function groupRuns(reports: readonly Report[]): Map<string, Report[]> {
  const byDataset = new Map<string, Report[]>();
  for (const report of reports) {
    const runs = byDataset.get(report.dataset.id) ?? [];
    if (runs.some((r) => r.run.id === report.run.id)) {
      throw new PublishError(
        'DUPLICATE_RUN',
        `run ${report.run.id} of dataset ${report.dataset.id} appears twice`,
      );
    }
    runs.push(report);
    byDataset.set(report.dataset.id, runs);
  }
  for (const runs of byDataset.values()) runs.sort(newestFirst);
  return new Map([...byDataset].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function newestFirst(a: Report, b: Report): number {
  const byTime = (Date.parse(b.run.startedAt) || 0) - (Date.parse(a.run.startedAt) || 0);
  if (byTime !== 0) return byTime;
  return a.run.id < b.run.id ? 1 : a.run.id > b.run.id ? -1 : 0;
}

/** Charts are drawn from templates compiled and parsed once from their Vega-Lite specs (chart-templates.ts). */
async function renderLabelCharts(report: Report): Promise<(RenderedChart | undefined)[]> {
  const charts: (RenderedChart | undefined)[] = [];
  for (const attribute of report.attributes) {
    const values = labelRateChartValues(attribute);
    charts.push(
      values === undefined
        ? undefined
        : { svg: await renderRuntimeSvg(labelRateChartRuntime(values)), summary: values.description },
    );
  }
  return charts;
}

async function renderCharts(report: Report): Promise<RenderedChart[]> {
  const charts: RenderedChart[] = [];
  for (const attribute of report.attributes) {
    const values = attributeChartValues(attribute);
    charts.push({ svg: await renderRuntimeSvg(attributeChartRuntime(values)), summary: values.description });
  }
  return charts;
}

/**
 * The side-by-side charts of attributes with several references (#18). Only such reports pay
 * for Vega-Lite's compiler here: the shape has no template, since its series vary in number.
 */
async function renderReferenceCharts(report: Report): Promise<(RenderedChart | undefined)[]> {
  const charts: (RenderedChart | undefined)[] = [];
  for (const attribute of report.attributes) {
    const spec = referencesChartSpec(attribute);
    if (spec === undefined) {
      charts.push(undefined);
      continue;
    }
    // Loaded on first use: a publish of single-reference reports never parses Vega-Lite.
    const { renderChartSvg } = await import('./vega-lite-svg.ts');
    charts.push({ svg: await renderChartSvg(spec), summary: spec.description ?? '' });
  }
  return charts;
}

/** The dataset page's two trend charts, drawn from their templates like the run pages' charts. */
async function renderHistoryCharts(history: DatasetHistory): Promise<HistoryCharts> {
  const tvd = tvdTrendValues(history);
  const worst = worstRatioTrendValues(history);
  return {
    tvd: { svg: await renderRuntimeSvg(await trendChartRuntime('tvd-trend', tvd)), summary: tvd.description },
    worst: {
      svg: await renderRuntimeSvg(await trendChartRuntime('worst-trend', worst)),
      summary: worst.description,
    },
  };
}
