import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { glueTables } from '../../functions/adapters/aws/glue-tables.ts';
import { LAKE_BUCKETS, type LakeBucket } from '../../functions/core/lake/layout.ts';
import { BUILT_IN_REFERENCES_PREFIX } from '../../functions/handlers/runtime.ts';
import { renderIntrinsics, synthesizeApp, TEST_BUCKET_NAMES } from '../helpers/synth-app.ts';

/**
 * The stateful stack: the key, the datasets, lake and site buckets (uploads with the retention the
 * settings give), their logs, the Glue tables of the runtime's catalogue, the Athena workgroup and
 * the built-in references.
 */
const RETENTION_DAYS = 45;
const CUTOFF_BYTES = 50 * 1024 ** 3;
const { stacks, templates } = synthesizeApp({
  rawRetentionDays: RETENTION_DAYS,
  athenaBytesScannedCutoff: CUTOFF_BYTES,
});
const stateful = templates.stateful;
const id = (element: unknown) => stacks.stateful.getLogicalId(element as CfnElement);
const bucketId = (bucket: LakeBucket) => id(stacks.stateful.buckets[bucket].node.defaultChild);
const lakeId = bucketId('lake');
const keyId = id(stacks.stateful.key.node.defaultChild);
const propsOf = (bucket: LakeBucket) => stateful.toJSON().Resources[bucketId(bucket)].Properties;
const policyOf = (bucketId: string) =>
  Object.values(stateful.findResources('AWS::S3::BucketPolicy')).find(
    (p) => renderIntrinsics(p['Properties']['Bucket']) === `<${bucketId}>`,
  )!['Properties']['PolicyDocument'].Statement as Record<string, unknown>[];
const rulesOf = (bucket: LakeBucket) =>
  (propsOf(bucket)['LifecycleConfiguration']?.Rules ?? []) as Record<string, unknown>[];
const expiringPrefixes = (bucket: LakeBucket) =>
  rulesOf(bucket)
    .filter((r) => r['ExpirationInDays'] !== undefined)
    .map((r) => r['Prefix'])
    .sort();

describe('the key', () => {
  it('rotates and is kept when the stack is deleted', () => {
    stateful.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe.each(LAKE_BUCKETS)('the %s bucket', (bucket) => {
  const props = propsOf(bucket);

  it('is the named bucket, encrypted with the key (bucket key on), with public access blocked, kept on delete', () => {
    expect(props['BucketName']).toBe(TEST_BUCKET_NAMES[bucket]);
    expect(props['BucketEncryption']).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            SSEAlgorithm: 'aws:kms',
          },
        },
      ],
    });
    expect(props['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    stateful.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({ BucketName: TEST_BUCKET_NAMES[bucket] }),
      DeletionPolicy: 'Retain',
    });
  });

  it('sends server access logs to the log bucket, under its own prefix', () => {
    const logBucketId = id(stacks.stateful.logBucket.node.defaultChild);
    expect(props['LoggingConfiguration']).toEqual({
      DestinationBucketName: { Ref: logBucketId },
      LogFilePrefix: `${bucket}/`,
    });
    // S3 delivers access logs only to SSE-S3 buckets; that bucket is private and TLS-only too.
    const logBucket = stateful.toJSON().Resources[logBucketId].Properties;
    expect(
      logBucket['BucketEncryption'].ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
    ).toEqual({
      SSEAlgorithm: 'AES256',
    });
    expect(policyOf(logBucketId)).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('refuses every request without TLS', () => {
    const own = bucketId(bucket);
    expect(policyOf(own)).toContainEqual({
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Resource: [
        { 'Fn::GetAtt': [own, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [own, 'Arn'] }, '/*']] },
      ],
    });
  });

  it('aborts incomplete multipart uploads after a day', () => {
    expect(rulesOf(bucket)).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
    );
  });
});

describe('the datasets bucket', () => {
  const datasets = propsOf('datasets');

  it('is versioned and announces every object to EventBridge (the only bucket that does)', () => {
    expect(datasets['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    const notifications = Object.values(stateful.findResources('Custom::S3BucketNotifications'));
    expect(notifications.map((n) => n['Properties'])).toEqual([
      expect.objectContaining({
        BucketName: { Ref: bucketId('datasets') },
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    ]);
  });

  it('expires raw uploads after the configured retention and their old versions a day later', () => {
    expect(rulesOf('datasets')).toContainEqual(
      expect.objectContaining({
        Prefix: 'datasets/',
        ExpirationInDays: RETENTION_DAYS,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        Status: 'Enabled',
      }),
    );
    expect(rulesOf('datasets')).toContainEqual(expect.objectContaining({ ExpiredObjectDeleteMarker: true }));
    expect(expiringPrefixes('datasets')).toEqual(['datasets/']);
  });
});

describe('the lake bucket', () => {
  it('is versioned, and expires staging after a day, query results after a week, old versions after 30 days', () => {
    expect(propsOf('lake')['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    const rules = rulesOf('lake');
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: 'lake/staging/', ExpirationInDays: 1 }));
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: 'query-results/', ExpirationInDays: 7 }));
    expect(rules).toContainEqual(
      expect.objectContaining({
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      }),
    );
    // Nothing else of the lake (reports, counts, claims, references) expires.
    expect(expiringPrefixes('lake')).toEqual(['lake/staging/', 'query-results/']);
  });

  it("with runRetentionDays, expires each run's reports, counts, metrics and runs row, never its kept profile and claim", () => {
    const kept = synthesizeApp({ runRetentionDays: 400 });
    const lake = kept.stacks.stateful.getLogicalId(
      kept.stacks.stateful.buckets.lake.node.defaultChild as CfnElement,
    );
    const rules = kept.templates.stateful.toJSON().Resources[lake].Properties.LifecycleConfiguration
      .Rules as Record<string, unknown>[];
    const expiring = rules.filter((r) => r['ExpirationInDays'] === 400).map((r) => r['Prefix']);
    expect(expiring.sort()).toEqual([
      'lake/group_counts/',
      'lake/group_metrics/',
      'lake/reports/',
      'lake/runs/',
    ]);
  });
});

