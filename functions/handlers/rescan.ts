import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { UsageError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import { type DueObject, dueObjects, type SkippedDataset } from '../pipeline/rescan.ts';
import type { HandlerConfig } from './config.ts';
import { withErrorCodes } from './error-codes.ts';
import { recompareEvent } from './recompare-event.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';
import type { ObjectCreatedEvent } from './s3-event.ts';

/** What EventBridge Scheduler (or an operator) sends: nothing, or the datasets to rescan. */
export interface RescanInput {
  /** Dataset ids to rescan whatever their schedule. @default - every dataset with a `schedule` */
  readonly datasets?: readonly string[];
}

export interface RescanOutput {
  /**
   * One execution per due dataset: `key` is its newest data object (or table manifest), or, for a
   * compare-only run (its uploads expired), the kept profile of run `from`.
   */
  readonly started: readonly {
    readonly dataset: string;
    readonly key: string;
    readonly execution: string;
    readonly from?: string;
  }[];
  /** Due datasets with nothing to profile or compare again (no data, no usable kept run), and why. */
  readonly skipped: readonly SkippedDataset[];
}

/** Starts one execution of the run's state machine with `input`; returns its ARN. */
export type StartRun = (input: string) => Promise<string>;

/**
 * The scheduled rescan: for each dataset whose manifest has a `schedule` (or each one named), starts
 * one state machine execution with an S3 "Object Created" event for its newest data object, marked
 * as a scheduled trigger. The profile step then claims the run by its inputs as for an upload: an
 * unchanged dataset ends as a duplicate, a revised reference or manifest makes a new run. A dataset
 * whose uploads expired gets a recompare event instead (its kept profile compared again; see
 * pipeline/recompare.ts), or, when even that cannot be, is named in `skipped` with the reason.
 */
export function createRescanHandler(
  runtime: () => Runtime,
  startRun: (config: HandlerConfig) => StartRun = sfnStarter,
): (input?: RescanInput) => Promise<RescanOutput> {
  let start: StartRun | undefined;
  return withErrorCodes(async (input?: RescanInput) => {
    const rt = runtime();
    start ??= startRun(rt.config);
    const named = input?.datasets ?? [];
    const started: RescanOutput['started'][number][] = [];
    const now = rt.clock.now().toISOString();
    const { objects, recompares, skipped } = await dueObjects(rt.store, named, () => rt.catalogue());
    for (const object of objects) {
      const execution = await start(JSON.stringify(rescanEvent(rt.config.buckets.datasets, object, now)));
      rt.logger.info('rescan started', { dataset: object.dataset, execution });
      started.push({ dataset: object.dataset, key: object.key, execution });
    }
    for (const due of recompares) {
      const execution = await start(JSON.stringify(recompareEvent(rt.config.buckets.datasets, due, now)));
      rt.logger.info('rescan started a compare of a kept profile', {
        dataset: due.dataset,
        from: due.from,
        execution,
      });
      started.push({
        dataset: due.dataset,
        key: lakeKeys.profile(due.dataset, due.from),
        execution,
        from: due.from,
      });
    }
    for (const s of skipped) rt.logger.warn('rescan skipped', { dataset: s.dataset, reason: s.reason });
    rt.logger.info('rescan done', { started: started.length, skipped: skipped.length });
    return { started, skipped };
  });
}

/** The event S3 would send for the object, marked as a scheduled rescan. */
export function rescanEvent(bucket: string, object: DueObject, time: string): ObjectCreatedEvent {
  return {
    'detail-type': 'Object Created',
    source: 'aws.s3',
    time,
    detail: {
      bucket: { name: bucket },
      object: {
        key: object.key
          .split('/')
          .map((part) => encodeURIComponent(part).replaceAll('%20', '+'))
          .join('/'),
        size: object.bytes,
        etag: object.etag.replaceAll('"', ''),
      },
      'repscope-trigger': 'schedule',
    },
  };
}

/** StartExecution on the configured state machine, one SFN client per cold start. */
function sfnStarter(config: HandlerConfig): StartRun {
  const arn = config.stateMachineArn;
  if (!arn) throw new UsageError('the rescan handler needs REPSCOPE_STATE_MACHINE_ARN; it is unset');
  const client = new SFNClient(config.sfnEndpoint ? { endpoint: config.sfnEndpoint } : {});
  return async (input) => {
    const out = await client.send(new StartExecutionCommand({ stateMachineArn: arn, input }));
    return out.executionArn ?? '';
  };
}

export const handler = createRescanHandler(lazyRuntime());
