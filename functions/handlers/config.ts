import * as z from 'zod';
import { RepscopeError } from '../core/errors.ts';

/**
 * The one place the Lambda handlers read their environment. The CDK stack sets these variables;
 * tests set the endpoint overrides to point the clients at loopback servers.
 */
export interface HandlerConfig {
  /** The bucket with the lake layout (datasets/, references/, lake/, site/). */
  readonly bucket: string;
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

const schema = z.object({
  REPSCOPE_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'),
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
    throw new ConfigError(`the handler's environment is invalid: ${issues}`);
  }
  const e = parsed.data;
  return {
    bucket: e.REPSCOPE_BUCKET,
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
