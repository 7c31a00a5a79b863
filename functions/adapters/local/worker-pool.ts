import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, RepscopeError } from '../../core/errors.ts';
import type { ObjectStore } from '../../core/ports.ts';
import { FileObjectStore } from './file-object-store.ts';
import { bundleModule } from './ts-bundle.mjs';

/** What each worker thread is started with. */
export interface WorkerData {
  /** Root of the FileObjectStore handed to the task function. */
  readonly storeRoot: string;
}

export interface WorkerRequest {
  readonly id: number;
  readonly input: unknown;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly id: number; readonly progress: unknown }
  | { readonly type: 'result'; readonly id: number; readonly output: unknown }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly error: { name: string; message: string; code?: ErrorCode; stack?: string };
    };

export interface WorkerPoolOptions {
  /** Worker threads to start. */
  readonly size: number;
  /**
   * The module that runs tasks: its export `exportName` is called as
   * `(store, input, report) => Promise<output>` with a FileObjectStore on `storeRoot`; input,
   * output and progress are structured-cloned (plain JSON in practice).
   */
  readonly module: URL;
  readonly exportName: string;
  readonly storeRoot: string;
}

const WORKER_ENTRY = fileURLToPath(new URL('./worker-entry.ts', import.meta.url));

interface Slot {
  /** Set once the compiled entry exists and the thread is started. */
  worker?: Worker;
  ready: Promise<void>;
  failed?: Error;
}

/**
 * The source of a worker thread's entry: the task module's export handed to `serveTasks`. It is
 * compiled with esbuild (ts-bundle.mjs, cached) so that threads start as plain JavaScript in
 * ~50 ms instead of loading a TypeScript loader each.
 */
export function workerEntrySource(module: URL, exportName: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new Error(`WorkerPool: '${exportName}' is not an export name`);
  }
  if (module.protocol !== 'file:') throw new Error(`WorkerPool: ${module.href} is not a file URL`);
  return [
    `import { serveTasks } from ${JSON.stringify(WORKER_ENTRY)};`,
    `import { ${exportName} as run } from ${JSON.stringify(fileURLToPath(module))};`,
    'serveTasks(run);',
    '',
  ].join('\n');
}

/**
 * A fixed set of worker_threads that run one exported function of a module on tasks pulled from
 * a queue. The threads start as soon as the pool is made (once the entry is compiled, which is
 * cached), so they warm up while the caller does other work; each takes tasks only once it is
 * ready. Idle threads do not keep the process alive; `close()` ends them.
 */
export class WorkerPool<In, Out, Progress> {
  readonly size: number;
  private readonly slots: Slot[];
  /** The compiled worker entry, once built (or found in the cache). */
  private readonly entry: Promise<URL>;
  private nextId = 0;
  private draining = false;
  private closed = false;

