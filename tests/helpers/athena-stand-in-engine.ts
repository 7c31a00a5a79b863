import { AthenaQueryEngine } from '../../functions/adapters/aws/athena-query-engine.ts';

type EngineProps = ConstructorParameters<typeof AthenaQueryEngine>[0];

/**
 * An AthenaQueryEngine pointed at the Athena protocol stand-in (athena-protocol-server.ts): test
 * credentials, one attempt, polls of 1–8 ms. `overrides` replace any of these props.
 */
export function athenaStandInEngine(
  endpoint: string,
  overrides: Partial<EngineProps> = {},
): AthenaQueryEngine {
  return new AthenaQueryEngine({
    workGroup: 'repscope',
    database: 'repscope_lake',
    clientConfig: {
      endpoint,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    },
    pollIntervalMs: 1,
    maxPollIntervalMs: 8,
    ...overrides,
  });
}
