import { lakeKeys } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';

export interface WatchOptions {
  /** How often the uploads folder is listed. */
  readonly intervalMs: number;
  /** New uploads must be unchanged for this long before they are processed (a copy in progress). */
  readonly debounceMs: number;
  /** Ends the watch: the current pass finishes first. */
  readonly signal: AbortSignal;
  /** Called once the first listing is taken: changes from then on are seen. @default - nothing */
  readonly onReady?: () => void;
  /** @default - setTimeout, ended early by the signal */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Watches `datasets/` of a local bucket folder as S3 events would: each time its listing (keys and
 * etags) changes and then stays the same for `debounceMs`, `onChange` runs once. Runs are claimed by
 * their inputs, so each new object adds one run and everything else is a duplicate. Returns when
 * the signal aborts, after the pass in hand.
 */
export async function watchUploads(
  store: ObjectStore,
  onChange: () => Promise<void>,
  options: WatchOptions,
): Promise<void> {
  const sleep = options.sleep ?? abortableSleep;
  let seen = await snapshot(store);
  options.onReady?.();
  while (!options.signal.aborted) {
    await sleep(options.intervalMs, options.signal);
    if (options.signal.aborted) return;
    let now = await snapshot(store);
    if (now === seen) continue;
    // Debounce: wait until the listing stops changing.
    for (;;) {
      await sleep(options.debounceMs, options.signal);
      if (options.signal.aborted) return;
      const later = await snapshot(store);
      if (later === now) break;
      now = later;
    }
    seen = now;
    await onChange();
  }
}

async function snapshot(store: ObjectStore): Promise<string> {
  return (await store.list(lakeKeys.datasetsPrefix)).map((o) => `${o.key}\t${o.etag}`).join('\n');
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
