import './promise-with-resolvers.ts';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { createCompareHandler } from '../../functions/handlers/compare.ts';
import { createMergeHandler } from '../../functions/handlers/merge.ts';
import { createProfileHandler } from '../../functions/handlers/profile.ts';
import { createProfileRangeHandler } from '../../functions/handlers/profile-range.ts';
import { createProfileTableHandler } from '../../functions/handlers/profile-table.ts';
import { createPublishHandler } from '../../functions/handlers/publish.ts';
import type { Runtime } from '../../functions/handlers/runtime.ts';
import { noRetryWaits } from './no-retry-waits.ts';

/** The task states and the handlers they call (Publish and PublishFailure share one). */
const HANDLERS: Record<string, (runtime: () => Runtime) => (input: never) => Promise<unknown>> = {
  Profile: createProfileHandler,
  ProfileRange: createProfileRangeHandler,
  Merge: createMergeHandler,
  ProfileTable: createProfileTableHandler,
  Compare: createCompareHandler,
};

export interface EmulatedRun {
  readonly output?: unknown;
  readonly error?: Error;
  /** The task states in the order they ran (retries included). */
  readonly steps: string[];
}

/**
 * Runs a state machine definition on an event with aws-local-stepfunctions, every task calling the
 * real handler in-process on `runtime`, with no waits between retries. The e2e tests pass the
 * definition taken from the synthesized template, so what runs is what the stack deploys.
 */
export async function runEmulated(
  definition: Record<string, unknown>,
  event: unknown,
  rt: Runtime,
): Promise<EmulatedRun> {
  const steps: string[] = [];
  const step =
    <I, O>(name: string, handler: (input: I) => Promise<O>) =>
    async (input: unknown) => {
      steps.push(name);
      return handler(input as I) as never;
    };
  const publish = createPublishHandler(() => rt);
  const machine = new StateMachine(structuredClone(definition) as never);
  const execution = machine.run(event as never, {
    // Step Functions gives every execution its id (the context object the definition reads).
    context: {
      Execution: { Id: `arn:aws:states:eu-central-1:123456789012:execution:repscope:${randomUUID()}` },
    } as never,
    overrides: {
      taskResourceLocalHandlers: {
        ...Object.fromEntries(
          Object.entries(HANDLERS).map(([name, create]) => [
            name,
            step(
              name,
              create(() => rt),
            ),
          ]),
        ),
        Publish: step('Publish', publish),
        PublishFailure: step('PublishFailure', publish),
      } as never,
      retryIntervalOverrides: noRetryWaits(definition),
    },
  });
  try {
    return { output: await execution.result, steps };
  } catch (error) {
    return { error: error as Error, steps };
  }
}
