/**
 * The run's state machine in Amazon States Language, built as plain data so the CDK stack can
 * deploy it (`DefinitionBody.fromString`) and the tests can execute the very same definition with
 * aws-local-stepfunctions. No CDK import here: function ARNs come in as strings (CDK tokens when
 * the stack builds it).
 *
 * The execution input is the EventBridge "Object Created" event. The state is kept as
 * `{ event, profile?, parts?, compared?, published?, error? }`:
 *
 *   Start → Profile → Route ─┬─ ignored / duplicate → Skipped
 *                            ├─ fan-out → ProfileRanges (Distributed Map of ProfileRange) → Merge ─┐
 *                            └─ profiled ─────────────────────────────────────────────────────────┴→ Compare → Publish
 *
 * Every task retries transient errors (Lambda service faults, throttling, and the handlers'
 * StoreError / QueryError, which they throw only for broken infrastructure) with exponential
 * backoff; anything else, or retries exhausted, is caught into PublishFailure, which publishes an
 * `error` report (the site says the run failed and why, without data) and then fails the execution
 * so the failure alarm sees it.
 */
export interface StateMachineFunctions {
  /** Parses the event, claims the run, profiles a small object or plans ranges. */
  readonly profile: string;
  /** Profiles one byte range or row group. */
  readonly profileRange: string;
  /** Merges the range profiles into one. */
  readonly merge: string;
  /** Compares the profile with its references (Athena) and writes the report. */
  readonly compare: string;
  /** Publishes the report (or an error report) to the site. */
  readonly publish: string;
}

export interface StateMachineDefinitionProps {
  readonly functions: StateMachineFunctions;
  /**
   * Range profilers running at once in the Distributed Map.
   * @default 40
   */
  readonly maxConcurrency?: number;
  /**
   * Attempts after the first for a transient error.
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * Wait before the first retry; each next wait is twice as long.
   * @default 2
   */
  readonly retryIntervalSec?: number;
}

/** Error names a task may be retried on: they mean "try again", never "bad input". */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'StoreError',
  'QueryError',
] as const;

/** Statuses the profile task reports in `$.profile.status`. */
export const PROFILE_STATUS = {
  ignored: 'ignored',
  duplicate: 'duplicate',
  fanOut: 'fan-out',
  profiled: 'profiled',
} as const;

type Json = Record<string, unknown>;

export function stateMachineDefinition(props: StateMachineDefinitionProps): Json {
  const { functions } = props;
  const retry = [
    {
      ErrorEquals: [...TRANSIENT_ERRORS],
      IntervalSeconds: props.retryIntervalSec ?? 2,
      MaxAttempts: props.retryAttempts ?? 3,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    },
  ];
  const caught = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'PublishFailure' }];
  const task = (resource: string, rest: Json): Json => ({
    Type: 'Task',
    Resource: resource,
    Retry: retry,
    ...rest,
  });

  return {
    Comment: 'repscope: profile → compare → publish for one uploaded dataset file',
    StartAt: 'Start',
    States: {
      Start: { Type: 'Pass', Parameters: { 'event.$': '$' }, Next: 'Profile' },
      Profile: task(functions.profile, {
        Parameters: { 'event.$': '$.event' },
        ResultPath: '$.profile',
        Catch: caught,
        Next: 'Route',
      }),
      Route: {
        Type: 'Choice',
        Choices: [
          {
            Or: [
              { Variable: '$.profile.status', StringEquals: PROFILE_STATUS.ignored },
              { Variable: '$.profile.status', StringEquals: PROFILE_STATUS.duplicate },
            ],
            Next: 'Skipped',
          },
          { Variable: '$.profile.status', StringEquals: PROFILE_STATUS.fanOut, Next: 'ProfileRanges' },
        ],
        Default: 'Compare',
      },
      Skipped: { Type: 'Succeed' },
      ProfileRanges: {
        Type: 'Map',
        ItemsPath: '$.profile.ranges',
        ItemSelector: { 'job.$': '$.profile.job', 'range.$': '$$.Map.Item.Value' },
        MaxConcurrency: props.maxConcurrency ?? 40,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
          StartAt: 'ProfileRange',
          States: { ProfileRange: task(functions.profileRange, { End: true }) },
        },
        ResultPath: '$.parts',
        Catch: caught,
        Next: 'Merge',
      },
      Merge: task(functions.merge, {
        Parameters: { 'job.$': '$.profile.job', 'parts.$': '$.parts' },
        ResultPath: '$.profile',
        Catch: caught,
        Next: 'Compare',
      }),
      Compare: task(functions.compare, {
        Parameters: { 'job.$': '$.profile.job' },
        ResultPath: '$.compared',
        Catch: caught,
        Next: 'Publish',
      }),
      Publish: task(functions.publish, {
        Parameters: { 'job.$': '$.profile.job', 'compared.$': '$.compared' },
        ResultPath: '$.published',
        Catch: caught,
        End: true,
      }),
      PublishFailure: task(functions.publish, {
        Parameters: { 'failure.$': '$' },
        ResultPath: '$.published',
        Next: 'Failed',
      }),
      Failed: {
        Type: 'Fail',
        Error: 'RunFailed',
        Cause: 'The run failed; its error report was published.',
      },
    },
  };
}
