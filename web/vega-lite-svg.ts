import type { VegaLiteSpec } from '../functions/core/charts/chart-specs.ts';
import { renderVegaSvg } from './chart-svg.ts';

// Apart from chart-svg.ts: the site draws its charts from templates (chart-templates.ts); only the
// side-by-side chart of a report whose attributes name several references has none, and site.tsx
// loads this module for it with import(), so the publish bundle keeps Vega-Lite in a chunk of its own.

/**
 * Renders a Vega-Lite spec to an SVG string at build time (no browser, no network). The site's
 * own charts skip the Vega-Lite compiler (web/chart-templates.ts, then renderRuntimeSvg); this is
 * for a chart without a template (and the tests that hold the templates to Vega-Lite).
 */
export async function renderChartSvg(spec: VegaLiteSpec): Promise<string> {
  const vegaLite = await import('vega-lite');
  return renderVegaSvg(vegaLite.compile(spec).spec);
}
