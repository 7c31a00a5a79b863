import { lakeKeys } from '../functions/core/lake/layout.ts';
import { groupCountsTable, referencePopulationsTable } from '../functions/core/lake/tables.ts';
import type { LambdaName } from './lambda-bundles.ts';

/**
 * Where Athena writes query results in the lake bucket (the workgroup enforces it). Not part of
 * the lake's public layout: results are scratch, expired after a week.
 */
export const QUERY_RESULTS_PREFIX = 'query-results/';

/** What one function may do in the lake bucket: object key patterns (`*` within a key) and Athena. */
export interface LakeAccess {
  readonly read: readonly string[];
  readonly write: readonly string[];
  /**
   * The Glue tables of the lake database it may query in the workgroup (`*`: any, for tables users
   * register); Athena then reads their files with the function's credentials, so `read` covers
   * them. Empty for no Athena at all.
   */
  readonly athena: readonly string[];
}

/** A key pattern from the layout's own key builders, every variable part a `*`. */
const any = '*';
const manifests = lakeKeys.manifest(any);
const datasets = `${lakeKeys.datasetsPrefix}${any}`;
const references = `${lakeKeys.references}${any}`;
const referenceTables = lakeKeys.referenceTable(any);
const claims = lakeKeys.claim(any, any);
const staging = lakeKeys.staging(any, any, any);
const profiles = lakeKeys.profile(any, any);
const groupCounts = lakeKeys.groupCounts(any, any);
/** Athena reads every file of a table's partitions, whatever the writer named them. */
const groupCountsTableFiles = `${groupCountsTable.prefix}${any}`;
const groupMetrics = lakeKeys.groupMetrics(any, any);
const reports = lakeKeys.report(any, any);
const site = `${lakeKeys.site}${any}`;
const queryResults = `${QUERY_RESULTS_PREFIX}${any}`;

/** The tables the compare statement joins. */
export const COMPARE_TABLES = [groupCountsTable.name, referencePopulationsTable.name] as const;

/** What the analyse step (profile → compare) reads and writes, in profile and in merge. */
const analyseReads = [datasets, references, groupCountsTableFiles, queryResults];
const analyseWrites = [referenceTables, profiles, groupCounts, groupMetrics, reports, queryResults];

/**
 * Each function's prefixes, from what its pipeline stages touch (handlers/*.ts and pipeline/). The
 * stack grants exactly these; a test holds every role's S3 resources to them.
 */
export const LAKE_ACCESS: Record<LambdaName, LakeAccess> = {
  // Claims the run, plans ranges or analyses the object in one pass.
  profile: {
    read: [...analyseReads, claims],
    write: [...analyseWrites, claims, staging],
    athena: COMPARE_TABLES,
  },
  // Reads its range of the pinned object and the staged task; stages its part.
  'profile-range': { read: [lakeKeys.dataFile(any, any, any), staging], write: [staging], athena: [] },
  // Merges the staged parts (or reads the object again when a split was unsafe), then analyses.
  merge: { read: [...analyseReads, staging], write: analyseWrites, athena: COMPARE_TABLES },
  // Renders the site from the reports; after a failure claims the run and writes its error report
  // (reading the manifest for its thresholds, never a data file).
  publish: {
    read: [manifests, claims, reports, site],
    write: [claims, reports, site],
    athena: [],
  },
};

/**
 * Whether one of the key patterns covers a key as IAM matches an object ARN: `*` stands for any
 * run of characters, `/` included.
 */
export function reaches(patterns: readonly string[], key: string): boolean {
  return patterns.some((pattern) => {
    const literal = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${literal.join('.*')}$`).test(key);
  });
}
