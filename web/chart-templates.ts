import type { AttributeChartValues, LabelRateChartValues } from '../functions/core/charts/chart-specs.ts';
import templates from './chart-templates.json' with { type: 'json' };

/** How a template marks where a value goes: this prefix and the value's name. */
export const PLACEHOLDER_PREFIX = '\uE000repscope:';
const PLACEHOLDER = new RegExp(`${PLACEHOLDER_PREFIX}(\\w+)`, 'g');

/** The chart shapes the site draws: an attribute, a label without and with its overall rule. */
export type ChartShape = 'attribute' | 'label' | 'label-overall';

/**
 * A chart's Vega spec as Vega-Lite compiles it, with placeholders, and where each of the report's
 * values goes (`value` names a field of AttributeChartValues / LabelRateChartValues).
 */
export interface ChartTemplate {
  readonly spec: unknown;
  readonly slots: readonly ChartSlot[];
}

export interface ChartSlot {
  readonly path: readonly (string | number)[];
  /** The value put at `path`; with `inExpression`, the names (comma-separated) quoted into it. */
  readonly value: string;
  /**
   * Set when Vega-Lite quoted the values into a string of an expression (`"<title>: " + …`): the
   * string with placeholders (PLACEHOLDER_PREFIX and a name), each replaced by its value as Vega-Lite
   * writes a text into an expression's double-quoted string (a `"` becomes `\"`).
   */
  readonly inExpression?: string;
}

export type ChartTemplates = Readonly<Record<ChartShape, ChartTemplate>>;

/**
 * Compiled once by `npm run charts` (scripts/chart-templates.ts) from the same spec builders, so
 * a publish renders with vega alone: Vega-Lite's compiler, ~100 ms of a cold publish, runs at build
 * time. Tests hold the templates to the builders and filled templates to Vega-Lite's own output.
 */
export const CHART_TEMPLATES: ChartTemplates = templates as ChartTemplates;

/** The Vega spec of an attribute chart: what `vegaLite.compile(attributeChartSpecOf(values))` gives. */
export function attributeChartVega(values: AttributeChartValues): object {
  return fill(CHART_TEMPLATES.attribute, values);
}

/** The Vega spec of a label chart: what `vegaLite.compile(labelRateChartSpecOf(values))` gives. */
export function labelRateChartVega(values: LabelRateChartValues): object {
  return fill(CHART_TEMPLATES[values.overall === null ? 'label' : 'label-overall'], values);
}

/** A copy of the template with each value (a copy: vega marks the data it ingests) in its places. */
function fill(template: ChartTemplate, values: object): object {
  const spec = structuredClone(template.spec) as Record<string | number, unknown>;
  const named = values as Record<string, unknown>;
  for (const { path, value, inExpression } of template.slots) {
    let node = spec;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path.at(-1)!] =
      inExpression === undefined
        ? structuredClone(named[value])
        : inExpression.replace(PLACEHOLDER, (_, name: string) => String(named[name]).replaceAll('"', '\\"'));
  }
  return spec;
}
