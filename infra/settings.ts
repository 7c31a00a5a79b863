import { LAKE_BUCKETS, type LakeBucket } from '../functions/core/lake/layout.ts';

/**
 * What a deployment can choose, read once from `cdk.json` context (or `-c key=value`), validated,
 * with the defaults documented here. The stacks take these as plain props, so tests build them
 * without any context.
 */
export interface RepscopeSettings {
  /**
   * Days an uploaded dataset file is kept under `datasets/` before S3 expires it (raw uploads may
   * hold personal data; the lake keeps only counts).
   * @default 30
   */
  readonly rawRetentionDays: number;
  /**
   * Days a run's records are kept in the lake (its report, counts, metrics and runs row) before S3
   * expires them, as `repscope prune` trims runs locally; 0 keeps every run. The history and the
   * dataset page then cover this many days; a pinned baseline expires with its run. Kept profiles
   * and claims never expire: a dataset stays comparable after its uploads are gone.
   * @default 0 - every run is kept
   */
  readonly runRetentionDays: number;
  /**
   * When every registered dataset is profiled again (an EventBridge Scheduler expression).
   * @default 'cron(0 3 ? * MON *)' - Mondays at 03:00 UTC
   */
  readonly reprofileSchedule: string;
  /**
   * Address subscribed to the alerts topic (failed runs, DLQ messages); none when unset.
   * @default - no subscription; subscribe to the topic yourself
   */
  readonly alertEmail?: string;
  /**
   * IPv4 CIDRs whose viewers may open the report site. Empty means nobody: the reports describe
   * sensitive attributes and are never public by default.
   * @default []
   */
  readonly allowedCidrs: readonly string[];
  /**
   * An AWS WAF web ACL (scope CLOUDFRONT, created in us-east-1) to attach to the distribution in
   * addition to the allow-list, e.g. for rate limiting or an IP set managed elsewhere.
   * @default - none
   */
  readonly webAclArn?: string;
  /**
   * Objects at least this big are profiled in ranges by the Distributed Map.
   * @default 268435456 (256 MiB, the handlers' own default)
   */
  readonly fanOutThresholdBytes: number;
  /**
   * Athena's cutoff per query: a query that would scan more is cancelled (and costs at most this).
   * @default 107374182400 (100 GiB: $0.50 at $5 per TB)
   */
  readonly athenaBytesScannedCutoff: number;
  /**
   * Days Lambda and Step Functions logs are kept.
   * @default 90
   */
  readonly logRetentionDays: number;
  /**
   * The buckets' names, each overridable (context `datasetsBucketName`, `lakeBucketName`,
   * `siteBucketName`): uploads under `datasets/`; `references/`, `tables/` and `lake/`; the pages
   * under `site/`. The site stack points CloudFront at the site bucket before the stateful stack
   * creates it, so the names are fixed rather than generated.
   * @default 'repscope-<datasets|lake|site>-<account>-<region>'
   */
  readonly bucketNames?: Readonly<Partial<Record<LakeBucket, string>>>;
}

export const DEFAULT_SETTINGS: RepscopeSettings = {
  rawRetentionDays: 30,
  runRetentionDays: 0,
  reprofileSchedule: 'cron(0 3 ? * MON *)',
  allowedCidrs: [],
  fanOutThresholdBytes: 256 * 1024 * 1024,
  athenaBytesScannedCutoff: 100 * 1024 ** 3,
  logRetentionDays: 90,
};

