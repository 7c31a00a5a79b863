#!/usr/bin/env node
// The `repscope` command. The CLI is TypeScript: it is compiled once with esbuild into
// node_modules/.cache/repscope (again only when a source file changed) and run as plain
// JavaScript, which starts faster and holds less memory than a TypeScript loader. When it cannot
// be compiled (e.g. the cache folder is read-only) it runs through tsx instead, and says so.
import { bundleModule } from '../functions/adapters/local/ts-bundle.mjs';

let cli;
try {
  cli = await bundleModule({ name: 'cli', file: new URL('../functions/cli/cli.ts', import.meta.url) });
} catch (error) {
  process.stderr.write(
    `repscope: running through tsx (slower): ${(error instanceof Error ? error.message : String(error)).replace(/^repscope: /, '')}\n`,
  );
  const { register } = await import('tsx/esm/api');
  register();
  cli = new URL('../functions/cli/cli.ts', import.meta.url);
}
await import(cli.href);
