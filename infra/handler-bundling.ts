import { aws_lambda_nodejs as nodejs } from 'aws-cdk-lib';
import { type LambdaName, lambdaBuildOptions } from './lambda-bundles.ts';

/**
 * NodejsFunction's bundling props from the same esbuild options the bundle test builds and
 * measures (`lambdaBuildOptions`), so what is measured is what is deployed. Two deliberate
 * differences: a source map beside the bundle (a separate .map file, outside the 5 MB the test
 * counts; `NODE_OPTIONS=--enable-source-maps` makes stack traces use it), and esbuild from
 * node_modules, never in Docker.
 */
export function handlerBundling(name: LambdaName): nodejs.BundlingOptions {
  const options = lambdaBuildOptions(name, 'index.mjs');
  if (options.format !== 'esm' || typeof options.target !== 'string' || !options.banner?.['js']) {
    throw new Error(`lambdaBuildOptions(${name}) changed shape: expected ESM, one target and a JS banner`);
  }
  return {
    format: nodejs.OutputFormat.ESM,
    target: options.target,
    minify: options.minify === true,
    banner: options.banner['js'],
    // esbuild's own default for platform node, as the bundle test builds (CDK's ESM default differs).
    mainFields: ['main', 'module'],
    // Everything inside, the AWS SDK included: its version is pinned by package-lock, not by the runtime.
    externalModules: [],
    bundleAwsSDK: true,
    ...(options.tsconfig ? { tsconfig: options.tsconfig } : {}),
    sourceMap: true,
    sourceMapMode: nodejs.SourceMapMode.DEFAULT,
    sourcesContent: false,
    logLevel: nodejs.LogLevel.WARNING,
    esbuildArgs: { '--legal-comments': String(options.legalComments ?? 'none') },
    forceDockerBundling: false,
  };
}
