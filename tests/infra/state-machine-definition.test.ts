import '../helpers/promise-with-resolvers.ts';
import { randomUUID } from 'node:crypto';
import aslValidator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  functionsByHandler,
  stateMachineDefinition,
  TRANSIENT_ERRORS,
} from '../../infra/state-machine-definition.ts';
import { noRetryWaits } from '../helpers/no-retry-waits.ts';

/**
 * The state machine's definition: valid ASL (asl-validator, ARNs checked), and its routes, retries
 * and catch executed by aws-local-stepfunctions. The tasks here are recording stand-ins that return
 * what each handler's contract says; tests/e2e/aws-pipeline.test.ts runs the real handlers.
 */
const arn = (name: string) => `arn:aws:lambda:eu-central-1:123456789012:function:repscope-${name}`;
const definition = stateMachineDefinition({
  functions: functionsByHandler(arn),
  maxConcurrency: 4,
});
const event = {
  'detail-type': 'Object Created',
  source: 'aws.s3',
  detail: { object: { key: 'datasets/a/v1/x.csv' } },
};

class StoreError extends Error {
  override name = 'StoreError';
}

class QueryErrorStandIn extends Error {
  override name = 'QueryError';
}

function machine() {
  return new StateMachine(structuredClone(definition) as never, { validationOptions: { checkArn: true } });
}

type Handlers = Record<string, (input: never) => unknown>;
async function execute(handlers: Handlers, calls: string[]) {
  const recorded: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [state, handler] of Object.entries(handlers)) {
    recorded[state] = async (input) => {
      calls.push(state);
      return (handler as (i: unknown) => unknown)(input) as never;
    };
  }
  const execution = machine().run(event as never, {
    // Step Functions gives every execution its id (the context object the definition reads).
    context: {
      Execution: { Id: `arn:aws:states:eu-central-1:123456789012:execution:repscope:${randomUUID()}` },
    } as never,
    overrides: {
      taskResourceLocalHandlers: recorded as never,
      retryIntervalOverrides: noRetryWaits(definition),
    },
  });
  return execution.result;
}

