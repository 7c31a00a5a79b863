import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readSettings } from '../../infra/settings.ts';

/** cdk.json context → settings: defaults, `-c key=value` strings, and messages naming the bad value. */
const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('readSettings', () => {
  it('gives the documented defaults without context', () => {
    expect(readSettings(context({}))).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.allowedCidrs).toEqual([]);
  });

  it("reads cdk.json's context as the defaults", () => {
    const cdkJson = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../cdk.json'), 'utf8'));
    expect(readSettings(context(cdkJson.context))).toEqual(DEFAULT_SETTINGS);
  });

  it('accepts -c strings: numbers, a comma-separated CIDR list, an e-mail', () => {
    expect(
      readSettings(
        context({
          rawRetentionDays: '7',
          runRetentionDays: '365',
          allowedCidrs: '203.0.113.0/24, 198.51.100.7/32',
          alertEmail: 'governance@example.org',
          fanOutThresholdBytes: '1048576',
          reprofileSchedule: 'rate(1 day)',
          logRetentionDays: 365,
        }),
      ),
    ).toEqual({
      ...DEFAULT_SETTINGS,
      rawRetentionDays: 7,
      runRetentionDays: 365,
      allowedCidrs: ['203.0.113.0/24', '198.51.100.7/32'],
      alertEmail: 'governance@example.org',
      fanOutThresholdBytes: 1048576,
      reprofileSchedule: 'rate(1 day)',
      logRetentionDays: 365,
    });
  });

  it('names any of the three buckets, the others keeping their default names', () => {
    expect(
      readSettings(context({ datasetsBucketName: 'acme-uploads', siteBucketName: 'acme-reports' })),
    ).toEqual({ ...DEFAULT_SETTINGS, bucketNames: { datasets: 'acme-uploads', site: 'acme-reports' } });
  });

  it.each([
    [{ rawRetentionDays: '0' }, /"rawRetentionDays" is "0"; expected an integer ≥ 1/],
    [{ runRetentionDays: '-1' }, /"runRetentionDays" is "-1"; expected an integer ≥ 0/],
    [{ rawRetentionDays: 'thirty' }, /"rawRetentionDays" is "thirty"/],
    [
      { allowedCidrs: '203.0.113.0/24,example.org' },
      /"allowedCidrs" is "203.0.113.0\/24,example.org"; expected a list of IPv4 CIDRs/,
    ],
    [{ allowedCidrs: ['300.0.0.0/8'] }, /"allowedCidrs"/],
    [{ alertEmail: 'not-an-address' }, /"alertEmail" is "not-an-address"; expected an e-mail address/],
    [{ logRetentionDays: 10 }, /"logRetentionDays" is 10; expected one of 1, 3, 5/],
    [{ reprofileSchedule: 'every monday' }, /"reprofileSchedule" is "every monday"; expected cron/],
    [
      { athenaBytesScannedCutoff: 1000 },
      /"athenaBytesScannedCutoff" is 1000; expected an integer ≥ 10000000/,
    ],
    [{ lakeBucketName: 'Repscope_Lake' }, /"lakeBucketName" is "Repscope_Lake"; expected an S3 bucket name/],
    [
      { bucketName: 'repscope-123-eu-central-1' },
      /"bucketName" is "repscope-123-eu-central-1"; expected no "bucketName": the lake spans three buckets, named by datasetsBucketName, lakeBucketName, siteBucketName/,
    ],
    [
      { datasetsBucketName: 'repscope-one', siteBucketName: 'repscope-one' },
      /"bucketNames" is \{"datasets":"repscope-one","site":"repscope-one"\}; expected three different buckets/,
    ],
    [{ webAclArn: 'arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/x/y' }, /"webAclArn".*us-east-1/],
  ])('refuses %j', (values, message) => {
    expect(() => readSettings(context(values))).toThrow(message);
  });
});
