import type { TopLevelSpec } from 'vega-lite';
import type { AttributeResult, GroupResult, GroupStatus, LabelGroup, Labels } from '../report/schema.ts';

/** A Vega-Lite specification, as the site renders it to SVG and embeds it. */
export type VegaLiteSpec = TopLevelSpec;

/** Plain-language label of each group status, as charts and pages show it. */
export const STATUS_LABEL: Readonly<Record<GroupStatus, string>> = {
  under: 'under-represented',
  over: 'over-represented',
  ok: 'in line with the reference',
  'no-reference': 'no reference share',
  suppressed: 'hidden',
  'not-judged': 'not judged (no rows)',
};

/** Colours by status, from the Okabe–Ito palette (distinguishable with colour-vision deficiency). */
/** (A `not-judged` group has no share, so no bar to colour.) */
const STATUS_COLOUR: Readonly<Record<Exclude<GroupStatus, 'suppressed' | 'not-judged'>, string>> = {
  under: '#D55E00',
  over: '#0072B2',
  ok: '#009E73',
  'no-reference': '#8C8C8C',
};

const SHOWN_STATUSES = ['under', 'over', 'ok', 'no-reference'] as const;

export interface ChartRow {
  group: string;
  share: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  referenceShare: number | null;
  status: string;
  hidden: boolean;
  hiddenLabel: string;
}

/**
 * A horizontal bar chart of one attribute: per group, the share in the dataset (bar, coloured by
 * status) with its 95 % Wilson interval (thin rule) and the reference share (black tick). Hidden
 * (suppressed) groups keep their row with a text label and no bar. The data are inlined from the
 * report only. Pure.
 */
export function attributeChartSpec(attribute: AttributeResult): VegaLiteSpec {
  return attributeChartSpecOf(attributeChartValues(attribute));
}

/**
 * What an attribute chart takes from the report; the rest of its spec is fixed. Kept apart so the
 * site can fill these into a Vega spec compiled once from the same builder (web/chart-templates.ts)
 * instead of running the Vega-Lite compiler on every chart of a cold publish.
 */
export interface AttributeChartValues {
  readonly rows: readonly ChartRow[];
  /** The groups in report order: the y scale's domain. */
  readonly groups: readonly string[];
  /** The end of the x scale's domain: the largest share, interval end or reference share, in [0.01, 1]. */
  readonly xMax: number;
  readonly title: string;
  readonly description: string;
}

export function attributeChartValues(attribute: AttributeResult): AttributeChartValues {
  const rows = attribute.groups.map(chartRow);
  const xMax = Math.max(
    0.01,
    ...rows.flatMap((r) => [r.share, r.ciHigh, r.referenceShare]).filter((v): v is number => v !== null),
  );
  return {
    rows,
    groups: rows.map((r) => r.group),
    xMax: Math.min(1, xMax),
    title: `${attribute.name}: dataset vs reference`,
    description: attributeChartSummary(attribute),
  };
}

/** The attribute chart's Vega-Lite spec around its values. Pure. */
export function attributeChartSpecOf(values: AttributeChartValues): VegaLiteSpec {
  const { rows, xMax } = values;
  const groups: string[] = [...values.groups];
  const y = groupAxis(groups);
  const x = shareAxis('Share of rows', xMax);
  const pct = { type: 'quantitative', format: '.1%' } as const;

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: values.description,
    // No subtitle: without a canvas, vega estimates text widths generously and a long subtitle
    // widens the SVG. The page explains the marks in its figure caption.
    title: { text: values.title, anchor: 'start', limit: 360 },
    width: 360,
    height: { step: 26 },
    data: { values: rows as unknown as Record<string, unknown>[] },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        transform: [{ filter: { field: 'hidden', equal: false } }],
        encoding: {
          y,
          x: { ...x, field: 'share' },
          color: {
            field: 'status',
            type: 'nominal',
            title: 'Status',
            scale: {
              domain: SHOWN_STATUSES.map((s) => STATUS_LABEL[s]),
              range: SHOWN_STATUSES.map((s) => STATUS_COLOUR[s]),
            },
            legend: { orient: 'bottom', direction: 'horizontal', columns: 2, labelLimit: 220 },
          },
          tooltip: [
            { field: 'group', type: 'nominal', title: 'Group' },
            { ...pct, field: 'share', title: 'Share in the dataset' },
            { ...pct, field: 'ciLow', title: '95 % interval from' },
            { ...pct, field: 'ciHigh', title: '95 % interval to' },
            { ...pct, field: 'referenceShare', title: 'Reference share' },
            { field: 'status', type: 'nominal', title: 'Status' },
          ],
        },
      },
      {
        mark: { type: 'rule', color: '#333333', strokeWidth: 1.25 },
        transform: [{ filter: { field: 'hidden', equal: false } }],
        encoding: { y, x: { ...x, field: 'ciLow' }, x2: { field: 'ciHigh' } },
      },
      {
        mark: { type: 'tick', color: '#000000', thickness: 3, bandSize: 24 },
        encoding: { y, x: { ...x, field: 'referenceShare' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontStyle: 'italic', color: '#555555' },
        transform: [{ filter: { field: 'hidden', equal: true } }],
        encoding: { y, x: { datum: 0, type: 'quantitative' }, text: { field: 'hiddenLabel' } },
      },
    ],
    config: { font: 'sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11 } },
  };
}