  constructor(options: WorkerPoolOptions) {
    this.size = Math.max(1, Math.floor(options.size));
    const workerData: WorkerData = { storeRoot: options.storeRoot };
    this.entry = Promise.resolve().then(() =>
      bundleModule({
        name: 'worker',
        contents: workerEntrySource(options.module, options.exportName),
        resolveDir: path.dirname(WORKER_ENTRY),
      }),
    );
    const entry = this.entry;
    // Not fatal (the calling thread does the work), but never silent: --threads would do nothing.
    entry.catch((error: unknown) => {
      process.emitWarning(
        `worker threads cannot start, counting on the calling thread only: ${error instanceof Error ? error.message : String(error)}`,
        { code: 'REPSCOPE_WORKERS' },
      );
    });
    this.slots = Array.from({ length: this.size }, () => {
      const slot: Slot = { ready: Promise.resolve() };
      slot.ready = entry.then((url) => {
        if (this.closed) throw new Error('WorkerPool: closed before its threads started');
        const worker = new Worker(url, { workerData, execArgv: workerExecArgv() });
        // An idle pool does not keep the process alive; drain() holds it while tasks run.
        if (!this.draining) worker.unref();
        slot.worker = worker;
        worker.on('error', (error) => {
          slot.failed ??= error;
        });
        worker.on('exit', (code) => {
          // A thread that is gone takes no more tasks (run() refuses to post to it).
          slot.failed ??= new Error(`a worker thread stopped (exit code ${code})`);
        });
        return new Promise<void>((resolve, reject) => {
          const onMessage = (message: WorkerReply) => {
            if (message.type !== 'ready') return;
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
            resolve();
          };
          const onError = (error: Error) => {
            worker.off('exit', onExit);
            slot.failed = error;
            reject(error);
          };
          const onExit = (code: number) => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            slot.failed ??= new Error(`a worker thread stopped (exit code ${code}) before it was ready`);
            reject(slot.failed);
          };
          worker.on('message', onMessage);
          worker.once('error', onError);
          worker.once('exit', onExit);
        });
      });
      // A worker that fails to start is reported by drain(), not as an unhandled rejection.
      slot.ready.catch((error: unknown) => {
        slot.failed ??= error instanceof Error ? error : new Error(String(error));
      });
      return slot;
    });
  }

  /**
   * Every worker takes inputs from `next` until it returns undefined (so `next` decides when to
   * stop, e.g. after a failure); a worker still starting when `exhausted` resolves takes none.
   * Resolves when all taken inputs are done; rejects with the first failure (a task's error,
   * rebuilt as a RepscopeError with its code when it was one).
   */
  async drain(
    next: () => In | undefined,
    onResult: (input: In, output: Out) => void,
    onProgress: (progress: Progress) => void,
    exhausted: Promise<void> = new Promise(() => {}),
  ): Promise<void> {
    if (this.closed) throw new Error('WorkerPool: drain() after close()');
    if (this.draining) throw new Error('WorkerPool: one drain() at a time');
    this.draining = true;
    let failure: { error: unknown } | undefined;
    const take = () => (failure ? undefined : next());
    for (const slot of this.slots) slot.worker?.ref();
    try {
      await Promise.all(
        this.slots.map(async (slot) => {
          // A thread that cannot start takes no tasks; the others (and the caller) do them. Nor
          // does one still starting when the queue runs dry: it finishes starting in the background.
          const started = await Promise.race([
            slot.ready.then(
              () => true,
              () => false,
            ),
            exhausted.then(() => false),
          ]);
          if (!started) return;
          try {
            for (let input = take(); input !== undefined; input = take()) {
              onResult(input, await this.run(slot, input, onProgress));
            }
          } catch (error) {
            failure ??= { error };
          }
        }),
      );
    } finally {
      for (const slot of this.slots) slot.worker?.unref();
      this.draining = false;
    }
    if (failure) throw failure.error;
  }

  /** Resolves once every thread has started (or failed to). */
  async ready(): Promise<void> {
    await Promise.allSettled(this.slots.map((slot) => slot.ready));
  }

  /** Ends every worker thread. */
  async close(): Promise<void> {
    this.closed = true;
    // Once the entry is settled no thread starts any more (they check `closed`); end those that did.
    await this.entry.catch(() => undefined);
    await Promise.all(this.slots.map((slot) => slot.worker?.terminate()));
  }

  private run(slot: Slot, input: In, onProgress: (progress: Progress) => void): Promise<Out> {
    const id = this.nextId++;
    const worker = slot.worker;
    if (!worker) return Promise.reject(new Error('WorkerPool: a task went to a thread that has not started'));
    return new Promise<Out>((resolve, reject) => {
      const done = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (message: WorkerReply) => {
        if (message.type === 'ready' || message.id !== id) return;
        if (message.type === 'progress') {
          onProgress(message.progress as Progress);
          return;
        }
        done();
        if (message.type === 'result') resolve(message.output as Out);
        else reject(rebuildError(message.error));
      };
      const onError = (error: Error) => {
        done();
        reject(new Error(`a worker thread failed: ${error.message}`, { cause: error }));
      };
      const onExit = (code: number) => {
        done();
        reject(new Error(`a worker thread stopped (exit code ${code}) before finishing its task`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      if (slot.failed) {
        onError(slot.failed);
        return;
      }
      worker.postMessage({ id, input } satisfies WorkerRequest);
    });
  }
}

/**
 * The parent's Node.js flags without module preloads (`--import tsx`, `--require …`): the
 * worker runs compiled JavaScript, and a loader would only slow its start down.
 */
function workerExecArgv(): string[] {
  const args = process.execArgv;
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (/^(--import|--require|-r|--loader|--experimental-loader)$/.test(arg)) {
      i++;
      continue;
    }
    if (/^--(import|require|loader|experimental-loader)=/.test(arg)) continue;
    kept.push(arg);
  }
  return kept;
}

function rebuildError(error: { name: string; message: string; code?: ErrorCode; stack?: string }): Error {
  const rebuilt = error.code ? new RepscopeError(error.code, error.message) : new Error(error.message);
  rebuilt.name = error.name;
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}

/** Worker threads for the profile stage's ranges, structurally a pipeline `RangeWorkers`. */
export interface LocalRangeWorkers<In, Out, Progress> {
  readonly size: number;
  ready(): Promise<void>;
  drain(
    next: () => In | undefined,
    onResult: (input: In, output: Out) => void,
    onProgress: (progress: Progress) => void,
    exhausted: Promise<void>,
  ): Promise<void>;
}

/**
 * Starts worker pools on demand for a composition root: `startWorkers(count, store)` gives a
 * pool of `count` threads reading the same folder as `store` (a FileObjectStore; any other store
 * gets undefined: run in the calling thread). A pool is kept and reused for the same folder while
 * it has at least `count` threads; `close()` ends it.
 */
export function localWorkerHost<In, Out, Progress>(task: { module: URL; exportName: string }) {
  let pool: WorkerPool<In, Out, Progress> | undefined;
  let poolRoot: string | undefined;
  return {
    startWorkers(count: number, store: ObjectStore): LocalRangeWorkers<In, Out, Progress> | undefined {
      if (!(store instanceof FileObjectStore) || count < 1) return undefined;
      if (pool && (pool.size < count || poolRoot !== store.root)) {
        void pool.close();
        pool = undefined;
      }
      poolRoot = store.root;
      pool ??= new WorkerPool<In, Out, Progress>({ size: count, ...task, storeRoot: store.root });
      return pool;
    },
    async close(): Promise<void> {
      const closing = pool;
      pool = undefined;
      await closing?.close();
    },
  };
}
