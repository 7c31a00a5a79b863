/** A chart drawn at build time: its SVG (checked by `assertSafeSvg`) and its text alternative. */
export interface RenderedChart {
  readonly svg: string;
  readonly summary: string;
}

/** A pre-rendered SVG chart with its text alternative and a caption that explains the marks. */
export function ChartFigure({ chart, caption }: { readonly chart: RenderedChart; readonly caption: string }) {
  return (
    <figure>
      <div
        class="chart"
        role="img"
        aria-label={chart.summary}
        dangerouslySetInnerHTML={{ __html: chart.svg }}
      />
      <figcaption class="muted">{caption}</figcaption>
    </figure>
  );
}