/** The y encoding of the site's horizontal charts: one band per group, in the report's order. */
export function groupAxis(groups: string[]) {
  return {
    field: 'group',
    type: 'nominal',
    title: null,
    sort: null,
    scale: { domain: groups },
    axis: { labelLimit: 180 },
  } as const;
}

/** The x encoding of a share (without its field) from 0 to `xMax`, as percentages. */
export function shareAxis(title: string, xMax: number) {
  return {
    type: 'quantitative' as const,
    title,
    scale: { domain: [0, xMax], nice: true },
    axis: { format: '.0%' },
  };
}

/** The chart in words, for screen readers: `male: 51.2 % (reference 49.3 %, in line with the reference)`. */
export function attributeChartSummary(attribute: AttributeResult): string {
  const parts = attribute.groups.map((g) => {
    if (g.status === 'suppressed') return `${g.group}: hidden`;
    if (g.referenceShare === null) return `${g.group}: ${percent(g.share)} (no reference share)`;
    return `${g.group}: ${percent(g.share)} (reference ${percent(g.referenceShare)}, ${STATUS_LABEL[g.status]})`;
  });
  return `Bar chart of the share of rows per group of ${attribute.name} in the dataset compared with the reference. ${parts.join('; ')}.`;
}

function chartRow(g: GroupResult): ChartRow {
  const hidden = g.status === 'suppressed';
  return {
    group: g.group,
    share: hidden ? null : g.share,
    ciLow: hidden ? null : (g.ci?.[0] ?? null),
    ciHigh: hidden ? null : (g.ci?.[1] ?? null),
    referenceShare: g.referenceShare,
    status: STATUS_LABEL[g.status],
    hidden,
    hiddenLabel: hidden ? 'hidden' : '',
  };
}

function percent(share: number | null): string {
  return share === null ? 'not available' : `${(share * 100).toFixed(1)} %`;
}

export interface LabelChartRow {
  group: string;
  rate: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  hidden: boolean;
  hiddenLabel: string;
}

/**
 * A horizontal chart of one attribute's label: per group, the rate of positive labels in the
 * dataset (bar) with its 95 % Wilson interval (thin rule), and the overall positive rate (dashed
 * vertical rule). A group whose positives are hidden keeps its row with a text label and no bar.
 * Undefined when the attribute has no label metrics. Pure.
 */
export function labelRateChartSpec(attribute: AttributeResult): VegaLiteSpec | undefined {
  const values = labelRateChartValues(attribute);
  return values === undefined ? undefined : labelRateChartSpecOf(values);
}

/** What a label chart takes from the report (see AttributeChartValues). */
export interface LabelRateChartValues {
  readonly rows: readonly LabelChartRow[];
  readonly groups: readonly string[];
  readonly xMax: number;
  readonly xTitle: string;
  /** The overall positive rate's one-row data, or null when the rate is hidden (no rule drawn). */
  readonly overall: readonly { readonly overall: number }[] | null;
  readonly title: string;
  readonly description: string;
}

