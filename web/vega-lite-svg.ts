import type { VegaLiteSpec } from '../functions/core/charts/chart-specs.ts';
import { renderVegaSvg } from './chart-svg.ts';

// Apart from chart-svg.ts: the site draws every chart from a template (chart-templates.ts), so
// nothing it loads imports Vega-Lite, and the publish bundle leaves it out.

/**
 * Renders a Vega-Lite spec to an SVG string at build time (no browser, no network). The site's
 * own charts skip the Vega-Lite compiler (web/chart-templates.ts, then renderRuntimeSvg); this is
 * for a chart without a template (and the tests that hold the templates to Vega-Lite).
 */
export async function renderChartSvg(spec: VegaLiteSpec): Promise<string> {
  const vegaLite = await import('vega-lite');
  return renderVegaSvg(vegaLite.compile(spec).spec);
}
