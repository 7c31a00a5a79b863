import {
  groupCountsTable,
  groupMetricsTable,
  referencePopulationsTable,
  runsTable,
  tableFileKey,
} from './tables.ts';

/**
 * The lake layout of DESIGN.md: the same keys in S3 and in a local folder. Public contract.
 * Ids are validated before they reach here (dataset ids by the manifest schema, run ids by runId()).
 */
export const lakeKeys = {
  datasetsPrefix: 'datasets/',
  manifest: (dataset: string) => `datasets/${dataset}/repscope.yaml`,
  datasetPrefix: (dataset: string) => `datasets/${dataset}/`,
  /** A version's folder, as provenance names a dataset that could not be read. */
  version: (dataset: string, version: string) => `datasets/${dataset}/${version}`,
  dataFile: (dataset: string, version: string, file: string) => `datasets/${dataset}/${version}/${file}`,
  references: 'references/',
  /** Where a deployment puts the built-in references (populations.json and their CSVs). */
  builtInReferences: 'references/builtin/',
  /** Data tables registered in manifests (`table: { name }`): locally the files of a table's folder. */
  tables: 'tables/',
  tableFolder: (name: string) => `tables/${name}/`,
  // Table files: their prefixes and partition folders come from the table catalogue.
  referenceTable: (population: string) => tableFileKey(referencePopulationsTable, [population], 'reference'),
  groupCounts: (dataset: string, run: string) => tableFileKey(groupCountsTable, [dataset, run]),
  groupMetrics: (dataset: string, run: string) => tableFileKey(groupMetricsTable, [dataset, run]),
  runRow: (dataset: string, run: string) => tableFileKey(runsTable, [dataset, run]),
  /**
   * Work files of one run in AWS (the counting task, range parts, the staged profile), read by
   * the run's next step and expired by the bucket's lifecycle rule.
   */
  staging: (dataset: string, run: string, name: string) =>
    `lake/staging/dataset=${dataset}/run=${run}/${name}`,
  /** Run claims: one per set of run inputs (see pipeline/claim-run.ts). */
  claim: (dataset: string, digest: string) => `lake/claims/dataset=${dataset}/inputs/${digest}.json`,
  /** The run of one uploaded object version, for `repscope upload --wait`. */
  objectRun: (dataset: string, digest: string) => `lake/claims/dataset=${dataset}/${digest}.json`,
  profile: (dataset: string, run: string) => `lake/profiles/dataset=${dataset}/run=${run}/profile.json`,
  /**
   * What a run's compare needs besides its profile: the manifest text it profiled with, the
   * dataset version, the data's provenance (uri, bytes, ETag or SHA-256), the file's column names,
   * the plan's digest and the run's claim. No row data. Kept with the profile (no lifecycle rule
   * expires `lake/profiles/` or `lake/claims/`, `runRetentionDays` included), so a run can be
   * re-compared, and its dataset stays registered, after its raw upload and its manifest under
   * `datasets/` expired.
   */
  profiledRun: (dataset: string, run: string) => `lake/profiles/dataset=${dataset}/run=${run}/profiled.json`,
  profilesPrefix: 'lake/profiles/',
  datasetProfilesPrefix: (dataset: string) => `lake/profiles/dataset=${dataset}/`,
  report: (dataset: string, run: string) => `lake/reports/dataset=${dataset}/run=${run}/report.json`,
  reportsPrefix: 'lake/reports/',
  datasetReportsPrefix: (dataset: string) => `lake/reports/dataset=${dataset}/`,
  /** The pinned baseline of a dataset's drift (`repscope baseline set`). */
  baseline: (dataset: string) => `lake/baselines/dataset=${dataset}/baseline.json`,
  site: 'site/',
} as const;

