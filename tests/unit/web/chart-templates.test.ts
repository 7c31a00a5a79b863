import fc from 'fast-check';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { describe, expect, it } from 'vitest';
import {
  type AttributeChartValues,
  attributeChartSpec,
  attributeChartSpecOf,
  attributeChartValues,
  type ChartRow,
  type LabelChartRow,
  type LabelRateChartValues,
  labelRateChartSpec,
  labelRateChartSpecOf,
  labelRateChartValues,
  STATUS_LABEL,
} from '../../../functions/core/charts/chart-specs.ts';
import {
  type TrendChartValues,
  type TrendRow,
  tvdTrendSpecOf,
  tvdTrendValues,
  worstRatioTrendSpecOf,
  worstRatioTrendValues,
} from '../../../functions/core/charts/history-charts.ts';
import { buildDatasetHistory } from '../../../functions/core/history/series.ts';
import { suppressReport } from '../../../functions/core/privacy/suppress.ts';
import type { AttributeResult } from '../../../functions/core/report/schema.ts';
import { buildChartTemplates } from '../../../scripts/chart-templates.ts';
import { renderRuntimeSvg } from '../../../web/chart-svg.ts';
import {
  attributeChartRuntime,
  attributeChartVega,
  CHART_TEMPLATES,
  labelRateChartRuntime,
  labelRateChartVega,
  trendChartRuntime,
  trendChartTemplates,
  trendChartVega,
} from '../../../web/chart-templates.ts';
import { renderChartSvg } from '../../../web/vega-lite-svg.ts';
import { runReport } from '../../fixtures/history.ts';
import { arbitraryCase, reportOf } from '../../fixtures/random-reports.ts';
import { hostileNamesReport, labelledReport, sampleReport } from '../../fixtures/reports.ts';

/**
 * The site draws its charts from Vega specs compiled once (web/chart-templates.json) instead of
 * compiling each chart's Vega-Lite spec: these tests hold the filled templates to exactly what
 * Vega-Lite compiles from the same values, for hostile texts and random reports, so the pages
 * are the same byte for byte.
 */
const compiled = (spec: unknown) => JSON.stringify(vegaLite.compile(spec as vegaLite.TopLevelSpec).spec);

/** vega's runtime dataflow of a Vega-Lite spec, or the error vega's parser throws on it. */
function parsed(spec: unknown): string {
  try {
    return JSON.stringify(vega.parse(vegaLite.compile(spec as vegaLite.TopLevelSpec).spec));
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
}

function attempt(make: () => object): string {
  try {
    return JSON.stringify(make());
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
}

/** Texts that quoting could get wrong: quotes, backslashes, line breaks, markup, any Unicode. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('"', '\\', '\\"', "'", '\n', '$' + '{x}', '</svg><script>', '\u2028', 'a"b\\c', '%s'),
  fc.string({ unit: fc.constantFrom('"', '\\', "'", 'a', ' ', '\n', 'ü'), maxLength: 12 }),
);

/** Plain objects, as the builders make (fast-check may otherwise make null-prototype ones). */
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;

const share = fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true }));
const statusLabel = fc.constantFrom(...Object.values(STATUS_LABEL));

const chartRow = (group: string) =>
  record({
    group: fc.constant(group),
    share,
    ciLow: share,
    ciHigh: share,
    referenceShare: share,
    status: statusLabel,
    hidden: fc.boolean(),
    hiddenLabel: fc.constantFrom('', 'hidden'),
  });
const groups = fc.uniqueArray(text, { minLength: 1, maxLength: 8 });
const xMax = fc.double({ min: 0.01, max: 1, noNaN: true });

const attributeValues: fc.Arbitrary<AttributeChartValues> = groups.chain((names) =>
  record({
    rows: fc.tuple(...names.map(chartRow)) as fc.Arbitrary<ChartRow[]>,
    groups: fc.constant(names),
    xMax,
    // As the builders make them: never empty (Vega-Lite leaves an empty title or description out).
    title: text.map((name) => `${name}: dataset vs reference`),
    description: text.map((summary) => `Bar chart of the share of rows per group. ${summary}`),
  }),
);

const labelRow = (group: string) =>
  record({
    group: fc.constant(group),
    rate: share,
    ciLow: share,
    ciHigh: share,
    hidden: fc.boolean(),
    hiddenLabel: fc.constantFrom('', 'not available', 'hidden (protects a small count)'),
  });

const labelValues: fc.Arbitrary<LabelRateChartValues> = groups.chain((names) =>
  record({
    rows: fc.tuple(...names.map(labelRow)) as fc.Arbitrary<LabelChartRow[]>,
    groups: fc.constant(names),
    xMax,
    xTitle: text.map((column) => `Share of rows with a positive ${column}`),
    overall: fc.oneof(
      fc.constant(null),
      share.map((v) => (v === null ? null : [{ overall: v }])),
    ),
    title: text.map((name) => `${name}: positive rate`),
    description: text.map((summary) => `Bar chart of the rate of positive labels. ${summary}`),
  }),
);

const time = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => new Date(ms).toISOString());
const trendRow: fc.Arbitrary<TrendRow> = record({
  run: text,
  time,
  attribute: text,
  value: fc.double({ min: 0, max: 5, noNaN: true }),
});
/** As the builders make them: the dataset id (plain) in the texts; any rows, none included. */
const trendValues = (worst: boolean): fc.Arbitrary<TrendChartValues> =>
  record({
    rows: fc.array(worst ? trendRow.chain((row) => text.map((group) => ({ ...row, group }))) : trendRow, {
      maxLength: 12,
    }),
    title: text.map((dataset) => `${dataset}: distance from the reference over time`),
    description: text.map((dataset) => `Total variation distance between ${dataset} and its reference.`),
  });

