import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import {
  type AttributeChartValues,
  attributeChartSpecOf,
  type LabelRateChartValues,
  labelRateChartSpecOf,
} from '../functions/core/charts/chart-specs.ts';
import {
  type TrendChartValues,
  tvdTrendSpecOf,
  worstRatioTrendSpecOf,
} from '../functions/core/charts/history-charts.ts';
import {
  type ChartShape,
  type ChartSlot,
  type ChartTemplate,
  type ChartTemplates,
  PLACEHOLDER_PREFIX,
} from '../web/chart-templates.ts';

/**
 * `npm run charts`: compiles each chart shape's Vega-Lite spec once, with placeholders where the
 * report's values go, parses the Vega spec into vega's runtime dataflow, and writes both with the
 * places of those values to web/chart-templates.json (the trends to trend-chart-templates.json). The site fills them in
 * (web/chart-templates.ts) instead of running Vega-Lite's compiler and vega's parser per chart:
 * a cold publish spent ~100 and ~40 ms there. A test regenerates the templates and compares, and
 * others compare filled templates with Vega-Lite's and vega's own output.
 */
const WEB = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'web');
/** The run pages' chart shapes; the trends (loaded only by a dataset with two runs) in a file of their own. */
const OUT = path.join(WEB, 'chart-templates.json');
const TREND_OUT = path.join(WEB, 'trend-chart-templates.json');

/** Placeholders: values Vega-Lite copies as they are (inline data, explicit domains, texts). */
const marker = (name: string) => `${PLACEHOLDER_PREFIX}${name}`;
const MARKER = new RegExp(`${PLACEHOLDER_PREFIX}(\\w+)`, 'g');
const rowsMarker = (name: string) => [{ [marker(name)]: true }];
/** A number no chart uses, for the end of the x domain. */
const X_MAX = 0.6180339887498949;

const attributeValues: AttributeChartValues = {
  rows: rowsMarker('rows') as never,
  groups: [marker('groups')],
  xMax: X_MAX,
  title: marker('title'),
  description: marker('description'),
};

function labelValues(overall: boolean): LabelRateChartValues {
  return {
    rows: rowsMarker('rows') as never,
    groups: [marker('groups')],
    xMax: X_MAX,
    xTitle: marker('xTitle'),
    overall: overall ? (rowsMarker('overall') as never) : null,
    title: marker('title'),
    description: marker('description'),
  };
}

const trendValues: TrendChartValues = {
  rows: rowsMarker('rows') as never,
  title: marker('title'),
  description: marker('description'),
};

/** The placeholder a node of the compiled spec is, if it is one. */
function slotOf(node: unknown): string | undefined {
  if (node === X_MAX) return 'xMax';
  if (typeof node === 'string' && node.startsWith(marker(''))) return node.slice(marker('').length);
  if (!Array.isArray(node) || node.length !== 1) return undefined;
  const [only] = node;
  if (typeof only === 'string' && only === marker('groups')) return 'groups';
  if (only !== null && typeof only === 'object') {
    const keys = Object.keys(only);
    if (keys.length === 1 && keys[0]!.startsWith(marker(''))) return keys[0]!.slice(marker('').length);
  }
  return undefined;
}

/**
 * Finds every placeholder in a compiled spec: whole values, or names inside a string (Vega-Lite
 * quotes the axis title into the marks' ARIA descriptions; vega's parser writes texts into code).
 * Throws when one is missing or was rewritten.
 */
function slotsOf(shape: ChartShape, spec: unknown, names: readonly string[]): ChartSlot[] {
  const slots: ChartSlot[] = [];
  const walk = (node: unknown, at: (string | number)[]): void => {
    const slot = slotOf(node);
    if (slot !== undefined) {
      slots.push({ path: at, value: slot });
      return;
    }
    if (typeof node === 'string' && node.includes(PLACEHOLDER_PREFIX[0]!)) {
      const inside = [...node.matchAll(MARKER)].map((m) => m[1]!);
      if (
        node.replace(MARKER, '').includes(PLACEHOLDER_PREFIX[0]!) ||
        inside.some((name) => !TEXT_SLOTS.includes(name))
      ) {
        throw new Error(
          `${shape}: a placeholder was rewritten in ${JSON.stringify(node)} at ${at.join('.')}`,
        );
      }
      slots.push({ path: at, value: [...new Set(inside)].join(','), inString: node });
      return;
    }
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) walk(child, [...at, i]);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key.includes(PLACEHOLDER_PREFIX[0]!))
          throw new Error(`${shape}: a placeholder became a key at ${at.join('.')}`);
        walk(child, [...at, key]);
      }
    }
  };
  walk(spec, []);
  for (const name of names) {
    if (!slots.some((s) => s.value.split(',').includes(name))) {
      throw new Error(`${shape}: the compiled spec lost ${name}`);
    }
  }
  return slots;
}

/** Texts a string may hold (never rows, domains or numbers). */
const TEXT_SLOTS = ['title', 'description', 'xTitle'];

/** The shape compiled by Vega-Lite, and that parsed by vega into its runtime dataflow. */
function templateOf(shape: ChartShape, vegaLiteSpec: unknown, names: readonly string[]): ChartTemplate {
  const spec = vegaLite.compile(vegaLiteSpec as vegaLite.TopLevelSpec).spec;
  const runtime = JSON.parse(JSON.stringify(vega.parse(spec))) as unknown;
  return {
    spec,
    slots: slotsOf(shape, spec, names),
    runtime: { spec: runtime, slots: slotsOf(shape, runtime, names) },
  };
}

/** Every chart shape the site draws, compiled. */
export function buildChartTemplates(): ChartTemplates {
  const common = ['rows', 'groups', 'xMax', 'title', 'description'];
  return {
    attribute: templateOf('attribute', attributeChartSpecOf(attributeValues), common),
    label: templateOf('label', labelRateChartSpecOf(labelValues(false)), [...common, 'xTitle']),
    'label-overall': templateOf('label-overall', labelRateChartSpecOf(labelValues(true)), [
      ...common,
      'xTitle',
      'overall',
    ]),
    'tvd-trend': templateOf('tvd-trend', tvdTrendSpecOf(trendValues), ['rows', 'title', 'description']),
    'worst-trend': templateOf('worst-trend', worstRatioTrendSpecOf(trendValues), [
      'rows',
      'title',
      'description',
    ]),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { 'tvd-trend': tvd, 'worst-trend': worst, ...run } = buildChartTemplates();
  writeFileSync(OUT, `${JSON.stringify(run, null, 1)}\n`);
  writeFileSync(TREND_OUT, `${JSON.stringify({ 'tvd-trend': tvd, 'worst-trend': worst }, null, 1)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), OUT)} and ${path.relative(process.cwd(), TREND_OUT)}`);
}
