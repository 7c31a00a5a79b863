export { PublishError, type PublishErrorCode } from '../functions/core/errors.ts';
export { assertSafeSvg, renderChartSvg, renderRuntimeSvg, renderVegaSvg } from './chart-svg.ts';
export { type RenderSiteInput, renderSite, type SiteFile } from './site.tsx';