function attributesOf(reports: readonly { attributes: readonly AttributeResult[] }[]): AttributeResult[] {
  return reports.flatMap((r) => r.attributes);
}

describe('chart templates', () => {
  it('are current: npm run charts compiles the spec builders to web/chart-templates.json and trend-chart-templates.json', async () => {
    expect(JSON.parse(JSON.stringify(buildChartTemplates()))).toEqual({
      ...CHART_TEMPLATES,
      ...(await trendChartTemplates()),
    });
  });

  it('fill the trend charts as Vega-Lite compiles them and vega parses them, for any values', async () => {
    for (const [shape, specOf, worst] of [
      ['tvd-trend', tvdTrendSpecOf, false],
      ['worst-trend', worstRatioTrendSpecOf, true],
    ] as const) {
      for (const values of fc.sample(trendValues(worst), { seed: 9, numRuns: 60 })) {
        expect(JSON.stringify(await trendChartVega(shape, values))).toBe(compiled(specOf(values)));
        const runtime = await trendChartRuntime(shape, values).then(
          JSON.stringify,
          (e: Error) => `throws ${e.message}`,
        );
        expect(runtime).toBe(parsed(specOf(values)));
      }
    }
  });

  it('draw the trends of a history as the Vega-Lite specs do', async () => {
    const history = buildDatasetHistory(
      'leads',
      [
        runReport('20261201T000000Z', 'pass', [
          { name: 'sex', total: 1000, shares: { female: 0.5, male: 0.5 } },
        ]),
        runReport('20261202T000000Z', 'warn', [
          { name: 'sex', total: 1000, shares: { female: 0.4, male: 0.6 } },
        ]),
      ],
      null,
    );
    const tvd = tvdTrendValues(history);
    const worst = worstRatioTrendValues(history);
    expect(tvd.rows.length).toBe(2);
    expect(await renderRuntimeSvg(await trendChartRuntime('tvd-trend', tvd))).toBe(
      await renderChartSvg(tvdTrendSpecOf(tvd)),
    );
    expect(await renderRuntimeSvg(await trendChartRuntime('worst-trend', worst))).toBe(
      await renderChartSvg(worstRatioTrendSpecOf(worst)),
    );
  });

  it('fill an attribute chart as Vega-Lite compiles it and vega parses it, for any values', () => {
    fc.assert(
      fc.property(attributeValues, (values) => {
        expect(JSON.stringify(attributeChartVega(values))).toBe(compiled(attributeChartSpecOf(values)));
        expect(attempt(() => attributeChartRuntime(values))).toBe(parsed(attributeChartSpecOf(values)));
      }),
      { seed: 9, numRuns: 150 },
    );
  });

  it('fill a label chart as Vega-Lite compiles it and vega parses it, with and without the overall rule', () => {
    fc.assert(
      fc.property(labelValues, (values) => {
        expect(JSON.stringify(labelRateChartVega(values))).toBe(compiled(labelRateChartSpecOf(values)));
        expect(attempt(() => labelRateChartRuntime(values))).toBe(parsed(labelRateChartSpecOf(values)));
      }),
      { seed: 9, numRuns: 150 },
    );
  });

  it('fill the charts of the fixture reports and random reports as Vega-Lite and vega make them', () => {
    const fixtures = [sampleReport(), hostileNamesReport(), labelledReport()];
    const random = fc.sample(arbitraryCase, { seed: 9, numRuns: 25 }).map(reportOf);
    const reports = [...fixtures, ...random].flatMap((r) => [r, suppressReport(r, r.privacy.minCellSize)]);
    let labelCharts = 0;
    for (const attribute of attributesOf(reports)) {
      const values = attributeChartValues(attribute);
      expect(JSON.stringify(attributeChartVega(values))).toBe(compiled(attributeChartSpec(attribute)));
      expect(attempt(() => attributeChartRuntime(values))).toBe(parsed(attributeChartSpec(attribute)));
      const label = labelRateChartValues(attribute);
      if (label === undefined) continue;
      labelCharts++;
      expect(JSON.stringify(labelRateChartVega(label))).toBe(compiled(labelRateChartSpec(attribute)));
      expect(attempt(() => labelRateChartRuntime(label))).toBe(parsed(labelRateChartSpec(attribute)));
    }
    expect(labelCharts).toBeGreaterThan(10);
  });

  it('render the same SVG as the Vega-Lite spec does', async () => {
    const [sex] = suppressReport(labelledReport(), 10).attributes as [AttributeResult];
    const values = labelRateChartValues(sex)!;
    expect(values.overall).not.toBeNull();
    expect(await renderRuntimeSvg(labelRateChartRuntime(values))).toBe(
      await renderChartSvg(labelRateChartSpec(sex)!),
    );
    expect(await renderRuntimeSvg(attributeChartRuntime(attributeChartValues(sex)))).toBe(
      await renderChartSvg(attributeChartSpec(sex)),
    );
  });

  it('leave the template and the values as they were (each chart gets copies)', () => {
    const before = JSON.stringify(CHART_TEMPLATES);
    const values = attributeChartValues(sampleReport().attributes[0]!);
    const rows = JSON.stringify(values.rows);
    const spec = attributeChartVega(values) as { data: { values: unknown[] }[] };
    expect(spec.data[0]!.values).not.toBe(values.rows);
    expect(JSON.stringify(values.rows)).toBe(rows);
    expect(JSON.stringify(CHART_TEMPLATES)).toBe(before);
  });
});
