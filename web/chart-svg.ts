import * as vega from 'vega';
import { PublishError } from '../functions/core/errors.ts';

/** Elements vega's SVG renderer writes for the marks our charts use. */
const SVG_ELEMENTS = new Set([
  'svg',
  'g',
  'path',
  'rect',
  'line',
  'text',
  'tspan',
  'title',
  'desc',
  'defs',
  'clipPath',
  'circle',
  'linearGradient',
  'radialGradient',
  'stop',
]);
const TAG = /<[^>]*>/g;
const OPEN_TAG = /^<([A-Za-z][A-Za-z0-9]*)((?:\s+[A-Za-z_:][A-Za-z0-9_:.-]*="[^"<]*")*)\s*\/?>$/;
const CLOSE_TAG = /^<\/([A-Za-z][A-Za-z0-9]*)\s*>$/;
const ATTRIBUTE = /\s+([A-Za-z_:][A-Za-z0-9_:.-]*)="[^"<]*"/g;

/** Renders a Vega spec (a compiled chart) to an SVG string, checked by assertSafeSvg. */
export async function renderVegaSvg(spec: object): Promise<string> {
  return renderRuntimeSvg(vega.parse(spec as vega.Spec));
}

/** Renders vega's runtime dataflow of a chart (`vega.parse`'s output) to a checked SVG string. */
export async function renderRuntimeSvg(runtime: object): Promise<string> {
  const view = new vega.View(runtime as vega.Runtime, { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    assertSafeSvg(svg);
    return svg;
  } finally {
    view.finalize();
  }
}

/**
 * Throws unless `svg` is one `<svg>` element made only of the elements vega draws, with quoted
 * attributes, no event handlers, no links and no stray `<`. It is embedded in the page as markup,
 * so it is checked like untrusted input even though vega escapes the data it draws.
 */
export function assertSafeSvg(svg: string): void {
  if (!svg.startsWith('<svg') || !svg.endsWith('</svg>')) fail('it must be a single <svg> element');
  const text = svg.replace(TAG, '');
  if (text.includes('<') || text.includes('>')) fail('unescaped < or > in text');
  for (const [tag] of svg.matchAll(TAG)) {
    const close = CLOSE_TAG.exec(tag);
    if (close) {
      if (!SVG_ELEMENTS.has(close[1]!)) fail(`element ${close[1]} is not allowed`);
      continue;
    }
    const open = OPEN_TAG.exec(tag);
    if (!open) fail(`malformed tag ${JSON.stringify(tag.slice(0, 40))}`);
    if (!SVG_ELEMENTS.has(open[1]!)) fail(`element ${open[1]} is not allowed`);
    for (const [, name] of (open[2] ?? '').matchAll(ATTRIBUTE)) {
      const lower = name!.toLowerCase();
      if (lower.startsWith('on') || lower === 'href' || lower.endsWith(':href') || lower === 'style') {
        fail(`attribute ${name} is not allowed`);
      }
    }
  }
}

function fail(why: string): never {
  throw new PublishError('UNSAFE_SVG', `chart SVG rejected: ${why}`);
}
