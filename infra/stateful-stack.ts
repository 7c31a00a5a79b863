import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Aws,
  aws_athena as athena,
  CfnOutput,
  Duration,
  aws_glue as glue,
  aws_iam as iam,
  aws_kms as kms,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_s3 as s3,
  aws_s3_deployment as s3deploy,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { glueTables } from '../functions/adapters/aws/glue-tables.ts';
import { type LakeBucket, lakeKeys } from '../functions/core/lake/layout.ts';
import { groupCountsTable, groupMetricsTable, runsTable } from '../functions/core/lake/tables.ts';
import { BUILT_IN_REFERENCES_PREFIX } from '../functions/handlers/runtime.ts';
import { QUERY_RESULTS_PREFIX } from './lake-access.ts';
import type { RepscopeSettings } from './settings.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Names every stack agrees on without a cross-stack reference. */
export const LAKE_DATABASE = 'repscope_lake';
export const ATHENA_WORKGROUP = 'repscope';

/**
 * A bucket's name: fixed (per account and region unless the settings name it), so the site stack
 * can point CloudFront at the site bucket and this stack can name that exact distribution in its
 * bucket policy, and the pipeline stack can grant on all three, without stacks referring to each
 * other both ways.
 */
export function bucketName(settings: Pick<RepscopeSettings, 'bucketNames'>, bucket: LakeBucket): string {
  return settings.bucketNames?.[bucket] ?? `repscope-${bucket}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

export interface StatefulStackProps extends StackProps {
  readonly settings: RepscopeSettings;
  /** The site's CloudFront distribution: the only reader of `site/` besides the functions. */
  readonly distributionId: string;
}

/**
 * Everything that keeps data: the KMS key; the three buckets of the lake layout
 * (`LAKE_BUCKET_PREFIXES`), each with its own retention and readers — raw uploads (`datasets/`,
 * versioned, expired after the retention, announced to EventBridge), the lake (`references/`,
 * `tables/`, `lake/`, Athena's results) and the pages (`site/`, read by CloudFront only); their
 * access-log bucket, the Glue tables and the Athena workgroup. Retained when the stack is deleted.
 */
export class StatefulStack extends Stack {
  readonly key: kms.Key;
  readonly buckets: Readonly<Record<LakeBucket, s3.Bucket>>;
  readonly logBucket: s3.Bucket;
  readonly database: glue.CfnDatabase;
  readonly workGroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.key = new kms.Key(this, 'Key', {
      description: 'repscope: the datasets, lake and site buckets, query results, logs and alerts',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // S3 server access logs can only be delivered to a bucket with SSE-S3 encryption.
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.buckets = {
      // Run ids derive from the upload's version id; S3 announces each upload to EventBridge.
      datasets: this.privateBucket('Datasets', bucketName(settings, 'datasets'), {
        versioned: true,
        eventBridgeEnabled: true,
        lifecycleRules: datasetsLifecycle(settings.rawRetentionDays),
      }),
      // Versioned so a report, count or claim overwritten or deleted by mistake can be restored
      // for 30 days: the lake is the history of every run, and nothing else has it.
      lake: this.privateBucket('Lake', bucketName(settings, 'lake'), {
        versioned: true,
        lifecycleRules: lakeLifecycle(settings.runRetentionDays),
      }),
      // Not versioned: every publish renders the pages again from the lake, so old pages are
      // nothing to restore (shared files are replaced by conditional writes, not versions).
      site: this.privateBucket('Site', bucketName(settings, 'site'), {
        versioned: false,
        lifecycleRules: [{ id: 'uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      }),
    };
    this.allowSiteDistribution(props.distributionId, settings);
    // What `repscope upload --datasets-bucket … --lake-bucket …` needs, printed by `cdk deploy`.
    const outputs: Record<LakeBucket, [string, string]> = {
      datasets: ['DatasetsBucketName', 'uploads (datasets/): repscope upload --datasets-bucket'],
      lake: ['LakeBucketName', 'references, tables and runs (references/, tables/, lake/): --lake-bucket'],
      site: ['SiteBucketName', 'the published pages (site/), read by CloudFront'],
    };
    for (const [bucket, [outputId, description]] of Object.entries(outputs) as [
      LakeBucket,
      [string, string],
    ][]) {
      new CfnOutput(this, outputId, { description, value: this.buckets[bucket].bucketName });
    }
    this.allowAlertPublishers();

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: LAKE_DATABASE,
        description: 'repscope lake tables (counts, metrics, references)',
      },
    });
    const lake = this.buckets.lake;
    for (const input of glueTables(lake.bucketName)) {
      const table = new glue.CfnTable(this, `Table-${input.name}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: LAKE_DATABASE,
        // The generated input is CloudFormation's TableInput as it is; only readonly-ness differs.
        tableInput: structuredClone(input) as unknown as glue.CfnTable.TableInputProperty,
      });
      table.addResourceDependency(this.database);
    }

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: ATHENA_WORKGROUP,
      description: 'repscope: compare and history queries over the lake',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        // Clients cannot choose another result location, encryption or cutoff.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: settings.athenaBytesScannedCutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: lake.s3UrlForObject(QUERY_RESULTS_PREFIX),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.key.keyArn },
        },
      },
    });

    new s3deploy.BucketDeployment(this, 'BuiltInReferences', {
      sources: [s3deploy.Source.asset(path.join(ROOT, 'references'), { exclude: ['*.md'] })],
      destinationBucket: prefixScoped(lake, BUILT_IN_REFERENCES_PREFIX),
      destinationKeyPrefix: BUILT_IN_REFERENCES_PREFIX,
      prune: true,
      retainOnDelete: true,
    });
  }

  /**
   * A bucket of the lake: encrypted with the key (one data key per bucket rather than per object,
   * so KMS requests and their cost drop by ~99 %), private, TLS only, access logs under its own
   * name in the log bucket, kept when the stack is deleted.
   */
  private privateBucket(
    id: string,
    name: string,
    props: Pick<s3.BucketProps, 'versioned' | 'eventBridgeEnabled' | 'lifecycleRules'>,
  ): s3.Bucket {
    return new s3.Bucket(this, id, {
      bucketName: name,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: `${id.toLowerCase()}/`,
      removalPolicy: RemovalPolicy.RETAIN,
      ...props,
    });
  }

  /**
   * CloudFront (through origin access control) may read the site bucket's `site/` and nothing
   * else, and only for this deployment's distribution; the key lets it decrypt under the same
   * condition, and the other buckets have no statement for it at all.
   */
  private allowSiteDistribution(distributionId: string, settings: RepscopeSettings): void {
    const sourceArn = `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${distributionId}`;
    const principal = new iam.ServicePrincipal('cloudfront.amazonaws.com');
    const conditions = { StringEquals: { 'AWS:SourceArn': sourceArn } };
    const { site } = this.buckets;
    // By its fixed name: the bucket refers to the key, so the key's policy cannot refer to the bucket.
    const siteArn = `arn:${Aws.PARTITION}:s3:::${bucketName(settings, 'site')}`;
    site.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SiteReadByCloudFront',
        actions: ['s3:GetObject'],
        principals: [principal],
        resources: [site.arnForObjects(`${lakeKeys.site}*`)],
        conditions,
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SiteDecryptByCloudFront',
        actions: ['kms:Decrypt'],
        principals: [principal],
        // A key policy names its own key as "*".
        resources: ['*'],
        // The site bucket's objects only: S3 names the bucket (with a bucket key) or the object in
        // the encryption context, so the distribution cannot decrypt uploads or the lake.
        conditions: {
          ...conditions,
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [siteArn, `${siteArn}/*`] },
        },
      }),
    );
  }

  /**
   * The alerts topic is encrypted with this key: CloudWatch alarms of this account publish to it,
   * which needs the key's data keys (the EventBridge target adds its own statement for events).
   */
  private allowAlertPublishers(): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlertPublishers',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}

