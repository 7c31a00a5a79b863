import './promise-with-resolvers.ts';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { StateMachine } from 'aws-local-stepfunctions';
import { S3ObjectStore } from '../../functions/adapters/aws/s3-object-store.ts';
import type { LakeBucket } from '../../functions/core/lake/layout.ts';
import type { ObjectStore } from '../../functions/core/ports.ts';
import { createCompareHandler } from '../../functions/handlers/compare.ts';
import { readConfig } from '../../functions/handlers/config.ts';
import { createMergeHandler } from '../../functions/handlers/merge.ts';
import { createProfileHandler } from '../../functions/handlers/profile.ts';
import { createProfileRangeHandler } from '../../functions/handlers/profile-range.ts';
import { createProfileTableHandler } from '../../functions/handlers/profile-table.ts';
import { createPublishHandler } from '../../functions/handlers/publish.ts';
import { createRescanHandler, type RescanOutput } from '../../functions/handlers/rescan.ts';
import { BUILT_IN_REFERENCES_PREFIX, createRuntime, type Runtime } from '../../functions/handlers/runtime.ts';
import { routedStore } from '../../functions/pipeline/routed-store.ts';
import { objectCreated, s3EventKey } from '../fixtures/events.ts';
import { type AthenaProtocolServer, startAthenaProtocolServer } from './athena-protocol-server.ts';
import { handlerEnvironment, TEST_BUCKETS } from './handler-environment.ts';
import { noRetryWaits } from './no-retry-waits.ts';
import { type S3Peer, startMoto } from './s3-servers.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');

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

/** moto_server's S3 (the deployment's three buckets) with the Athena stand-in over it, as the e2e tests use them. */
export interface EmulatedCloud {
  readonly moto: S3Peer;
  /** The lake as the handlers see it: one store routed over the three buckets. */
  readonly store: ObjectStore;
  /** Each bucket on its own, for what the routed store refuses (objects outside the layout). */
  readonly buckets: Readonly<Record<LakeBucket, S3ObjectStore>>;
  readonly athena: AthenaProtocolServer;
  /**
   * Writes an object into the datasets bucket (any key, so tests can upload what the pipeline
   * ignores) and returns the event S3 sends for it, with its version id and ETag.
   */
  upload(key: string, body: string | Uint8Array): Promise<ReturnType<typeof objectCreated>>;
  stop(): Promise<void>;
}

/**
 * Starts moto_server and the Athena protocol stand-in on loopback, creates the three buckets as
 * the stateful stack does (datasets and lake versioned: S3's events then name object versions, as
 * the run claims expect) and puts the built-in references where the runtime reads them. The SDK's
 * credentials and region come from the environment, as in Lambda.
 */
export async function startEmulatedCloud(names = TEST_BUCKETS): Promise<EmulatedCloud> {
  process.env['AWS_ACCESS_KEY_ID'] = 'test';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
  process.env['AWS_REGION'] = 'eu-central-1';
  const moto = await startMoto();
  await moto.createBucket(names.datasets, { versioned: true });
  await moto.createBucket(names.lake, { versioned: true });
  await moto.createBucket(names.site);
  const client = moto.client();
  const buckets = {
    datasets: new S3ObjectStore({ bucket: names.datasets, client }),
    lake: new S3ObjectStore({ bucket: names.lake, client }),
    site: new S3ObjectStore({ bucket: names.site, client }),
  };
  const store = routedStore(buckets);
  const athena = await startAthenaProtocolServer(store);
  await seedBuiltInReferences(store);
  return {
    moto,
    store,
    buckets,
    athena,
    async upload(key, body) {
      await buckets.datasets.write(key, body);
      const head = await buckets.datasets.head(key);
      const { VersionId } = await client.send(new HeadObjectCommand({ Bucket: names.datasets, Key: key }));
      if (!head || !VersionId) throw new Error(`moto did not version s3://${names.datasets}/${key}`);
      return objectCreated(s3EventKey(key), {
        size: head.bytes,
        etag: head.etag.replaceAll('"', ''),
        'version-id': VersionId,
      });
    },
    stop: async () => {
      client.destroy();
      await athena.stop();
      await moto.stop();
    },
  };
}

/** The repository's built-in references, at the bucket prefix the runtime loads them from. */
export async function seedBuiltInReferences(store: ObjectStore): Promise<void> {
  for (const file of await readdir(path.join(REPO, 'references'))) {
    if (file.endsWith('.csv') || file === 'populations.json') {
      await store.write(
        `${BUILT_IN_REFERENCES_PREFIX}${file}`,
        await readFile(path.join(REPO, 'references', file)),
      );
    }
  }
}

/** The state machine the rescan handler starts executions of, as the tests name it. */
const STATE_MACHINE_ARN = 'arn:aws:states:eu-central-1:123456789012:stateMachine:repscope-run';

/**
 * The handlers' runtime over the emulated cloud, as createRuntime builds it from the environment a
 * deployed function has (handlerEnvironment, the state machine to start, a code version), with a
 * quiet logger, the clock's time (`now`, default: the real clock) and any further variables.
 */
export function emulatedRuntime(
  cloud: EmulatedCloud,
  options: { readonly now?: () => string; readonly env?: Readonly<Record<string, string>> } = {},
): Runtime {
  const { now } = options;
  return createRuntime(
    readConfig({
      ...handlerEnvironment(TEST_BUCKETS, cloud.moto.endpoint, cloud.athena.endpoint),
      REPSCOPE_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
      REPSCOPE_CODE_VERSION: 'repscope test',
      ...options.env,
    }),
    {
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      ...(now ? { clock: { now: () => new Date(now()) } } : {}),
    },
  );
}

/** Runs the definition on an event; resolves with the task states it ran, rejects with its error. */
export async function executeSteps(
  definition: Record<string, unknown>,
  event: unknown,
  rt: Runtime,
): Promise<string[]> {
  const { error, steps } = await runEmulated(definition, event, rt);
  if (error) throw error;
  return steps;
}

/**
 * The rescan Lambda, each execution it starts run at once in the local state machine (a fresh
 * runtime from `runtime` each time): its output and the steps of every execution.
 */
export async function rescanEmulated(
  definition: Record<string, unknown>,
  runtime: () => Runtime,
): Promise<{ readonly output: RescanOutput; readonly executions: string[][] }> {
  const executions: string[][] = [];
  const handler = createRescanHandler(runtime, () => async (input) => {
    executions.push(await executeSteps(definition, JSON.parse(input), runtime()));
    return `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${executions.length}`;
  });
  return { output: await handler({}), executions };
}
