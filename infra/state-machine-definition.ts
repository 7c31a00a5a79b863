import type { LambdaName } from './lambda-bundles.ts';

/**
 * The run's state machine in Amazon States Language, built as plain data so the CDK stack can
 * deploy it (`DefinitionBody.fromString`) and the tests can execute the very same definition with
 * aws-local-stepfunctions. No CDK import here: function ARNs come in as strings (CDK tokens when
 * the stack builds it).
 *
 * The execution input is the EventBridge "Object Created" event, or the rescan's "Repscope
 * Recompare" event for a dataset whose uploads expired: Profile then claims the run, copies the
 * kept profile to it and says `profiled`, so Route sends it straight to Compare (no data is read;
 * see pipeline/recompare.ts). The state is kept as
 * `{ event, profile?, published?, error? }`, `profile` holding the latest step's output (its
 * `status`, the run's `job`, and once known the `verdict`):
 *
 *   Start → Profile → Route ─┬─ ignored / duplicate → Skipped
 *                     ↑      ├─ fan-out → ProfileRanges (Distributed Map of ProfileRange) → Merge ─┐
 *                     ├──────┼─────────────────────────────────────────────────────────────────────┘
 *                     │      ├─ table → ProfileTable (GROUPING SETS in Athena) ─┐
 *                     └──────┼──────────────────────────────────────────────────┘
 *                            ├─ profiled → Compare ─┐
 *                            └─ analysed ───────────┴→ Publish → Verdict
 *
 * Profile (one pass), Merge (the ranges) and ProfileTable (a dataset registered as a table, whose
 * manifest's upload started the run: the counting plan as one GROUPING SETS query in Athena) write
 * the run's profile to the lake and say `profiled`; Compare reads it back and runs the SQL join in
 * Athena and the statistics. Compare is a step of its own so that a transient Athena failure
 * retries the join, not the reading of a 10 GB object. Merge and ProfileTable go back to Route:
 * like Profile, they may have found bad input, which is the run's `error` report at once
 * (`analysed` with verdict `error`), published without a compare.
 * Verdict fails the execution when the run's report says `error` (bad input), so the failure
 * alarm sees it; the site already says why.
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
  /** Merges the range profiles into the run's profile. */
  readonly merge: string;
  /** Profiles a registered table with one GROUPING SETS query in Athena. */
  readonly profileTable: string;
  /** Compares the run's profile with the references (Athena) and writes the report. */
  readonly compare: string;
  /** Publishes the report (or an error report) to the site. */
  readonly publish: string;
}

/** The handler (infra/lambda-bundles.ts) behind each function the definition names. */
export const STATE_MACHINE_HANDLERS = {
  profile: 'profile',
  profileRange: 'profile-range',
  merge: 'merge',
  profileTable: 'profile-table',
  compare: 'compare',
  publish: 'publish',
} as const satisfies Record<keyof StateMachineFunctions, LambdaName>;

/** The definition's functions, each ARN from its handler's name. */
export function functionsByHandler(arnOf: (handler: LambdaName) => string): StateMachineFunctions {
  return Object.fromEntries(
    Object.entries(STATE_MACHINE_HANDLERS).map(([key, handler]) => [key, arnOf(handler)]),
  ) as unknown as StateMachineFunctions;
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

/**
 * Error names a task may be retried on: they mean "try again", never "bad input". A function that
 * ran out of time or memory is reported as `Lambda.Unknown` (Step Functions' "Handle Lambda service
 * exceptions" page: "These include out-of-memory errors and function timeouts"; `Sandbox.Timedout`
 * through the lambda:invoke integration, `States.Timeout` past a task's own TimeoutSeconds). Every
 * stage is idempotent (run ids from the inputs, create-once claims, whole-object writes), so the
 * retry of a stage cut short gives the same run and report; an error the handler throws itself has
 * its own name (a bug's TypeError is not retried). `Lambda.Unknown` is also an out-of-memory, which
 * then fails its attempts again before the catch; `States.Timeout` (a task's TimeoutSeconds, none
 * set here) would not stop the running Lambda, so a retry could overlap it: harmless for the same
 * reason.
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
  'States.Timeout',
  'StoreError',
  'QueryError',
] as const;

/** Statuses the profile task reports in `$.profile.status`. */
export const PROFILE_STATUS = {
  ignored: 'ignored',
  duplicate: 'duplicate',
  fanOut: 'fan-out',
  /** A run over a registered table: ProfileTable is next. */
  table: 'table',
  /** Counted; compare is next. */
  profiled: 'profiled',
  /** The verdict is decided (bad input: `error`); publish is next. */
  analysed: 'analysed',
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
    Comment: 'repscope: profile → compare → publish for one uploaded dataset file or registered table',
    StartAt: 'Start',
    States: {
      Start: { Type: 'Pass', Parameters: { 'event.$': '$' }, Next: 'Profile' },
      Profile: task(functions.profile, {
        Parameters: { 'event.$': '$.event', 'execution.$': '$$.Execution.Id' },
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
          { Variable: '$.profile.status', StringEquals: PROFILE_STATUS.table, Next: 'ProfileTable' },
          { Variable: '$.profile.status', StringEquals: PROFILE_STATUS.profiled, Next: 'Compare' },
        ],
        Default: 'Publish',
      },
      Skipped: { Type: 'Succeed' },
      ProfileRanges: {
        Type: 'Map',
        ItemsPath: '$.profile.ranges',
        // Range numbers only: the ranges themselves are staged in the lake (state is limited to 256 KB).
        ItemSelector: { 'job.$': '$.profile.job', 'index.$': '$$.Map.Item.Value' },
        MaxConcurrency: props.maxConcurrency ?? 40,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
          StartAt: 'ProfileRange',
          States: { ProfileRange: task(functions.profileRange, { End: true }) },
        },
        // The parts stay in the lake; nothing of the map's output joins the state.
        ResultPath: null,
        Catch: caught,
        Next: 'Merge',
      },
      Merge: task(functions.merge, {
        Parameters: { 'job.$': '$.profile.job' },
        ResultPath: '$.profile',
        Catch: caught,
        Next: 'Route',
      }),
      ProfileTable: task(functions.profileTable, {
        Parameters: { 'job.$': '$.profile.job' },
        ResultPath: '$.profile',
        Catch: caught,
        Next: 'Route',
      }),
      Compare: task(functions.compare, {
        Parameters: { 'job.$': '$.profile.job' },
        ResultPath: '$.profile',
        Catch: caught,
        Next: 'Publish',
      }),
      Publish: task(functions.publish, {
        Parameters: { 'job.$': '$.profile.job', 'verdict.$': '$.profile.verdict' },
        ResultPath: '$.published',
        Catch: caught,
        Next: 'Verdict',
      }),
      Verdict: {
        Type: 'Choice',
        Choices: [{ Variable: '$.profile.verdict', StringEquals: 'error', Next: 'Failed' }],
        Default: 'Succeeded',
      },
      Succeeded: { Type: 'Succeed' },
      PublishFailure: task(functions.publish, {
        Parameters: { 'failure.$': '$', 'execution.$': '$$.Execution.Id' },
        ResultPath: '$.published',
        Next: 'Failed',
      }),
      Failed: {
        Type: 'Fail',
        Error: 'RunFailed',
        Cause: 'The run failed; its error report is on the site.',
      },
    },
  };
}
