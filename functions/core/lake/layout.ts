/**
 * The lake layout of DESIGN.md: the same keys in S3 and in a local folder. Public contract.
 * Ids are validated before they reach here (dataset ids by the manifest schema, run ids by runId()).
 */
export const lakeKeys = {
  manifest: (dataset: string) => `datasets/${dataset}/repscope.yaml`,
  datasetPrefix: (dataset: string) => `datasets/${dataset}/`,
  references: 'references/',
  groupCounts: (dataset: string, run: string) =>
    `lake/group_counts/dataset=${dataset}/run=${run}/part-00000.jsonl`,
  groupMetrics: (dataset: string, run: string) =>
    `lake/group_metrics/dataset=${dataset}/run=${run}/part-00000.jsonl`,
  profile: (dataset: string, run: string) => `lake/profiles/dataset=${dataset}/run=${run}/profile.json`,
  report: (dataset: string, run: string) => `lake/reports/dataset=${dataset}/run=${run}/report.json`,
  reportsPrefix: 'lake/reports/',
  site: 'site/',
} as const;

export const RUN_ID_PATTERN = /^[0-9]{8}T[0-9]{6}Z(-[a-z0-9]{1,16})?$/;

/** A sortable run id from a time: 20261129T110500Z, with an optional suffix. */
export function runId(at: Date, suffix?: string): string {
  const id = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return suffix ? `${id}-${suffix}` : id;
}