describe('state machine definition', () => {
  it('is valid Amazon States Language', () => {
    const { isValid, errors } = aslValidator(structuredClone(definition) as never, {
      checkArn: true,
      checkPaths: true,
    });
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('retries only transient errors, and catches everything into PublishFailure', () => {
    const states = (definition['States'] ?? {}) as Record<string, Record<string, unknown>>;
    for (const name of ['Profile', 'Merge', 'ProfileTable', 'Compare', 'Publish']) {
      expect(states[name]?.['Retry']).toEqual([
        expect.objectContaining({ ErrorEquals: [...TRANSIENT_ERRORS] }),
      ]);
      expect(states[name]?.['Catch']).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'PublishFailure' },
      ]);
    }
    expect(states['ProfileRanges']?.['ItemProcessor']).toMatchObject({
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
    });
  });

  it('stops at once for an ignored or duplicate object', async () => {
    for (const status of ['ignored', 'duplicate']) {
      const calls: string[] = [];
      await execute({ Profile: () => ({ status, reason: 'test' }) }, calls);
      expect(calls).toEqual(['Profile']);
    }
  });

  it('profiles a small object in the profile step, compares it in its own step, then publishes', async () => {
    const calls: string[] = [];
    const job = { dataset: 'a', run: '20261206T000000Z-abc' };
    const result = (await execute(
      {
        Profile: (input: { event: unknown }) => {
          expect(input.event).toEqual(event);
          return { status: 'profiled', job };
        },
        Compare: (input: unknown) => {
          // The profile is in the lake: compare gets the job only.
          expect(input).toEqual({ job });
          return { status: 'analysed', job, verdict: 'warn' };
        },
        Publish: (input: { job: unknown; verdict: unknown }) => {
          expect(input).toEqual({ job, verdict: 'warn' });
          return { pages: 3 };
        },
      },
      calls,
    )) as { published: unknown };
    expect(calls).toEqual(['Profile', 'Compare', 'Publish']);
    expect(result.published).toEqual({ pages: 3 });
  });

  it('fails the execution after publishing when the verdict is error (bad input)', async () => {
    const calls: string[] = [];
    const run = execute(
      {
        Profile: () => ({ status: 'analysed', job: {}, verdict: 'error' }),
        Publish: () => ({ pages: 2 }),
      },
      calls,
    );
    await expect(run).rejects.toThrow(/RunFailed|The run failed/);
    expect(calls).toEqual(['Profile', 'Publish']);
  });

  it('fans a big object out over ranges in a Distributed Map and merges the parts', async () => {
    const calls: string[] = [];
    const job = { dataset: 'a', run: 'r' };
    const ranges = [0, 1, 2, 3, 4, 5];
    const seen: number[] = [];
    const result = (await execute(
      {
        Profile: () => ({ status: 'fan-out', job, ranges }),
        ProfileRange: (input: { job: unknown; index: number }) => {
          expect(input.job).toEqual(job);
          seen.push(input.index);
          return { index: input.index, bulky: 'x'.repeat(1000) };
        },
        Merge: (input: unknown) => {
          // The parts stay in the lake: the merge gets the job only.
          expect(input).toEqual({ job });
          return { status: 'profiled', job };
        },
        Compare: (input: unknown) => {
          expect(input).toEqual({ job });
          return { status: 'analysed', job, verdict: 'pass' };
        },
        Publish: () => ({ pages: 1 }),
      },
      calls,
    )) as Record<string, unknown>;
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // Nothing of the map's output joins the state (it is limited to 256 KB).
    expect(JSON.stringify(result)).not.toContain('bulky');
    expect(calls.filter((c) => c !== 'ProfileRange')).toEqual(['Profile', 'Merge', 'Compare', 'Publish']);
  });

  it('profiles a registered table in a step of its own, then compares and publishes', async () => {
    const calls: string[] = [];
    const job = { dataset: 'a', run: 'r', table: true };
    let failures = 1;
    await execute(
      {
        Profile: () => ({ status: 'table', job }),
        ProfileTable: (input: unknown) => {
          expect(input).toEqual({ job });
          if (failures-- > 0) throw new QueryErrorStandIn('Athena said TooManyRequestsException');
          return { status: 'profiled', job };
        },
        Compare: (input: unknown) => {
          expect(input).toEqual({ job });
          return { status: 'analysed', job, verdict: 'pass' };
        },
        Publish: (input: unknown) => {
          expect(input).toEqual({ job, verdict: 'pass' });
          return { pages: 1 };
        },
      },
      calls,
    );
    expect(calls).toEqual(['Profile', 'ProfileTable', 'ProfileTable', 'Compare', 'Publish']);
  });

  it('publishes the error report of a table the engine cannot count, without comparing', async () => {
    const calls: string[] = [];
    const job = { dataset: 'a', run: 'r', table: true };
    const run = execute(
      {
        Profile: () => ({ status: 'table', job }),
        ProfileTable: () => ({ status: 'analysed', job, verdict: 'error' }),
        Publish: () => ({ pages: 1 }),
      },
      calls,
    );
    await expect(run).rejects.toThrow(/RunFailed|The run failed/);
    expect(calls).toEqual(['Profile', 'ProfileTable', 'Publish']);
  });

  it('publishes the error report of a merge that found bad input without comparing', async () => {
    const calls: string[] = [];
    const job = { dataset: 'a', run: 'r' };
    const run = execute(
      {
        Profile: () => ({ status: 'fan-out', job, ranges: [0, 1] }),
        ProfileRange: (input: { index: number }) => ({ index: input.index }),
        Merge: () => ({ status: 'analysed', job, verdict: 'error' }),
        Publish: (input: unknown) => {
          expect(input).toEqual({ job, verdict: 'error' });
          return { pages: 1 };
        },
      },
      calls,
    );
    await expect(run).rejects.toThrow(/RunFailed|The run failed/);
    expect(calls.filter((c) => c !== 'ProfileRange')).toEqual(['Profile', 'Merge', 'Publish']);
  });

  it('retries a transient error and goes on', async () => {
    const calls: string[] = [];
    let failures = 2;
    await execute(
      {
        Profile: () => {
          if (failures-- > 0) throw new StoreError('S3 said 503');
          return { status: 'profiled', job: {} };
        },
        Compare: () => ({ status: 'analysed', job: {}, verdict: 'pass' }),
        Publish: () => ({}),
      },
      calls,
    );
    expect(calls).toEqual(['Profile', 'Profile', 'Profile', 'Compare', 'Publish']);
  });

  it('retries a transient failure of compare without profiling again', async () => {
    const calls: string[] = [];
    let failures = 2;
    await execute(
      {
        Profile: () => ({ status: 'profiled', job: {} }),
        Compare: () => {
          if (failures-- > 0) throw new QueryErrorStandIn('Athena said ThrottlingException');
          return { status: 'analysed', job: {}, verdict: 'pass' };
        },
        Publish: () => ({}),
      },
      calls,
    );
    expect(calls).toEqual(['Profile', 'Compare', 'Compare', 'Compare', 'Publish']);
  });

  it('publishes an error report and fails the execution when a task fails for good', async () => {
    const calls: string[] = [];
    let failure: unknown;
    const run = execute(
      {
        Profile: () => ({ status: 'fan-out', job: { dataset: 'a' }, ranges: [0] }),
        ProfileRange: () => ({ index: 0 }),
        Merge: () => {
          throw new TypeError('a bug');
        },
        PublishFailure: (input: { failure: unknown; execution: unknown }) => {
          failure = input.failure;
          expect(typeof input.execution).toBe('string');
          return { pages: 1 };
        },
      },
      calls,
    );
    await expect(run).rejects.toThrow(/RunFailed|The run failed/);
    expect(calls).toEqual(['Profile', 'ProfileRange', 'Merge', 'PublishFailure']);
    expect(failure).toMatchObject({
      event,
      profile: { job: { dataset: 'a' } },
      error: { Error: 'TypeError' },
    });
  });
});
