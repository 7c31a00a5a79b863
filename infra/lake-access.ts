import { bucketOfKey, LAKE_BUCKETS, type LakeBucket, lakeKeys } from '../functions/core/lake/layout.ts';
import { groupCountsTable, referencePopulationsTable } from '../functions/core/lake/tables.ts';
import type { LambdaName } from './lambda-bundles.ts';

/**
 * Where Athena writes query results in the lake bucket (the workgroup enforces it). Not part of
 * the lake's public layout: results are scratch, expired after a week.
 */
export const QUERY_RESULTS_PREFIX = 'query-results/';

/**
 * What one function may do in the lake: object key patterns (`*` within a key), each granted on
 * the bucket that holds its prefix (`bucketAccess`), and Athena.
 */
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
/** Run claims: one per set of inputs, and the record of which run an uploaded object version got. */
const claims = [lakeKeys.claim(any, any), lakeKeys.objectRun(any, any)];
const staging = lakeKeys.staging(any, any, any);
const profiles = lakeKeys.profile(any, any);
/** A run's kept record beside its profile (manifest text, provenance, plan digest): no row data. */
const profiledRuns = lakeKeys.profiledRun(any, any);
/** Claims by their inputs (a re-compare reads a kept run's claim for its data part). */
const inputClaims = lakeKeys.claim(any, any);
const groupCounts = lakeKeys.groupCounts(any, any);
/** Athena reads every file of a table's partitions, whatever the writer named them. */
const groupCountsTableFiles = `${groupCountsTable.prefix}${any}`;
const groupMetrics = lakeKeys.groupMetrics(any, any);
const reports = lakeKeys.report(any, any);
const runRows = lakeKeys.runRow(any, any);
const baselines = lakeKeys.baseline(any);
const site = `${lakeKeys.site}${any}`;
const queryResults = `${QUERY_RESULTS_PREFIX}${any}`;

/** The tables the compare statement joins. */
export const COMPARE_TABLES = [groupCountsTable.name, referencePopulationsTable.name] as const;

/** Datasets registered as tables (`table: { name }`): their files under `tables/` of the lake bucket. */
const registeredTables = `${lakeKeys.tables}${any}`;

/**
 * What the profile half writes: the profile and counts, its kept record (the hand-over compare
 * reads), work files, or the error report.
 */
const profileWrites = [profiles, profiledRuns, groupCounts, staging, reports];

/**
 * Each function's prefixes, from what its pipeline stages touch (handlers/*.ts and pipeline/). The
 * stack grants exactly these, each on its own bucket; tests hold every role's S3 resources to them
 * and run the handlers on three buckets that refuse everything else (tests/infra/lake-access.test.ts).
 */
export const LAKE_ACCESS: Record<LambdaName, LakeAccess> = {
  // Claims the run, then plans ranges, profiles the object in one pass, or hands a table run on;
  // for a rescan's compare-only run, copies a kept profile and its record to the new run.
  profile: {
    read: [datasets, references, ...claims, profiles, profiledRuns],
    write: [...profileWrites, ...claims],
    athena: [],
  },
  // Reads its range of the pinned object and the staged task; stages its part.
  'profile-range': { read: [lakeKeys.dataFile(any, any, any), staging], write: [staging], athena: [] },
  // Merges the staged parts (or reads the object again when a split was unsafe).
  merge: { read: [datasets, references, staging], write: profileWrites, athena: [] },
  // Counts a registered table with one GROUPING SETS query; Athena reads the table's files.
  'profile-table': {
    read: [manifests, references, registeredTables, queryResults],
    write: [...profileWrites, queryResults],
    athena: ['*'],
  },
  // Reads the kept profile and record back, joins the counts with the references in Athena, writes the report.
  compare: {
    read: [manifests, references, profiledRuns, profiles, groupCountsTableFiles, queryResults],
    write: [referenceTables, groupMetrics, reports, queryResults],
    athena: COMPARE_TABLES,
  },
  // Renders the site from the reports and each dataset's history (the runs table's rows, which it
  // writes for reports that have none, and the pinned baseline); after a failure claims the run
  // (its inputs name the references' content) and writes its error report (reading the manifest for
  // its thresholds, never a data file).
  publish: {
    read: [manifests, references, ...claims, reports, runRows, baselines, site],
    write: [...claims, reports, runRows, site],
    athena: [],
  },
  // Lists datasets/, reads each manifest for its schedule and heads the newest data object (names
  // and ETags, never its bytes); for a dataset whose uploads expired, reads its newest kept record
  // (the manifest it ran with), the run's claim and the references, to decide whether the kept
  // profile can be compared again. The executions it starts do the rest.
  rescan: { read: [datasets, references, profiledRuns, inputClaims], write: [], athena: [] },
};

/**
 * The bucket a key pattern is granted on: the layout's bucket of its prefix, and the lake bucket
 * for Athena's results. A pattern outside both is a mistake in this table, refused here so the
 * stack cannot grant it on a guessed bucket.
 */
export function bucketOfPattern(pattern: string): LakeBucket {
  if (pattern.startsWith(QUERY_RESULTS_PREFIX)) return 'lake';
  const bucket = bucketOfKey(pattern);
  if (!bucket) {
    throw new Error(
      `the key pattern '${pattern}' is in no bucket of the lake layout; expected a prefix of LAKE_BUCKET_PREFIXES`,
    );
  }
  return bucket;
}

/** What a function may read and write in one bucket. */
export interface BucketAccess {
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** A function's patterns by the bucket they are granted on; buckets it does not touch are left out. */
export function bucketAccess(access: LakeAccess): Partial<Record<LakeBucket, BucketAccess>> {
  const byBucket: Partial<Record<LakeBucket, BucketAccess>> = {};
  for (const bucket of LAKE_BUCKETS) {
    const read = access.read.filter((p) => bucketOfPattern(p) === bucket);
    const write = access.write.filter((p) => bucketOfPattern(p) === bucket);
    if (read.length + write.length > 0) byBucket[bucket] = { read, write };
  }
  return byBucket;
}

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
