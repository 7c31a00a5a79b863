import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine.ts';
import { S3ObjectStore } from '../adapters/aws/s3-object-store.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import type { Clock, Logger, ObjectStore, QueryEngine } from '../core/ports.ts';
import { mergeCatalogues, type ReferenceCatalogue } from '../core/references/reference.ts';
import { prefixedStore } from '../pipeline/prefixed-store.ts';
import { loadBuiltInReferences, loadDroppedReferences } from '../pipeline/references.ts';
import { routedStore } from '../pipeline/routed-store.ts';
import { type HandlerConfig, readConfig } from './config.ts';

/** Where the deployment puts the built-in references (populations.json and their CSVs). */
export const BUILT_IN_REFERENCES_PREFIX = lakeKeys.builtInReferences;

/**
 * What every handler works with, built once per cold start: the lake (its three S3 buckets behind
 * one store, keys routed by prefix), the query engine (Athena), a structured logger and the
 * references.
 */
export interface Runtime {
  readonly config: HandlerConfig;
  readonly store: ObjectStore;
  readonly engine: QueryEngine;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Built-in references (read once) and the users' own (`references/*.csv`, read each time). */
  catalogue(): Promise<ReferenceCatalogue>;
}

export interface RuntimeOverrides {
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export function createRuntime(config: HandlerConfig, overrides: RuntimeOverrides = {}): Runtime {
  const s3 = new S3Client(config.s3Endpoint ? { endpoint: config.s3Endpoint, forcePathStyle: true } : {});
  const athena = new AthenaClient(config.athenaEndpoint ? { endpoint: config.athenaEndpoint } : {});
  const bucket = (name: string) => new S3ObjectStore({ bucket: name, client: s3 });
  const { buckets } = config;
  const store = routedStore({
    datasets: bucket(buckets.datasets),
    lake: bucket(buckets.lake),
    site: bucket(buckets.site),
  });
  let builtIn: Promise<ReferenceCatalogue> | undefined;
  return {
    config,
    store,
    engine: new AthenaQueryEngine({ workGroup: config.workGroup, database: config.database, client: athena }),
    logger: overrides.logger ?? lambdaLogger(),
    clock: overrides.clock ?? { now: () => new Date() },
    async catalogue() {
      builtIn ??= loadBuiltInReferences(prefixedStore(store, BUILT_IN_REFERENCES_PREFIX));
      const loading = builtIn;
      // A failed load is not kept: the next invocation of this container tries again.
      loading.catch(() => {
        if (builtIn === loading) builtIn = undefined;
      });
      return mergeCatalogues([await loading, ...(await loadDroppedReferences(store))]);
    },
  };
}

/** The runtime of this Lambda container, from its environment, made on first use. */
export function lazyRuntime(): () => Runtime {
  let runtime: Runtime | undefined;
  return () => {
    runtime ??= createRuntime(readConfig());
    return runtime;
  };
}

/** Structured JSON lines for CloudWatch; callers pass ids, counts and codes, never row data. */
function lambdaLogger(): Logger {
  const logger = new PowertoolsLogger({ serviceName: 'repscope' });
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}
