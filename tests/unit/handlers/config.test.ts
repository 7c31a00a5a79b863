import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../../functions/handlers/config.ts';

const env = {
  REPSCOPE_DATASETS_BUCKET: 'repscope-datasets-123',
  REPSCOPE_LAKE_BUCKET: 'repscope-lake-123',
  REPSCOPE_SITE_BUCKET: 'repscope-site-123',
  REPSCOPE_ATHENA_WORKGROUP: 'repscope',
  REPSCOPE_GLUE_DATABASE: 'repscope_lake',
};

describe('readConfig', () => {
  it('reads the stack-set variables with their defaults', () => {
    expect(readConfig(env)).toEqual({
      buckets: { datasets: 'repscope-datasets-123', lake: 'repscope-lake-123', site: 'repscope-site-123' },
      workGroup: 'repscope',
      database: 'repscope_lake',
      fanOutThresholdBytes: 256 * 1024 * 1024,
      rangeBytes: 64 * 1024 * 1024,
      codeVersion: 'repscope',
    });
    expect(
      readConfig({ ...env, REPSCOPE_RANGE_BYTES: '1048576', REPSCOPE_S3_ENDPOINT: 'http://127.0.0.1:4569' }),
    ).toMatchObject({
      rangeBytes: 1048576,
      s3Endpoint: 'http://127.0.0.1:4569',
    });
  });

  it('names each missing or bad variable and what was expected', () => {
    expect(() => readConfig({ REPSCOPE_LAKE_BUCKET: 'Bad_Bucket' })).toThrow(ConfigError);
    expect(() => readConfig({ REPSCOPE_LAKE_BUCKET: 'Bad_Bucket' })).toThrow(
      /REPSCOPE_DATASETS_BUCKET: .*\(unset\); REPSCOPE_LAKE_BUCKET: expected an S3 bucket name; REPSCOPE_SITE_BUCKET: .*\(unset\); REPSCOPE_ATHENA_WORKGROUP: .*\(unset\); REPSCOPE_GLUE_DATABASE: .*\(unset\)/,
    );
    expect(() => readConfig({ ...env, REPSCOPE_RANGE_BYTES: '-5' })).toThrow(/REPSCOPE_RANGE_BYTES/);
  });

  it('needs each of the three buckets, and says what replaced the one-bucket variable', () => {
    for (const name of ['REPSCOPE_DATASETS_BUCKET', 'REPSCOPE_LAKE_BUCKET', 'REPSCOPE_SITE_BUCKET']) {
      const { [name]: _left, ...rest } = env as Record<string, string>;
      expect(() => readConfig(rest), name).toThrow(
        new RegExp(`^the handler's environment is invalid: ${name}: .*\\(unset\\)$`),
      );
    }
    const { REPSCOPE_DATASETS_BUCKET: _d, REPSCOPE_LAKE_BUCKET: _l, REPSCOPE_SITE_BUCKET: _s, ...old } = env;
    expect(() => readConfig({ ...old, REPSCOPE_BUCKET: 'repscope-123-eu-central-1' })).toThrow(
      /REPSCOPE_SITE_BUCKET: .*\(unset\); REPSCOPE_BUCKET is no longer read: the lake spans REPSCOPE_DATASETS_BUCKET, REPSCOPE_LAKE_BUCKET, REPSCOPE_SITE_BUCKET$/,
    );
  });
});

describe('readConfig for the rescan and alerts of issue #11', () => {
  it('reads the state machine and alert topic ARNs, and refuses what is not one', () => {
    expect(
      readConfig({
        ...env,
        REPSCOPE_STATE_MACHINE_ARN: 'arn:aws:states:eu-central-1:123456789012:stateMachine:repscope-run',
        REPSCOPE_ALERT_TOPIC_ARN: 'arn:aws:sns:eu-central-1:123456789012:repscope-alerts',
      }),
    ).toMatchObject({
      stateMachineArn: 'arn:aws:states:eu-central-1:123456789012:stateMachine:repscope-run',
      alertTopicArn: 'arn:aws:sns:eu-central-1:123456789012:repscope-alerts',
    });
    expect(() => readConfig({ ...env, REPSCOPE_STATE_MACHINE_ARN: 'repscope-run' })).toThrow(
      /REPSCOPE_STATE_MACHINE_ARN: expected a state machine ARN/,
    );
    expect(() => readConfig({ ...env, REPSCOPE_ALERT_TOPIC_ARN: 'alerts' })).toThrow(
      /REPSCOPE_ALERT_TOPIC_ARN: expected an SNS topic ARN/,
    );
  });
});
