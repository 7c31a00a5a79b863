import { parentPort, workerData } from 'node:worker_threads';
import { RepscopeError } from '../../core/errors.ts';
import type { ObjectStore } from '../../core/ports.ts';
import { FileObjectStore } from './file-object-store.ts';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-pool.ts';

/** A task function: plain JSON in, plain JSON out, progress reported on the side. */
export type TaskFunction = (
  store: ObjectStore,
  input: unknown,
  report: (progress: unknown) => void,
) => Promise<unknown>;

/**
 * Serves `run` to the pool that started this thread: each request's input goes to `run`, its
 * progress, output or error back as messages. Called by the entry the pool compiles for each task
 * module (see WorkerPool), once the task module is loaded; then tells the pool it is ready.
 */
export function serveTasks(run: TaskFunction): void {
  const data = workerData as WorkerData;
  const port = parentPort;
  if (port === null) throw new Error('worker-entry.ts runs only as a worker thread');
  const store = new FileObjectStore(data.storeRoot);
  port.on('message', (request: WorkerRequest) => {
    const reply = (message: WorkerReply) => port.postMessage(message);
    run(store, request.input, (progress) => reply({ type: 'progress', id: request.id, progress }))
      .then((output) => reply({ type: 'result', id: request.id, output }))
      .catch((error: unknown) =>
        reply({
          type: 'error',
          id: request.id,
          error: {
            name: error instanceof Error ? error.name : 'Error',
            message: error instanceof Error ? error.message : String(error),
            ...(error instanceof RepscopeError ? { code: error.code } : {}),
            ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
          },
        }),
      );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