/**
 * In AWS the layout spans three buckets, each with its own retention and readers: raw uploads
 * (`datasets`: versioned, expired after the retention), the lake (`lake`: references, tables and
 * what runs write, queried by Athena) and the published pages (`site`: read by CloudFront only).
 * Keys keep their full names inside each bucket, so table locations, Athena and the local folder
 * (one folder for all three) read the same keys. The top-level prefixes each bucket holds:
 */
export const LAKE_BUCKET_PREFIXES = {
  datasets: [lakeKeys.datasetsPrefix],
  lake: [lakeKeys.references, lakeKeys.tables, 'lake/'],
  site: [lakeKeys.site],
} as const satisfies Record<string, readonly string[]>;

export type LakeBucket = keyof typeof LAKE_BUCKET_PREFIXES;

export const LAKE_BUCKETS = Object.keys(LAKE_BUCKET_PREFIXES) as readonly LakeBucket[];

/** The bucket a key (or a key pattern) belongs in, or undefined for a key outside the layout. */
export function bucketOfKey(key: string): LakeBucket | undefined {
  return LAKE_BUCKETS.find((bucket) =>
    LAKE_BUCKET_PREFIXES[bucket].some((prefix: string) => key.startsWith(prefix)),
  );
}

/**
 * Pages of the published site, relative to its root (`lakeKeys.site` in the bucket). Here with
 * the lake's keys so the CLI and the handlers name a page without loading the renderer.
 */
export const sitePath = {
  index: 'index.html',
  css: 'assets/site.css',
  dataset: (datasetId: string): string => `datasets/${datasetId}/index.html`,
  run: (datasetId: string, runId: string): string => `datasets/${datasetId}/runs/${runId}/index.html`,
  runJson: (datasetId: string, runId: string): string => `datasets/${datasetId}/runs/${runId}/report.json`,
} as const;

/** What a key under `datasets/` is: a dataset's manifest, or a data file of one of its versions. */
export type DatasetKey =
  | { readonly kind: 'manifest'; readonly dataset: string }
  | { readonly kind: 'data'; readonly dataset: string; readonly version: string; readonly file: string };

/**
 * Parses `datasets/<id>/repscope.yaml` and `datasets/<id>/<version>/<file>`; anything else
 * (deeper folders, hidden files such as `.DS_Store`, other prefixes) is undefined. Event keys
 * (an S3 upload) and listings go through here, so no caller splits keys by hand.
 */
export function parseDatasetKey(key: string): DatasetKey | undefined {
  const parts = key.split('/');
  if (parts[0] !== 'datasets' || !parts[1]) return undefined;
  const dataset = parts[1];
  if (parts.length === 3 && parts[2] === 'repscope.yaml') return { kind: 'manifest', dataset };
  const [, , version, file] = parts;
  if (parts.length === 4 && version && file && !file.startsWith('.')) {
    return { kind: 'data', dataset, version, file };
  }
  return undefined;
}

/** A key of a lake table's partition: `lake/<table>/dataset=<id>/run=<run>/<file>`. */
export interface LakeKey {
  readonly table: string;
  readonly dataset: string;
  readonly run: string;
  readonly file: string;
}

/**
 * Parses a partition key of the lake (lakeKeys.groupCounts, .report, .profile, .profiledRun, …);
 * anything else is undefined.
 */
export function parseLakeKey(key: string): LakeKey | undefined {
  const match = /^lake\/([^/]+)\/dataset=([^/]+)\/run=([^/]+)\/([^/]+)$/.exec(key);
  if (!match) return undefined;
  const [, table, dataset, run, file] = match as unknown as [string, string, string, string, string];
  return { table, dataset, run, file };
}

export const RUN_ID_PATTERN = /^[0-9]{8}T[0-9]{6}Z(-[a-z0-9]{1,16})?$/;

/** A sortable run id from a time: 20261129T110500Z, with an optional suffix. */
export function runId(at: Date, suffix?: string): string {
  const id = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return suffix ? `${id}-${suffix}` : id;
}
