import * as vega from 'vega';
import type { AttributeChartValues, LabelRateChartValues } from '../functions/core/charts/chart-specs.ts';
import type { TrendChartValues } from '../functions/core/charts/history-charts.ts';
import templates from './chart-templates.json' with { type: 'json' };

/** How a template marks where a value goes: this prefix and the value's name. */
export const PLACEHOLDER_PREFIX = '\uE000repscope:';
const PLACEHOLDER = new RegExp(`${PLACEHOLDER_PREFIX}(\\w+)`, 'g');

/** The chart shapes of the run pages: an attribute, a label without and with its overall rule. */
export type RunChartShape = 'attribute' | 'label' | 'label-overall';

/** The dataset page's two trends over a dataset's runs (drawn only once it has two runs). */
export type TrendShape = 'tvd-trend' | 'worst-trend';

export type ChartShape = RunChartShape | TrendShape;

export interface ChartSlot {
  readonly path: readonly (string | number)[];
  /** The value put at `path`; with `inString`, the names (comma-separated) written into it. */
  readonly value: string;
  /**
   * Set when the value is written into a longer string: a mark's ARIA description expression
   * (Vega-Lite quotes the axis title into it) or a code string of vega's runtime (its parser
   * writes texts into code). The string with placeholders (PLACEHOLDER_PREFIX and a name).
   */
  readonly inString?: string;
}

/**
 * A chart shape as Vega-Lite compiles it (`spec`), and as vega parses that into its runtime
 * dataflow (`runtime`), each with placeholders and where each of the report's values goes
 * (`value` names a field of AttributeChartValues / LabelRateChartValues / TrendChartValues).
 */
export interface ChartTemplate {
  readonly spec: unknown;
  readonly slots: readonly ChartSlot[];
  readonly runtime: { readonly spec: unknown; readonly slots: readonly ChartSlot[] };
}

export type ChartTemplates = Readonly<Record<ChartShape, ChartTemplate>>;

/**
 * Compiled once by `npm run charts` (scripts/chart-templates.ts) from the same spec builders, so
 * a publish neither runs Vega-Lite's compiler (~100 ms of a cold publish) nor, for ordinary
 * texts, vega's parser (~40 ms). Tests hold the templates to the builders and filled templates
 * to Vega-Lite's and vega's own output.
 */
export const CHART_TEMPLATES: Readonly<Record<RunChartShape, ChartTemplate>> = templates as Readonly<
  Record<RunChartShape, ChartTemplate>
>;

/**
 * The trend charts' templates, from a file of their own loaded on first use: a dataset with one
 * run draws no trend, so a first publish does not load them (a Lambda bundle keeps them in a chunk).
 */
export async function trendChartTemplates(): Promise<Readonly<Record<TrendShape, ChartTemplate>>> {
  const trends = await import('./trend-chart-templates.json', { with: { type: 'json' } });
  return trends.default as Readonly<Record<TrendShape, ChartTemplate>>;
}

/** The Vega spec of an attribute chart: what `vegaLite.compile(attributeChartSpecOf(values))` gives. */
export function attributeChartVega(values: AttributeChartValues): object {
  return fill(CHART_TEMPLATES.attribute.spec, CHART_TEMPLATES.attribute.slots, values, quoteInExpression);
}

/** The Vega spec of a label chart: what `vegaLite.compile(labelRateChartSpecOf(values))` gives. */
export function labelRateChartVega(values: LabelRateChartValues): object {
  const template = CHART_TEMPLATES[labelShape(values)];
  return fill(template.spec, template.slots, values, quoteInExpression);
}

/** An attribute chart's runtime dataflow: what `vega.parse(attributeChartVega(values))` gives. */
export function attributeChartRuntime(values: AttributeChartValues): object {
  return runtimeOf(CHART_TEMPLATES.attribute, values, () => attributeChartVega(values));
}

/** A label chart's runtime dataflow: what `vega.parse(labelRateChartVega(values))` gives. */
export function labelRateChartRuntime(values: LabelRateChartValues): object {
  return runtimeOf(CHART_TEMPLATES[labelShape(values)], values, () => labelRateChartVega(values));
}

/** A trend chart's Vega spec: what `vegaLite.compile(tvdTrendSpecOf(values))` (or worst-ratio's) gives. */
export async function trendChartVega(shape: TrendShape, values: TrendChartValues): Promise<object> {
  const template = (await trendChartTemplates())[shape];
  return fill(template.spec, template.slots, values, quoteInExpression);
}

/** A trend chart's runtime dataflow: what `vega.parse(await trendChartVega(shape, values))` gives. */
export async function trendChartRuntime(shape: TrendShape, values: TrendChartValues): Promise<object> {
  const template = (await trendChartTemplates())[shape];
  return runtimeOf(template, values, () => fill(template.spec, template.slots, values, quoteInExpression));
}

function labelShape(values: LabelRateChartValues): RunChartShape {
  return values.overall === null ? 'label' : 'label-overall';
}

/**
 * The filled runtime when every text written into a string is plain (no `"`, `\`, control or
 * line-separator characters, no surrogates): such a text is written the same way by Vega-Lite's
 * quoting and by vega's code generation, as itself. Any other text (an emoji too) takes vega's
 * parser, as before.
 */
function runtimeOf(template: ChartTemplate, values: object, vegaSpec: () => object): object {
  const named = values as Record<string, unknown>;
  const texts = template.runtime.slots.flatMap((s) => (s.inString === undefined ? [] : s.value.split(',')));
  if (!texts.every((name) => isPlain(named[name]))) return vega.parse(vegaSpec() as vega.Spec);
  return fill(template.runtime.spec, template.runtime.slots, values, String);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is not plain
const NOT_PLAIN = /["\\\u0000-\u001f\u007f\u2028\u2029\uD800-\uDFFF]/;

function isPlain(text: unknown): boolean {
  return typeof text === 'string' && !NOT_PLAIN.test(text);
}

/** As Vega-Lite writes a text into an expression's double-quoted string: a `"` becomes `\"`. */
function quoteInExpression(text: unknown): string {
  return String(text).replaceAll('"', '\\"');
}

/** A copy of the template with each value (a copy: vega marks the data it ingests) in its places. */
function fill(
  template: unknown,
  slots: readonly ChartSlot[],
  values: object,
  quote: (text: unknown) => string,
): object {
  const spec = structuredClone(template) as Record<string | number, unknown>;
  const named = values as Record<string, unknown>;
  for (const { path, value, inString } of slots) {
    let node = spec;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path.at(-1)!] =
      inString === undefined
        ? structuredClone(named[value])
        : inString.replace(PLACEHOLDER, (_, name: string) => quote(named[name]));
  }
  return spec;
}
