import { comparedGroups } from '../report/reference-summary.ts';
import type { AttributeResult } from '../report/schema.ts';
import { groupAxis, shareAxis, type VegaLiteSpec } from './chart-specs.ts';

/** One bar of the side-by-side chart: a group's share in the dataset or in one reference. */
export interface ReferenceChartRow {
  group: string;
  /** `dataset` or a reference id. */
  series: string;
  share: number | null;
  hidden: boolean;
  hiddenLabel: string;
}

/** Okabe–Ito colours: the dataset first, then one per reference (up to MAX_REFERENCES). */
const SERIES_COLOURS = [
  '#000000',
  '#E69F00',
  '#56B4E9',
  '#009E73',
  '#CC79A7',
  '#0072B2',
  '#D55E00',
  '#F0E442',
  '#999999',
];

export const DATASET_SERIES = 'dataset';

/**
 * Several references side by side (issue #18): per group, a bar for the dataset's share and one
 * for each reference's share, grouped and coloured by series. A group the copy hides keeps its
 * row with a text label instead of the dataset's bar; its reference shares are public and stay.
 * Undefined when the attribute compares with fewer than two references. Pure.
 */
export function referencesChartSpec(attribute: AttributeResult): VegaLiteSpec | undefined {
  const blocks = attribute.comparisons;
  if (blocks === undefined) return undefined;
  const series = [DATASET_SERIES, ...blocks.map((b) => b.reference)];
  const groups = comparedGroups(attribute);
  const rows: ReferenceChartRow[] = [];
  for (const group of groups) {
    const own = attribute.groups.find((g) => g.group === group);
    const hidden = own?.status === 'suppressed';
    // A group the data has not is 0 %; a share the copy withholds (its total is hidden) is no bar.
    const withheld = !hidden && own !== undefined && own.share === null;
    rows.push({
      group,
      series: DATASET_SERIES,
      share: hidden ? null : own === undefined ? 0 : own.share,
      hidden: hidden || withheld,
      hiddenLabel: hidden ? 'dataset: hidden' : withheld ? 'dataset: withheld' : '',
    });
    for (const b of blocks) {
      const share = b.groups.find((g) => g.group === group)?.referenceShare ?? null;
      rows.push({ group, series: b.reference, share, hidden: false, hiddenLabel: '' });
    }
  }
  const xMax = Math.min(1, Math.max(0.01, ...rows.map((r) => r.share ?? 0)));
  const y = groupAxis(groups);
  const yOffset = { field: 'series', type: 'nominal', sort: series, scale: { domain: series } } as const;
  const x = shareAxis('Share', xMax);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: referencesChartSummary(attribute),
    title: { text: `${attribute.name}: dataset and references`, anchor: 'start', limit: 360 },
    width: 360,
    // With yOffset the step is one bar's: a group takes one per series.
    height: { step: 12 },
    data: { values: rows as unknown as Record<string, unknown>[] },
    layer: [
      {
        mark: { type: 'bar' },
        transform: [{ filter: 'datum.share !== null' }],
        encoding: {
          y,
          yOffset,
          x: { ...x, field: 'share' },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: series, range: SERIES_COLOURS.slice(0, series.length) },
            legend: { orient: 'bottom', direction: 'vertical', labelLimit: 320 },
          },
          tooltip: [
            { field: 'group', type: 'nominal', title: 'Group' },
            { field: 'series', type: 'nominal', title: 'Of' },
            { field: 'share', type: 'quantitative', format: '.1%', title: 'Share' },
          ],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontStyle: 'italic', color: '#555555' },
        transform: [{ filter: { field: 'hidden', equal: true } }],
        // Offset too, so the label sits where the dataset's bar would (and the layers share one y scale).
        encoding: { y, yOffset, x: { datum: 0, type: 'quantitative' }, text: { field: 'hiddenLabel' } },
      },
    ],
    config: { font: 'sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11 } },
  };
}

/** The chart in words: `18-24: dataset 29.7 %, de-2023/age_band 7.2 %, market-2026/age_band 14.0 %`. */
export function referencesChartSummary(attribute: AttributeResult): string {
  const blocks = attribute.comparisons ?? [];
  const parts = attribute.groups.map((g) => {
    const own = g.status === 'suppressed' ? 'hidden' : percent(g.share);
    const refs = blocks.map(
      (b) => `${b.reference} ${percent(b.groups.find((x) => x.group === g.group)?.referenceShare ?? null)}`,
    );
    return `${g.group}: dataset ${own}, ${refs.join(', ')}`;
  });
  return `Bar chart of the share per group of ${attribute.name} in the dataset and in each of ${blocks.length} references. ${parts.join('; ')}.`;
}

function percent(share: number | null): string {
  return share === null ? 'not available' : `${(share * 100).toFixed(1)} %`;
}
