import path from 'node:path';
import { FileObjectStore } from '../adapters/local/file-object-store.ts';
import type { RunRootResult } from '../pipeline/run-root.ts';
import { watchUploads } from '../pipeline/watch.ts';
import { type CliIo, EXIT, printRunResult } from './run-command.ts';

export interface WatchRootOptions {
  readonly root: string;
  readonly failOnAlert?: boolean;
  /** Ends the watch. @default - Ctrl-C (SIGINT) or SIGTERM */
  readonly signal?: AbortSignal;
  /** @default 1000 */
  readonly intervalMs?: number;
  /** @default 500 */
  readonly debounceMs?: number;
}

/**
 * `repscope run --watch`: after the first pass, processes new uploads under `<root>/datasets/` as
 * the cloud would (one pass per settled change; claims make each new object one run) until Ctrl-C,
 * which lets the pass in hand finish and exits 0.
 */
export async function watchRoot(
  opts: WatchRootOptions,
  io: CliIo,
  pass: () => Promise<RunRootResult>,
): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signal = opts.signal ?? controller.signal;
  if (!opts.signal) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  try {
    await watchUploads(
      new FileObjectStore(opts.root),
      async () => {
        printRunResult(await pass(), opts.root, io, Boolean(opts.failOnAlert));
      },
      {
        intervalMs: opts.intervalMs ?? 1000,
        debounceMs: opts.debounceMs ?? 500,
        signal,
        onReady: () =>
          io.stdout(`watching ${path.join(opts.root, 'datasets')} for uploads (Ctrl-C to stop)\n`),
      },
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  io.stdout('watch ended\n');
  return EXIT.ok;
}
