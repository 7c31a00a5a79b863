export { PublishError, type PublishErrorCode } from '../functions/core/errors.ts';
export { assertSafeSvg, renderRuntimeSvg, renderVegaSvg } from './chart-svg.ts';
export { type RenderSiteInput, renderSite, type SiteFile } from './site.tsx';
export { renderChartSvg } from './vega-lite-svg.ts';
