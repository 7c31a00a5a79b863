import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { VegaLiteSpec } from '../../../../functions/core/charts/chart-specs.ts';

/** Compiles a spec with vega-lite (collecting its warnings) and renders it to SVG with vega. */
export async function compileAndRender(spec: VegaLiteSpec): Promise<{ messages: string[]; svg: string }> {
  const messages: string[] = [];
  const logger = {
    level: () => logger,
    error: (...m: unknown[]) => {
      messages.push(`error ${m.join(' ')}`);
      return logger;
    },
    warn: (...m: unknown[]) => {
      messages.push(`warn ${m.join(' ')}`);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  } as unknown as NonNullable<NonNullable<Parameters<typeof vegaLite.compile>[1]>['logger']>;
  const { spec: compiled } = vegaLite.compile(spec, { logger });
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return { messages, svg };
}

/**
 * A validator of Vega-Lite's JSON Schema. strict: false because the generated schema uses keywords
 * ajv's strict mode rejects; formats (uri on $schema) are not what these specs are about.
 */
export function vegaLiteValidator() {
  const require = createRequire(import.meta.url);
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, validateFormats: false });
  return ajv.compile(require(require.resolve('vega-lite/vega-lite-schema.json')) as object);
}
