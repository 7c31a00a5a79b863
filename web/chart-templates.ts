import * as vega from 'vega';
import type { AttributeChartValues, LabelRateChartValues } from '../functions/core/charts/chart-specs.ts';
import templates from './chart-templates.json' with { type: 'json' };

/** How a template marks where a value goes: this prefix and the value's name. */
export const PLACEHOLDER_PREFIX = '\uE000repscope:';
const PLACEHOLDER = new RegExp(`${PLACEHOLDER_PREFIX}(\\w+)`, 'g');

/** The chart shapes the site draws: an attribute, a label without and with its overall rule. */
export type ChartShape = 'attribute' | 'label' | 'label-overall';

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
 * (`value` names a field of AttributeChartValues / LabelRateChartValues).
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
export const CHART_TEMPLATES: ChartTemplates = templates as ChartTemplates;

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

function labelShape(values: LabelRateChartValues): ChartShape {
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
