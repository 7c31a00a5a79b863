import type { DatasetHistory } from '../history/series.ts';
import type { VegaLiteSpec } from './chart-specs.ts';

export interface TrendRow {
  run: string;
  time: string;
  attribute: string;
  value: number;
  group?: string;
}

/**
 * What a trend chart shows: its rows and texts. The rest of the spec is fixed per shape, so the
 * site fills these into a template compiled once (web/chart-templates.ts) rather than running
 * Vega-Lite per chart.
 */
export interface TrendChartValues {
  readonly rows: readonly TrendRow[];
  readonly title: string;
  readonly description: string;
}

/**
 * Trend lines of one figure per attribute over a dataset's runs (x: the run's start time). Runs
 * where the figure is hidden or not computed leave a gap rather than a made-up point. Pure: the
 * data are inlined from the history, which the pipeline computed from published copies.
 */
function trendSpec(
  values: TrendChartValues,
  axisTitle: string,
  extraTooltip: { field: string; type: 'nominal'; title: string }[] = [],
): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: values.description,
    title: { text: values.title, anchor: 'start', limit: 360 },
    width: 360,
    height: 180,
    data: { values: values.rows as unknown as Record<string, unknown>[] },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'time',
        type: 'temporal',
        title: 'Run started (UTC)',
        axis: { format: '%Y-%m-%d', labelAngle: -30 },
      },
      y: { field: 'value', type: 'quantitative', title: axisTitle },
      color: {
        field: 'attribute',
        type: 'nominal',
        title: 'Attribute',
        legend: { orient: 'bottom', direction: 'horizontal', labelLimit: 220 },
      },
      tooltip: [
        { field: 'run', type: 'nominal', title: 'Run' },
        { field: 'attribute', type: 'nominal', title: 'Attribute' },
        ...extraTooltip,
        { field: 'value', type: 'quantitative', title: axisTitle, format: '.3f' },
      ],
    },
  };
}

/** Per attribute, the TVD between the dataset and its reference in each run. */
export function tvdTrendValues(history: DatasetHistory): TrendChartValues {
  return {
    rows: history.points.flatMap((p) =>
      p.attributes.flatMap((a) =>
        a.tvd === null ? [] : [{ run: p.run, time: p.startedAt, attribute: a.attribute, value: a.tvd }],
      ),
    ),
    title: `${history.dataset}: distance from the reference over time`,
    description: `Total variation distance between ${history.dataset} and its reference, per attribute, over ${history.points.length} runs.`,
  };
}

/** The TVD trend chart of these values. */
export function tvdTrendSpecOf(values: TrendChartValues): VegaLiteSpec {
  return trendSpec(values, 'TVD vs reference');
}

export function tvdTrendSpec(history: DatasetHistory): VegaLiteSpec {
  return tvdTrendSpecOf(tvdTrendValues(history));
}

/** Per attribute, the ratio (dataset share / reference share) of its worst group in each run. */
export function worstRatioTrendValues(history: DatasetHistory): TrendChartValues {
  return {
    rows: history.points.flatMap((p) =>
      p.attributes.flatMap((a) =>
        a.worst === null
          ? []
          : [
              {
                run: p.run,
                time: p.startedAt,
                attribute: a.attribute,
                value: a.worst.ratio,
                group: a.worst.group,
              },
            ],
      ),
    ),
    title: `${history.dataset}: worst group ratio over time`,
    description: `Ratio of dataset share to reference share of the group furthest from its reference, per attribute, over ${history.points.length} runs.`,
  };
}

/** The worst-ratio trend chart of these values. */
export function worstRatioTrendSpecOf(values: TrendChartValues): VegaLiteSpec {
  return trendSpec(values, 'Worst ratio (1 = as the reference)', [
    { field: 'group', type: 'nominal', title: 'Group' },
  ]);
}

export function worstRatioTrendSpec(history: DatasetHistory): VegaLiteSpec {
  return worstRatioTrendSpecOf(worstRatioTrendValues(history));
}
