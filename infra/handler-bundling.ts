import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, aws_lambda as lambda } from 'aws-cdk-lib';
import { type BuildOptions, buildSync } from 'esbuild';
import { type LambdaName, lambdaBuildOptions } from './lambda-bundles.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The file Lambda loads, `index.handler`: the bundle's entry; its chunks lie beside it. */
export const HANDLER_ENTRY_FILE = 'index.mjs';

/**
 * The esbuild options of a handler's deployed asset: exactly those the bundle test builds and the
 * bench measures (`lambdaBuildOptions`), plus a source map beside each file (outside the 5 MB the
 * test counts; `NODE_OPTIONS=--enable-source-maps` makes stack traces use it).
 */
export function deployedBuildOptions(name: LambdaName, outputDir: string): BuildOptions {
  return {
    ...lambdaBuildOptions(name, path.join(outputDir, HANDLER_ENTRY_FILE)),
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  };
}

/**
 * A handler's code: its bundle built by esbuild from node_modules, on this machine, never in
 * Docker. Not NodejsFunction: its bundling always writes one `--outfile`, and esbuild's code
 * splitting (the chunks a first event does not load) needs an output folder.
 */
export function handlerCode(name: LambdaName): lambda.Code {
  return lambda.Code.fromAsset(ROOT, {
    // The bundle is hashed, not the repository it is built from.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Only for an asset's identity (CDK caches bundles by these options); nothing runs in it.
      image: DockerImage.fromRegistry('repscope-local-bundling-only'),
      command: ['esbuild', name],
      local: {
        tryBundle(outputDir) {
          buildSync(deployedBuildOptions(name, outputDir));
          return true;
        },
      },
    },
  });
}
