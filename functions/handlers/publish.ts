import { renderSite } from '../../web/site.tsx';
import { isErrorCode, RepscopeError } from '../core/errors.ts';
import type { Notifier } from '../core/ports.ts';
import { publishStage, type SiteRenderer } from '../pipeline/publish-stage.ts';
import { withErrorCodes } from './error-codes.ts';
import type { RunJob } from './job.ts';
import { alertNotifier } from './notifier.ts';
import { lazyRuntime, type Runtime } from './runtime.ts';

/** What Step Functions hands a Catch: the error's name and its cause (Lambda's error as JSON). */
export interface StepFailure {
  readonly Error?: string;
  readonly Cause?: string;
}

export type PublishInput =
  | { readonly job: RunJob; readonly verdict: string }
  | {
      readonly failure: {
        readonly event: unknown;
        readonly profile?: { readonly job?: RunJob };
        readonly error?: StepFailure;
      };
      /** The state machine execution (`$$.Execution.Id`), the owner of the run's claim. */
      readonly execution?: string;
    };

export interface PublishOutput {
  readonly pages: number;
  /** Set when an `error` report was written for a failed run. */
  readonly errorReport?: string;
}

/**
 * The last step: renders the site from the lake (the published copies, small cells suppressed).
 * After a failure caught by the state machine it first writes the run's `error` report — what
 * failed and where, never data or a stack trace — so the site says the run failed and why.
 * Imports web/ (preact, vega): the one handler that renders.
 */
export function createPublishHandler(
  runtime: () => Runtime,
  render: SiteRenderer = renderSite,
): (input: PublishInput) => Promise<PublishOutput> {
  let notifier: Notifier | undefined;
  return withErrorCodes(async (input) => {
    const rt = runtime();
    notifier ??= alertNotifier(rt.config, rt.logger);
    let written: string | undefined;
    let job: RunJob | undefined = 'job' in input ? input.job : undefined;
    if ('failure' in input) {
      // Loaded only after a failure: the error report's code (the analyse stage's report builder,
      // the manifest's YAML parser, run claims) is then not compiled nor run on a publish's cold start.
      const { jobOfEvent, writeErrorReport } = await import('./publish-failure.ts');
      job = input.failure.profile?.job ?? (await jobOfEvent(rt, input.failure.event, input.execution));
      if (job) written = await writeErrorReport(rt, job, errorOf(input.failure.error));
      rt.logger.error('run failed', {
        ...(job ? { dataset: job.dataset, run: job.run } : {}),
        error: input.failure.error?.Error ?? 'unknown',
      });
    }
    const pages = await publishStage({
      store: rt.store,
      clock: rt.clock,
      renderSite: render,
      notifier,
      notifyRuns: job ? [{ dataset: job.dataset, run: job.run }] : [],
    });
    return { pages, ...(written ? { errorReport: written } : {}) };
  });
}

/**
 * The error of a failed step as the report states it. A repscope error's message (which names
 * what and where, never row data) comes with its code; anything else is a bug whose message may
 * quote anything, so only its name is kept and the logs say the rest.
 */
export function errorOf(failure: StepFailure | undefined): RepscopeError {
  const name = failure?.Error ?? 'Error';
  // Lambda's Cause is its error as JSON ({ errorType, errorMessage, trace }); the trace is dropped.
  let message: string | undefined = failure?.Cause;
  try {
    const cause = JSON.parse(failure?.Cause ?? '') as { errorMessage?: unknown };
    if (typeof cause.errorMessage === 'string') message = cause.errorMessage;
  } catch {
    // Plain text: Step Functions' own errors (States.Timeout, …), or a task run in place.
  }
  const coded = /^\[([A-Z_]+)\] ([\s\S]*)$/.exec(message ?? '');
  if (coded && isErrorCode(coded[1]!)) return new RepscopeError(coded[1], coded[2]!);
  if (name === 'States.ExceedToleratedFailureThreshold') {
    return new RepscopeError(
      'STORE_FAILED',
      'ranges of the object could not be profiled after retries; the map run says which',
    );
  }
  if (name === 'States.Timeout') return new RepscopeError('INTERNAL', 'a step of the run timed out');
  return new RepscopeError(
    'INTERNAL',
    `the run stopped on an unexpected error (${name.replace(/[^\w.]/g, '')}); the pipeline's logs say more`,
  );
}

export const handler = createPublishHandler(lazyRuntime());
