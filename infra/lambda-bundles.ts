import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * The Lambda handlers and how each is bundled: one place for the CDK stack (NodejsFunction's
 * esbuild options) and for the bundle budget test and benchmark, so what is measured is what is
 * deployed. Bundles are ESM for Node 22 on ARM64, minified, with the AWS SDK inside (its version
 * pinned by package-lock, not by the runtime) and without DuckDB (Athena runs the SQL in AWS).
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

/** esbuild options for one handler (NodejsFunction passes the same through its `bundling` props). */
export function lambdaBuildOptions(name: LambdaName, outfile: string): BuildOptions {
  return {
    entryPoints: [handlerEntry(name)],
    outfile,
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
    // with an `exports` map (zod, vega, …) resolve by it either way. NodejsFunction's `mainFields`.
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
