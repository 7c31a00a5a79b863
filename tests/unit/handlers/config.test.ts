import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../../functions/handlers/config.ts';

const env = {
  REPSCOPE_BUCKET: 'repscope-lake-123',
  REPSCOPE_ATHENA_WORKGROUP: 'repscope',
  REPSCOPE_GLUE_DATABASE: 'repscope_lake',
};

describe('readConfig', () => {
  it('reads the stack-set variables with their defaults', () => {
    expect(readConfig(env)).toEqual({
      bucket: 'repscope-lake-123',
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
    expect(() => readConfig({ REPSCOPE_BUCKET: 'Bad_Bucket' })).toThrow(ConfigError);
    expect(() => readConfig({ REPSCOPE_BUCKET: 'Bad_Bucket' })).toThrow(
      /REPSCOPE_BUCKET: expected an S3 bucket name; REPSCOPE_ATHENA_WORKGROUP: .*\(unset\); REPSCOPE_GLUE_DATABASE: .*\(unset\)/,
    );
    expect(() => readConfig({ ...env, REPSCOPE_RANGE_BYTES: '-5' })).toThrow(/REPSCOPE_RANGE_BYTES/);
  });
});
