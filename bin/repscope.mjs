#!/usr/bin/env node
// The `repscope` command. The CLI is TypeScript: it is compiled once with esbuild into
// node_modules/.cache/repscope (again only when a source file changed) and run as plain
// JavaScript, which starts faster and holds less memory than a TypeScript loader.
import { bundleModule } from '../functions/adapters/local/ts-bundle.mjs';

let cli;
try {
  cli = await bundleModule({ name: 'cli', file: new URL('../functions/cli/cli.ts', import.meta.url) });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(3);
}
await import(cli.href);
