import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORBIDDEN_IN_BUNDLES,
  LAMBDA_HANDLERS,
  type LambdaName,
  lambdaBuildOptions,
} from '../../infra/lambda-bundles.ts';
import { tempDir } from '../fixtures/cli.ts';

/**
 * Each Lambda bundle as the stack builds it: under 5 MB, without DuckDB or dev dependencies, and
 * loadable by a fresh Node process that then handles a first event (one the handler ignores, so no
 * network is needed) without reading its environment before it must.
 */
const run = promisify(execFile);
const BUDGET_BYTES = 5 * 1024 * 1024;
let dir: string;
let cleanup: () => Promise<void>;
const bundles = new Map<LambdaName, { file: string; bytes: number; inputs: string[] }>();

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('repscope-bundles-'));
  for (const name of Object.keys(LAMBDA_HANDLERS) as LambdaName[]) {
    const file = path.join(dir, name, 'index.mjs');
    const result = await build(lambdaBuildOptions(name, file));
    // The entry and the chunks it may load: all of them are deployed, so all count.
    const outputs = Object.keys(result.metafile?.outputs ?? {});
    expect(outputs.some((o) => path.resolve(o) === file)).toBe(true);
    let bytes = 0;
    for (const output of outputs) bytes += (await stat(output)).size;
    bundles.set(name, { file, bytes, inputs: Object.keys(result.metafile?.inputs ?? {}) });
  }
}, 120_000);
afterAll(async () => cleanup?.());

describe('Lambda bundles', () => {
  it.each(Object.keys(LAMBDA_HANDLERS) as LambdaName[])(
    '%s is under 5 MB without DuckDB or dev dependencies',
    (name) => {
      const bundle = bundles.get(name)!;
      console.info(`[bundles] ${name}: ${(bundle.bytes / 1024 / 1024).toFixed(2)} MB`);
      expect(bundle.bytes).toBeLessThan(BUDGET_BYTES);
      for (const forbidden of FORBIDDEN_IN_BUNDLES) {
        expect(bundle.inputs.filter((input) => input.includes(`node_modules/${forbidden}`))).toEqual([]);
      }
    },
  );

  it.each(Object.keys(LAMBDA_HANDLERS) as LambdaName[])(
    '%s loads in a fresh process and exports its handler',
    async (name) => {
      const { stdout } = await run(process.execPath, [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(bundles.get(name)!.file)}); console.log(typeof m.handler);`,
      ]);
      expect(stdout.trim()).toBe('function');
    },
  );

  it('handles a first event in a fresh process (an ignored one: no network needed)', async () => {
    const event = {
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'b' }, object: { key: 'elsewhere/x', etag: 'e' } },
    };
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(bundles.get('profile')!.file)}); console.log(JSON.stringify(await m.handler({ event: ${JSON.stringify(event)} })));`,
      ],
      {
        env: {
          ...process.env,
          REPSCOPE_DATASETS_BUCKET: 'repscope-datasets',
          REPSCOPE_LAKE_BUCKET: 'repscope-lake',
          REPSCOPE_SITE_BUCKET: 'repscope-site',
          REPSCOPE_ATHENA_WORKGROUP: 'repscope',
          REPSCOPE_GLUE_DATABASE: 'repscope_lake',
          AWS_REGION: 'eu-central-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
        },
      },
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      status: 'ignored',
      reason: 'the object is outside datasets/',
    });
  });
});
