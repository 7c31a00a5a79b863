import { InputError } from '../../../functions/core/errors.ts';
import type { ObjectStore } from '../../../functions/core/ports.ts';

/**
 * A task for WorkerPool tests (tests/integration/parallel-workers.test.ts): echoes its input with
 * the worker's store root, reports progress twice, and fails the way it is told to.
 */
export async function echoTask(
  store: ObjectStore,
  input: { value: number; fail?: 'input' | 'plain' },
  report: (progress: { step: number }) => void,
): Promise<{ value: number; uri: string }> {
  report({ step: 1 });
  report({ step: 2 });
  if (input.fail === 'input')
    throw new InputError('COLUMN_NOT_FOUND', `value ${input.value}: no such column`);
  if (input.fail === 'plain') throw new TypeError('plain failure');
  return { value: input.value * 2, uri: store.uri('x') };
}