/** A context value that is not what the stack can deploy: names the key, the value and what was expected. */
export class SettingsError extends Error {
  readonly code = 'INVALID_SETTING';
  constructor(key: string, value: unknown, expected: string) {
    super(`cdk.json context "${key}" is ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'SettingsError';
  }
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653];

/** True for an IPv4 CIDR whose octets are at most 255 and prefix at most 32. */
export function isIpv4Cidr(cidr: string): boolean {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return false;
  const [, a, b, c, d, bits] = match.map(Number);
  return [a, b, c, d].every((o) => o !== undefined && o <= 255) && bits !== undefined && bits <= 32;
}

/**
 * The settings from CDK context values (`app.node.tryGetContext`), strings accepted for numbers
 * and a comma-separated string for the CIDR list, as `-c key=value` passes them.
 */
export function readSettings(context: (key: string) => unknown): RepscopeSettings {
  const int = (key: keyof RepscopeSettings, fallback: number, min: number): number => {
    const raw = context(key);
    if (raw === undefined || raw === '') return fallback;
    const value = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new SettingsError(key, raw, `an integer ≥ ${min}`);
    }
    return value;
  };
  const text = (key: keyof RepscopeSettings): string | undefined => {
    const raw = context(key);
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string') throw new SettingsError(key, raw, 'a string');
    return raw;
  };

  const logRetentionDays = int('logRetentionDays', DEFAULT_SETTINGS.logRetentionDays, 1);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new SettingsError('logRetentionDays', logRetentionDays, `one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  const schedule = text('reprofileSchedule') ?? DEFAULT_SETTINGS.reprofileSchedule;
  if (!/^(cron|rate|at)\(.+\)$/.test(schedule)) {
    throw new SettingsError('reprofileSchedule', schedule, 'cron(...), rate(...) or at(...)');
  }
  const alertEmail = text('alertEmail');
  if (alertEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alertEmail)) {
    throw new SettingsError('alertEmail', alertEmail, 'an e-mail address');
  }
  const bucketNames = readBucketNames(context);
  const webAclArn = text('webAclArn');
  if (webAclArn !== undefined && !/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\//.test(webAclArn)) {
    throw new SettingsError('webAclArn', webAclArn, 'the ARN of a CLOUDFRONT-scope web ACL in us-east-1');
  }
  return {
    rawRetentionDays: int('rawRetentionDays', DEFAULT_SETTINGS.rawRetentionDays, 1),
    runRetentionDays: int('runRetentionDays', DEFAULT_SETTINGS.runRetentionDays, 0),
    reprofileSchedule: schedule,
    allowedCidrs: cidrs(context('allowedCidrs')),
    fanOutThresholdBytes: int('fanOutThresholdBytes', DEFAULT_SETTINGS.fanOutThresholdBytes, 1),
    // Athena refuses a cutoff under 10 MB.
    athenaBytesScannedCutoff: int(
      'athenaBytesScannedCutoff',
      DEFAULT_SETTINGS.athenaBytesScannedCutoff,
      10_000_000,
    ),
    logRetentionDays,
    ...(alertEmail ? { alertEmail } : {}),
    ...(Object.keys(bucketNames).length > 0 ? { bucketNames } : {}),
    ...(webAclArn ? { webAclArn } : {}),
  };
}

/** The context key that names one of the three buckets. */
export const bucketNameKey = (bucket: LakeBucket) => `${bucket}BucketName`;

/**
 * The buckets the context names. `bucketName` named the one bucket of earlier versions: it is
 * refused rather than read as one of the three, which would put two areas' data in one bucket.
 */
function readBucketNames(context: (key: string) => unknown): Partial<Record<LakeBucket, string>> {
  const old = context('bucketName');
  if (old !== undefined && old !== '') {
    throw new SettingsError(
      'bucketName',
      old,
      `no "bucketName": the lake spans three buckets, named by ${LAKE_BUCKETS.map(bucketNameKey).join(', ')} (docs/DEPLOY.md)`,
    );
  }
  const names: Partial<Record<LakeBucket, string>> = {};
  for (const bucket of LAKE_BUCKETS) {
    const key = bucketNameKey(bucket);
    const raw = context(key);
    if (raw === undefined || raw === '') continue;
    if (typeof raw !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(raw)) {
      throw new SettingsError(key, raw, 'an S3 bucket name');
    }
    names[bucket] = raw;
  }
  if (new Set(Object.values(names)).size < Object.keys(names).length) {
    throw new SettingsError('bucketNames', names, 'three different buckets');
  }
  return names;
}

function cidrs(raw: unknown): readonly string[] {
  if (raw === undefined || raw === '') return DEFAULT_SETTINGS.allowedCidrs;
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : raw;
  if (!Array.isArray(list) || !list.every((c): c is string => typeof c === 'string' && isIpv4Cidr(c))) {
    throw new SettingsError('allowedCidrs', raw, 'a list of IPv4 CIDRs such as ["203.0.113.0/24"]');
  }
  return list;
}