/**
 * Raw uploads expire after the retention (manifests too: `repscope upload` sends the manifest with
 * every version), and their old versions a day later: nothing of a raw upload outlives the
 * retention by more than a day. The delete markers left behind go too (S3 allows that only in a
 * rule of its own).
 */
function datasetsLifecycle(rawRetentionDays: number): s3.LifecycleRule[] {
  return [
    {
      id: 'raw-uploads',
      prefix: lakeKeys.datasetsPrefix,
      expiration: Duration.days(rawRetentionDays),
      noncurrentVersionExpiration: Duration.days(1),
    },
    {
      id: 'delete-markers',
      expiredObjectDeleteMarker: true,
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    },
  ];
}

/**
 * The lake's records of a run that `runRetentionDays` expires. Never the kept profiles and claims:
 * they are what lets a dataset whose uploads expired be compared again (issue #11's recompare reads
 * the newest kept profile and its claim), and they hold counts and digests only. References and
 * baselines stay too.
 */
const RUN_RECORD_PREFIXES = [
  lakeKeys.reportsPrefix,
  groupCountsTable.prefix,
  groupMetricsTable.prefix,
  runsTable.prefix,
];

/**
 * Staging files of fanned-out runs expire after a day; query results after a week; old versions
 * of everything after 30 days; with `runRetentionDays`, a run's records after that many days (as
 * `repscope prune` trims runs locally; S3 ages each object from its own writing, and a run's
 * records are written once). Otherwise the current reports, counts and claims stay.
 */
function lakeLifecycle(runRetentionDays: number): s3.LifecycleRule[] {
  // A dataset none of whose runs is younger than this leaves the site; its kept profile stays.
  const runs: s3.LifecycleRule[] =
    runRetentionDays > 0
      ? RUN_RECORD_PREFIXES.map((prefix) => ({
          id: `runs-${prefix.split('/')[1]}`,
          prefix,
          expiration: Duration.days(runRetentionDays),
        }))
      : [];
  return [
    ...runs,
    {
      id: 'staging',
      prefix: lakeKeys.staging('', '', '').split('dataset=')[0],
      expiration: Duration.days(1),
      noncurrentVersionExpiration: Duration.days(1),
    },
    {
      id: 'query-results',
      prefix: QUERY_RESULTS_PREFIX,
      expiration: Duration.days(7),
      noncurrentVersionExpiration: Duration.days(1),
    },
    {
      id: 'old-versions',
      noncurrentVersionExpiration: Duration.days(30),
      expiredObjectDeleteMarker: true,
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    },
  ];
}

/**
 * The bucket as BucketDeployment sees it: its `grantReadWrite` covers only `prefix`, so the
 * deployment's custom resource can write the built-in references and nothing else of the lake.
 * (BucketDeployment grants on the whole bucket and has no prop to narrow it.)
 */
function prefixScoped(bucket: s3.IBucket, prefix: string): s3.IBucket {
  const scoped = Object.create(bucket) as s3.IBucket;
  Object.defineProperty(scoped, 'grantReadWrite', {
    value: (identity: iam.IGrantable) => bucket.grantReadWrite(identity, `${prefix}*`),
  });
  return scoped;
}
