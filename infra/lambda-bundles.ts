import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * The Lambda handlers and how each is bundled: one place for the CDK stack (its assets are built
 * with these esbuild options, infra/handler-bundling.ts) and for the bundle budget test and
 * benchmark, so what is measured is what is deployed. Bundles are ESM for Node 22 on ARM64,
 * minified, with the AWS SDK inside (its version pinned by package-lock, not by the runtime) and
 * without DuckDB (Athena runs the SQL in AWS).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const LAMBDA_HANDLERS = {
  profile: 'functions/handlers/profile.ts',
  'profile-range': 'functions/handlers/profile-range.ts',
  merge: 'functions/handlers/merge.ts',
  'profile-table': 'functions/handlers/profile-table.ts',
  compare: 'functions/handlers/compare.ts',
  publish: 'functions/handlers/publish.ts',
  rescan: 'functions/handlers/rescan.ts',
} as const;

export type LambdaName = keyof typeof LAMBDA_HANDLERS;

/** The entry file of a handler, absolute. */
export function handlerEntry(name: LambdaName): string {
  return path.join(ROOT, LAMBDA_HANDLERS[name]);
}

/** Packages a Lambda bundle must never contain. */
export const FORBIDDEN_IN_BUNDLES = ['@duckdb/', 'duckdb', 'vitest', 'playwright-core', 'tsx'] as const;

/**
 * esbuild options for one handler: its entry module at `entry` (a path ending in `.mjs`), and the
 * chunks it loads on demand beside it (`chunk-<hash>.mjs`). Code splitting keeps what a first
 * event does not run out of the entry's module graph: Node then neither compiles nor runs it at a
 * cold start (publish: the Vega-Lite compiler of the trend charts, the failure path's analysis
 * and YAML parser, the SNS client, the SDK's credential providers other than the environment's;
 * ~50 ms of CPU, docs/BENCHMARKS.md).
 */
export function lambdaBuildOptions(name: LambdaName, entry: string): BuildOptions {
  if (!entry.endsWith('.mjs')) throw new Error(`expected the entry's path to end in .mjs, got ${entry}`);
  return {
    entryPoints: { [path.basename(entry, '.mjs')]: handlerEntry(name) },
    outdir: path.dirname(entry),
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    metafile: true,
    logLevel: 'silent',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    // A package's ES module build before its CommonJS one (esbuild's default on node is the
    // reverse). The AWS SDK ships both, and only ES modules are tree-shaken: the publish bundle
    // goes from 2.1 to 1.9 MB and its import from ~245 to ~170 ms (docs/BENCHMARKS.md). Packages
    // with an `exports` map (zod, vega, …) resolve by it either way.
    mainFields: ['module', 'main'],
    // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __repscopeRequire } from 'node:module'; const require = __repscopeRequire(import.meta.url);",
    },
    // The Lambda bundle budget is 5 MB: source maps stay out.
    sourcemap: false,
    legalComments: 'none',
  };
}