/** Undefined when the attribute has no label metrics. */
export function labelRateChartValues(attribute: AttributeResult): LabelRateChartValues | undefined {
  const labels = attribute.labels;
  if (labels === undefined) return undefined;
  const rows = labels.groups.map(labelChartRow);
  const xMax = Math.max(
    0.01,
    labels.positiveRate ?? 0,
    ...rows.flatMap((r) => [r.rate, r.ciHigh]).filter((v): v is number => v !== null),
  );
  return {
    rows,
    groups: rows.map((r) => r.group),
    xMax: Math.min(1, xMax),
    xTitle: `Share of rows with a positive ${labels.column}`,
    overall: labels.positiveRate === null ? null : [{ overall: labels.positiveRate }],
    title: `${attribute.name}: positive rate`,
    description: labelRateChartSummary(attribute.name, labels),
  };
}

/** The label chart's Vega-Lite spec around its values. Pure. */
export function labelRateChartSpecOf(values: LabelRateChartValues): VegaLiteSpec {
  const { rows, xMax } = values;
  const groups: string[] = [...values.groups];
  const y = groupAxis(groups);
  const x = shareAxis(values.xTitle, xMax);
  const pct = { type: 'quantitative', format: '.1%' } as const;
  const layer: NonNullable<Extract<VegaLiteSpec, { layer: unknown }>['layer']> = [
    {
      mark: { type: 'bar', height: { band: 0.7 }, color: '#56B4E9' },
      transform: [{ filter: { field: 'hidden', equal: false } }],
      encoding: {
        y,
        x: { ...x, field: 'rate' },
        tooltip: [
          { field: 'group', type: 'nominal', title: 'Group' },
          { ...pct, field: 'rate', title: 'Positive rate' },
          { ...pct, field: 'ciLow', title: '95 % interval from' },
          { ...pct, field: 'ciHigh', title: '95 % interval to' },
        ],
      },
    },
    {
      mark: { type: 'rule', color: '#333333', strokeWidth: 1.25 },
      transform: [{ filter: { field: 'hidden', equal: false } }],
      encoding: { y, x: { ...x, field: 'ciLow' }, x2: { field: 'ciHigh' } },
    },
    {
      mark: { type: 'text', align: 'left', dx: 4, fontStyle: 'italic', color: '#555555' },
      transform: [{ filter: { field: 'hidden', equal: true } }],
      encoding: { y, x: { datum: 0, type: 'quantitative' }, text: { field: 'hiddenLabel' } },
    },
  ];
  if (values.overall !== null) {
    layer.push({
      // Its own one-row data, so the rule is drawn once rather than once per group.
      data: { values: values.overall as unknown as Record<string, unknown>[] },
      mark: { type: 'rule', color: '#000000', strokeDash: [4, 3], strokeWidth: 1.5 },
      encoding: { x: { ...x, field: 'overall' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: values.description,
    title: { text: values.title, anchor: 'start', limit: 360 },
    width: 360,
    height: { step: 26 },
    data: { values: rows as unknown as Record<string, unknown>[] },
    layer,
    config: { font: 'sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11 } },
  };
}

/** The label chart in words: `female: 20.4 % (95 % interval 19.4–21.4 %)`, and the overall rate. */
export function labelRateChartSummary(attributeName: string, labels: Labels): string {
  const parts = labels.groups.map((r) => {
    if (r.positiveRate === null) return `${r.group}: hidden`;
    const ci = r.ci === null ? '' : ` (95 % interval ${(r.ci[0] * 100).toFixed(1)}–${percent(r.ci[1])})`;
    return `${r.group}: ${percent(r.positiveRate)}${ci}`;
  });
  const overall = labels.positiveRate === null ? '' : ` Overall ${percent(labels.positiveRate)}.`;
  return `Bar chart of the rate of positive ${labels.column} labels per group of ${attributeName}. ${parts.join('; ')}.${overall}`;
}

function labelChartRow(r: LabelGroup): LabelChartRow {
  const hidden = r.positiveRate === null;
  return {
    group: r.group,
    rate: r.positiveRate,
    ciLow: hidden ? null : (r.ci?.[0] ?? null),
    ciHigh: hidden ? null : (r.ci?.[1] ?? null),
    hidden,
    hiddenLabel: hidden ? (r.positives === null ? 'hidden (protects a small count)' : 'not available') : '',
  };
}
