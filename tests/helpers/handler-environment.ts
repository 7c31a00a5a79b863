import type { LakeBucket } from '../../functions/core/lake/layout.ts';

/** The three buckets of a test deployment; the fixtures' S3 events name the datasets bucket. */
export const TEST_BUCKETS: Readonly<Record<LakeBucket, string>> = {
  datasets: 'repscope-datasets',
  lake: 'repscope-lake',
  site: 'repscope-site',
};

/**
 * The environment a Lambda handler bundle runs with in a child process against servers on
 * loopback: the variables the stack sets (functions/handlers/config.ts), the S3 server's endpoint
 * and credentials, the Athena stand-in's endpoint when there is one, logs at ERROR only. For the
 * bundle tests, the cold-start bench and the e2e tests' in-process runtimes (which read the REPSCOPE_
 * variables only).
 */
export function handlerEnvironment(
  buckets: Readonly<Record<LakeBucket, string>>,
  s3Endpoint: string,
  athenaEndpoint?: string,
): Record<string, string> {
  return {
    REPSCOPE_DATASETS_BUCKET: buckets.datasets,
    REPSCOPE_LAKE_BUCKET: buckets.lake,
    REPSCOPE_SITE_BUCKET: buckets.site,
    REPSCOPE_ATHENA_WORKGROUP: 'repscope',
    REPSCOPE_GLUE_DATABASE: 'repscope_lake',
    REPSCOPE_S3_ENDPOINT: s3Endpoint,
    ...(athenaEndpoint ? { REPSCOPE_ATHENA_ENDPOINT: athenaEndpoint } : {}),
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}