describe('the site bucket', () => {
  const siteId = bucketId('site');

  it('keeps its pages until a publish replaces them, unversioned (they are rendered from the lake)', () => {
    expect(propsOf('site')['VersioningConfiguration']).toBeUndefined();
    expect(expiringPrefixes('site')).toEqual([]);
  });

  it("lets only the site's distribution read, and only site/ of the site bucket", () => {
    const cloudfront = policyOf(siteId).filter((s) => JSON.stringify(s['Principal']).includes('cloudfront'));
    expect(cloudfront).toHaveLength(1);
    expect(cloudfront[0]).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    expect(renderIntrinsics(cloudfront[0]!['Resource'])).toBe(`<${siteId}.Arn>/site/*`);
    const sourceArn = renderIntrinsics(
      (cloudfront[0]!['Condition'] as { StringEquals: Record<string, unknown> }).StringEquals[
        'AWS:SourceArn'
      ],
    );
    expect(sourceArn).toMatch(
      /^arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution\/<import:RepscopeSite:ExportsOutputRefDistribution[0-9A-F]+>$/,
    );
    for (const other of ['datasets', 'lake'] as const) {
      expect(JSON.stringify(policyOf(bucketId(other))), other).not.toContain('cloudfront');
    }
  });

  it('lets the distribution decrypt with the key only objects of the site bucket', () => {
    const key = stateful.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as Record<
      string,
      unknown
    >[];
    const decrypt = key.filter((s) => JSON.stringify(s['Principal']).includes('cloudfront'));
    expect(decrypt).toHaveLength(1);
    expect(decrypt[0]).toMatchObject({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' });
    const condition = decrypt[0]!['Condition'] as Record<string, Record<string, unknown>>;
    expect(renderIntrinsics(condition['StringEquals']!['AWS:SourceArn'])).toMatch(/:distribution\/<import:/);
    expect(
      (condition['StringLike']!['kms:EncryptionContext:aws:s3:arn'] as unknown[]).map(renderIntrinsics),
    ).toEqual([
      `arn:<AWS::Partition>:s3:::${TEST_BUCKET_NAMES.site}`,
      `arn:<AWS::Partition>:s3:::${TEST_BUCKET_NAMES.site}/*`,
    ]);
  });
});

describe('Glue and Athena', () => {
  it("has one table per lake table, each exactly the runtime's generated TableInput with partition projection", () => {
    const tables = Object.values(stateful.findResources('AWS::Glue::Table'));
    // The stack passes the bucket as a reference: the inputs are generated for that name.
    const expected = glueTables(`<${lakeId}>`);
    expect(tables).toHaveLength(expected.length);
    for (const input of expected) {
      const table = tables.find((t) => t['Properties'].TableInput.Name === input.name)!;
      const deployed = table['Properties'].TableInput;
      // CloudFormation spells the same fields with capitals; compare field by field.
      expect(
        Object.fromEntries(Object.entries(deployed.Parameters).map(([k, v]) => [k, renderIntrinsics(v)])),
      ).toEqual(input.parameters);
      expect(input.parameters['projection.enabled']).toBe('true');
      expect(deployed.PartitionKeys).toEqual(
        input.partitionKeys.map((p) => ({ Name: p.name, Type: p.type })),
      );
      expect(deployed.StorageDescriptor.Columns).toEqual(
        input.storageDescriptor.columns.map((c) => ({ Name: c.name, Type: c.type })),
      );
      expect(renderIntrinsics(deployed.StorageDescriptor.Location)).toBe(input.storageDescriptor.location);
      expect(deployed.StorageDescriptor.SerdeInfo).toEqual({
        SerializationLibrary: input.storageDescriptor.serdeInfo.serializationLibrary,
        Parameters: input.storageDescriptor.serdeInfo.parameters,
      });
      expect(table['Properties'].DatabaseName).toBe('repscope_lake');
    }
    stateful.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'repscope_lake' } });
  });

  it('runs queries in a workgroup that enforces its encrypted result location and a bytes-scanned cutoff', () => {
    stateful.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'repscope',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: CUTOFF_BYTES,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: lakeId }, '/query-results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        },
      },
    });
  });
});

describe('the built-in references', () => {
  it('are copied to where the runtime reads them, by a deployment that can write nothing else', () => {
    stateful.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: lakeId },
      DestinationBucketKeyPrefix: BUILT_IN_REFERENCES_PREFIX,
      Prune: true,
    });
    const policies = Object.values(stateful.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p['Properties']['Roles']).includes('CustomCDKBucketDeployment'),
    );
    const lakeObjects = policies
      .flatMap((p) => p['Properties'].PolicyDocument.Statement)
      .flatMap((s: { Resource: unknown }) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
      .map(renderIntrinsics)
      .filter((r: string) => r.startsWith(`<${lakeId}.Arn>/`));
    expect([...new Set(lakeObjects)]).toEqual([`<${lakeId}.Arn>/${BUILT_IN_REFERENCES_PREFIX}*`]);
  });
});
