/**
 * The environment a Lambda handler bundle runs with in a child process against an S3 server on
 * loopback: the variables the stack sets (functions/handlers/config.ts), the server's endpoint and
 * its credentials, logs at ERROR only. For the bundle test and the cold-start bench.
 */
export function handlerEnvironment(bucket: string, s3Endpoint: string): Record<string, string> {
  return {
    REPSCOPE_BUCKET: bucket,
    REPSCOPE_ATHENA_WORKGROUP: 'repscope',
    REPSCOPE_GLUE_DATABASE: 'repscope_lake',
    REPSCOPE_S3_ENDPOINT: s3Endpoint,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}
