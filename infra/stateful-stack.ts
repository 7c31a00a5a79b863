import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Aws,
  aws_athena as athena,
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
import { lakeKeys } from '../functions/core/lake/layout.ts';
import { BUILT_IN_REFERENCES_PREFIX } from '../functions/handlers/runtime.ts';
import { QUERY_RESULTS_PREFIX } from './lake-access.ts';
import type { RepscopeSettings } from './settings.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Names every stack agrees on without a cross-stack reference. */
export const LAKE_DATABASE = 'repscope_lake';
export const ATHENA_WORKGROUP = 'repscope';

/**
 * The lake bucket's name: fixed (per account and region unless the settings name it), so the site
 * stack can point CloudFront at it and this stack can name that exact distribution in its bucket
 * policy, without the two stacks referring to each other both ways.
 */
export function lakeBucketName(settings: Pick<RepscopeSettings, 'bucketName'>): string {
  return settings.bucketName ?? `repscope-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

export interface StatefulStackProps extends StackProps {
  readonly settings: RepscopeSettings;
  /** The site's CloudFront distribution: the only reader of `site/` besides the functions. */
  readonly distributionId: string;
}

/**
 * Everything that keeps data: the KMS key, the lake bucket (datasets/, references/, lake/, site/
 * as the runtime expects: one bucket, grants scoped per prefix), its access-log bucket, the Glue
 * tables and the Athena workgroup. Retained when the stack is deleted.
 */
export class StatefulStack extends Stack {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly database: glue.CfnDatabase;
  readonly workGroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.key = new kms.Key(this, 'Key', {
      description: 'repscope: the lake bucket, query results, logs and alerts',
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

    this.bucket = new s3.Bucket(this, 'Lake', {
      bucketName: lakeBucketName(settings),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // One data key per bucket rather than per object: KMS requests (and their cost) drop by ~99 %.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Run ids derive from the object's version id; conditional writes guard claims and the site index.
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'lake/',
      eventBridgeEnabled: true,
      lifecycleRules: lakeLifecycle(settings.rawRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.allowSiteDistribution(props.distributionId);
    this.allowAlertPublishers();

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: LAKE_DATABASE,
        description: 'repscope lake tables (counts, metrics, references)',
      },
    });
    for (const input of glueTables(this.bucket.bucketName)) {
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
          outputLocation: this.bucket.s3UrlForObject(QUERY_RESULTS_PREFIX),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.key.keyArn },
        },
      },
    });

    new s3deploy.BucketDeployment(this, 'BuiltInReferences', {
      sources: [s3deploy.Source.asset(path.join(ROOT, 'references'), { exclude: ['*.md'] })],
      destinationBucket: prefixScoped(this.bucket, BUILT_IN_REFERENCES_PREFIX),
      destinationKeyPrefix: BUILT_IN_REFERENCES_PREFIX,
      prune: true,
      retainOnDelete: true,
    });
  }

  /**
   * CloudFront (through origin access control) may read `site/` and nothing else, and only for
   * this deployment's distribution; the key lets it decrypt those objects under the same condition.
   */
  private allowSiteDistribution(distributionId: string): void {
    const sourceArn = `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${distributionId}`;
    const principal = new iam.ServicePrincipal('cloudfront.amazonaws.com');
    const conditions = { StringEquals: { 'AWS:SourceArn': sourceArn } };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SiteReadByCloudFront',
        actions: ['s3:GetObject'],
        principals: [principal],
        resources: [this.bucket.arnForObjects(`${lakeKeys.site}*`)],
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
        conditions,
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
 * every version); staging files of fanned-out runs after a day; query results after a week; old
 * versions of everything after 30 days (the current report and pages stay).
 */
function lakeLifecycle(rawRetentionDays: number): s3.LifecycleRule[] {
  return [
    {
      id: 'raw-uploads',
      prefix: lakeKeys.datasetsPrefix,
      expiration: Duration.days(rawRetentionDays),
      noncurrentVersionExpiration: Duration.days(1),
    },
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
