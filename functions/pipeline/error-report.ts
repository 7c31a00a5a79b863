import type { RepscopeError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import type { Manifest } from '../core/manifest/schema.ts';
import { REPORT_SCHEMA_ID, type Report, reportSchema } from '../core/report/schema.ts';
import type { DatasetEntry, RunInfo } from './analyse.ts';

/**
 * The report of a run that could not be analysed: status `error`, one failed check and one warning
 * carrying the error's message (which names what and where, never row data), no numbers.
 */
export function errorReport(
  entry: DatasetEntry,
  run: RunInfo,
  times: { startedAt: string; finishedAt: string },
  error: RepscopeError,
  manifest: Manifest | undefined,
  codeVersion: string,
): Report {
  return reportSchema.parse({
    schema: REPORT_SCHEMA_ID,
    dataset: {
      id: entry.id,
      version: entry.version ?? 'none',
      source: {
        uri: lakeKeys.version(entry.id, entry.version ?? ''),
        bytes: 0,
        format: manifest?.format ?? 'csv',
        compression: 'none',
      },
    },
    run: { id: run.id, startedAt: times.startedAt, finishedAt: times.finishedAt, reason: run.reason },
    status: 'error',
    rows: { read: 0, used: 0, excludedNoConsent: 0, malformed: 0 },
    thresholds: manifest?.thresholds ?? {
      minRatio: 0.8,
      maxRatio: 1.25,
      maxTvd: 0.05,
      minGroupCount: 30,
      alpha: 0.05,
    },
    privacy: { minCellSize: manifest?.privacy.minCellSize ?? 10, suppressed: false },
    attributes: [],
    intersections: [],
    checks: [{ id: 'input', status: 'fail', message: error.message }],
    warnings: [{ code: error.code.toLowerCase().replaceAll('_', '-'), message: error.message }],
    provenance: { manifestSha256: '', references: [], codeVersion, columnsRead: [] },
  });
}
