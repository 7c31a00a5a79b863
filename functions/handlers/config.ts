import * as z from 'zod';
import { RepscopeError } from '../core/errors.ts';
import type { LakeBucket } from '../core/lake/layout.ts';

/**
 * The one place the Lambda handlers read their environment. The CDK stack sets these variables;
 * tests set the endpoint overrides to point the clients at loopback servers.
 */
export interface HandlerConfig {
  /**
   * The three buckets of the lake layout (core/lake/layout.ts `LAKE_BUCKET_PREFIXES`): uploads
   * (datasets/), the lake (references/, tables/, lake/) and the pages (site/).
   */
  readonly buckets: Readonly<Record<LakeBucket, string>>;
  /** Athena workgroup and Glue database of the lake tables. */
  readonly workGroup: string;
  readonly database: string;
  /** Objects at least this big are profiled in ranges by the Distributed Map. */
  readonly fanOutThresholdBytes: number;
  /** Size of one range of a fanned-out object. */
  readonly rangeBytes: number;
  /** Reported in each report's provenance. */
  readonly codeVersion: string;
  /** The run's state machine, which the rescan handler starts (REPSCOPE_STATE_MACHINE_ARN). */
  readonly stateMachineArn?: string;
  /** The SNS topic of alerts (REPSCOPE_ALERT_TOPIC_ARN); unset: alerts are only logged. */
  readonly alertTopicArn?: string;
  /** Loopback endpoints for tests; unset in AWS. */
  readonly s3Endpoint?: string;
  readonly athenaEndpoint?: string;
  readonly sfnEndpoint?: string;
  readonly snsEndpoint?: string;
}

const MIB = 1024 * 1024;
const positiveInt = z.coerce.number().int().positive();

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name');

/** Each bucket's variable: all three required, so a stack that forgets one fails at cold start. */
export const BUCKET_VARIABLES = {
  datasets: 'REPSCOPE_DATASETS_BUCKET',
  lake: 'REPSCOPE_LAKE_BUCKET',
  site: 'REPSCOPE_SITE_BUCKET',
} as const satisfies Record<LakeBucket, string>;

const schema = z.object({
  [BUCKET_VARIABLES.datasets]: bucketName,
  [BUCKET_VARIABLES.lake]: bucketName,
  [BUCKET_VARIABLES.site]: bucketName,
  REPSCOPE_ATHENA_WORKGROUP: z.string().min(1, 'expected an Athena workgroup name'),
  REPSCOPE_GLUE_DATABASE: z.string().regex(/^[a-z0-9_]{1,255}$/, 'expected a Glue database name ([a-z0-9_])'),
  REPSCOPE_FAN_OUT_THRESHOLD_BYTES: positiveInt.default(256 * MIB),
  REPSCOPE_RANGE_BYTES: positiveInt.default(64 * MIB),
  REPSCOPE_CODE_VERSION: z.string().default('repscope'),
  REPSCOPE_STATE_MACHINE_ARN: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/,
      'expected a state machine ARN',
    )
    .optional(),
  REPSCOPE_ALERT_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'expected an SNS topic ARN')
    .optional(),
  REPSCOPE_S3_ENDPOINT: z.url().optional(),
  REPSCOPE_ATHENA_ENDPOINT: z.url().optional(),
  REPSCOPE_SFN_ENDPOINT: z.url().optional(),
  REPSCOPE_SNS_ENDPOINT: z.url().optional(),
});

/** Thrown at cold start when the function's environment is incomplete: a deployment fault. */
export class ConfigError extends RepscopeError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'ConfigError';
  }
}

export function readConfig(env: Readonly<Record<string, string | undefined>> = process.env): HandlerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map(
        (i) =>
          `${i.path.join('.')}: ${i.message}${i.path[0] && env[String(i.path[0])] === undefined ? ' (unset)' : ''}`,
      )
      .join('; ');
    // The one-bucket deployment's variable: named, so an old stack's functions say what replaced it.
    const replaced =
      env['REPSCOPE_BUCKET'] === undefined
        ? ''
        : `; REPSCOPE_BUCKET is no longer read: the lake spans ${Object.values(BUCKET_VARIABLES).join(', ')}`;
    throw new ConfigError(`the handler's environment is invalid: ${issues}${replaced}`);
  }
  const e = parsed.data;
  return {
    buckets: {
      datasets: e.REPSCOPE_DATASETS_BUCKET,
      lake: e.REPSCOPE_LAKE_BUCKET,
      site: e.REPSCOPE_SITE_BUCKET,
    },
    workGroup: e.REPSCOPE_ATHENA_WORKGROUP,
    database: e.REPSCOPE_GLUE_DATABASE,
    fanOutThresholdBytes: e.REPSCOPE_FAN_OUT_THRESHOLD_BYTES,
    rangeBytes: e.REPSCOPE_RANGE_BYTES,
    codeVersion: e.REPSCOPE_CODE_VERSION,
    ...(e.REPSCOPE_STATE_MACHINE_ARN ? { stateMachineArn: e.REPSCOPE_STATE_MACHINE_ARN } : {}),
    ...(e.REPSCOPE_ALERT_TOPIC_ARN ? { alertTopicArn: e.REPSCOPE_ALERT_TOPIC_ARN } : {}),
    ...(e.REPSCOPE_SFN_ENDPOINT ? { sfnEndpoint: e.REPSCOPE_SFN_ENDPOINT } : {}),
    ...(e.REPSCOPE_SNS_ENDPOINT ? { snsEndpoint: e.REPSCOPE_SNS_ENDPOINT } : {}),
    ...(e.REPSCOPE_S3_ENDPOINT ? { s3Endpoint: e.REPSCOPE_S3_ENDPOINT } : {}),
    ...(e.REPSCOPE_ATHENA_ENDPOINT ? { athenaEndpoint: e.REPSCOPE_ATHENA_ENDPOINT } : {}),
  };
}
