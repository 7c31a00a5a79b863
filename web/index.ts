export { assertSafeSvg, renderChartSvg } from './chart-svg.ts';
export { PublishError, type PublishErrorCode } from './errors.ts';
export { type RenderSiteInput, renderSite, type SiteFile } from './site.tsx';
