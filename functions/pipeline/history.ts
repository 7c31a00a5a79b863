import { UsageError } from '../core/errors.ts';
import { type HistoryLine, historyStatement, runRow, toHistoryLines } from '../core/history/history-sql.ts';
import { lakeKeys, parseLakeKey } from '../core/lake/layout.ts';
import { runsTable, toJsonLines } from '../core/lake/tables.ts';
import type { ObjectStore, QueryEngine } from '../core/ports.ts';
import { type Report, reportSchema } from '../core/report/schema.ts';
import { readText } from './io.ts';

/** The run ids of a dataset that have a report, oldest first (run ids sort by time). */
export async function reportedRuns(store: ObjectStore, dataset: string): Promise<string[]> {
  return (await store.list(lakeKeys.datasetReportsPrefix(dataset)))
    .map((o) => parseLakeKey(o.key))
    .filter((k) => k?.file === 'report.json')
    .map((k) => k!.run)
    .sort();
}

/** Writes the `runs` row of a report (idempotent: the same report gives the same row). */
export async function recordRun(store: ObjectStore, report: Report): Promise<void> {
  await store.write(lakeKeys.runRow(report.dataset.id, report.run.id), toJsonLines([runRow(report)]));
}

/**
 * Writes the `runs` row of every report of `dataset` that has none yet. A report is written by
 * several steps (compare, an error report of analyse or of the publish step in AWS), so the rows
 * are made from the reports, in one place, before history is read.
 */
export async function recordRuns(
  store: ObjectStore,
  dataset: string,
  /** A run's report when the caller has already read it (publish reads every report once). */
  known: (run: string) => Report | undefined = () => undefined,
  /** The runs that have a report, when the caller has listed them. @default - listed here */
  reported?: readonly string[],
): Promise<void> {
  const recorded = new Set(
    (await store.list(`${runsTable.prefix}dataset=${dataset}/`)).map((o) => parseLakeKey(o.key)?.run),
  );
  for (const run of reported ?? (await reportedRuns(store, dataset))) {
    if (recorded.has(run)) continue;
    await recordRun(store, known(run) ?? (await readReport(store, lakeKeys.report(dataset, run))));
  }
}

/**
 * `repscope history <dataset>`: one line per run, oldest first, read with one SQL statement over
 * `runs` and `group_metrics` (DuckDB here, Athena in AWS).
 *
 * @throws UsageError when the dataset has no run in the lake
 */
export async function datasetHistory(
  store: ObjectStore,
  engine: QueryEngine,
  dataset: string,
): Promise<HistoryLine[]> {
  await recordRuns(store, dataset);
  const runs = await reportedRuns(store, dataset);
  if (runs.length === 0) {
    throw new UsageError(
      `no runs of dataset '${dataset}' in the lake; expected reports under ${lakeKeys.datasetReportsPrefix(dataset)}`,
    );
  }
  const statement = historyStatement(dataset, runs);
  return toHistoryLines(await engine.rows(statement.sql, statement.params));
}

/** A report of the lake (written by this pipeline, so validated rather than trusted blindly). */
export async function readReport(store: ObjectStore, key: string): Promise<Report> {
  return reportSchema.parse(JSON.parse(await readText(store, key, 256 << 20)));
}
