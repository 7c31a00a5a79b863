import type { Statement } from '../compare/compare-sql.ts';
import { groupMetricsTable, runsTable, sqlColumn } from '../lake/tables.ts';
import type { SqlValue } from '../ports.ts';
import type { Report } from '../report/schema.ts';

/** One line of `repscope history`: a run, and the group furthest from its reference share. */
export interface HistoryLine {
  readonly run: string;
  readonly startedAt: string;
  readonly version: string;
  readonly trigger: Report['run']['reason'];
  readonly status: Report['status'];
  readonly rowsRead: number | null;
  readonly rowsUsed: number | null;
  /** The marginal group whose ratio is furthest from 1 (by |ln ratio|; a ratio of 0 first). */
  readonly worst: { readonly attribute: string; readonly group: string; readonly ratio: number } | null;
}

/**
 * A dataset's runs with their worst group, oldest first: one statement in the dialect Trino
 * (Athena engine v3) and DuckDB share, values as `?` parameters. Both tables are projected
 * (`injected`) in Athena, so the statement names the dataset with `=` and the runs with `IN`
 * (`runs` comes from the lake's listing). Intersections (`a_x_b`) are left out of "worst": their
 * cells are small and noisy, and their marginals already say where a gap is.
 */
export function historyStatement(dataset: string, runs: readonly string[]): Statement {
  if (runs.length === 0) throw new RangeError('historyStatement needs at least one run');
  const inList = runs.map(() => '?').join(', ');
  const group = sqlColumn('group');
  const sql = `WITH worst AS (
  SELECT run, attribute, ${group} AS grp, ratio,
    row_number() OVER (
      PARTITION BY run
      ORDER BY CASE WHEN ratio = 0 THEN 1e308 ELSE abs(ln(ratio)) END DESC, attribute, ${group}
    ) AS position
  FROM ${groupMetricsTable.name}
  WHERE dataset = ? AND run IN (${inList}) AND ratio IS NOT NULL AND ratio >= 0
    AND strpos(attribute, '_x_') = 0
)
SELECT r.run AS run, r.started_at AS started_at, r.version AS version, r.reason AS reason,
  r.status AS status, r.rows_read AS rows_read, r.rows_used AS rows_used,
  w.attribute AS worst_attribute, w.grp AS worst_group, w.ratio AS worst_ratio
FROM ${runsTable.name} r
LEFT JOIN worst w ON w.run = r.run AND w.position = 1
WHERE r.dataset = ? AND r.run IN (${inList})
ORDER BY r.run`;
  const params: SqlValue[] = [dataset, ...runs, dataset, ...runs];
  return { sql, params };
}

/** The statement's rows as history lines; a value of the wrong type is a bug, thrown. */
export function toHistoryLines(rows: readonly Record<string, SqlValue>[]): HistoryLine[] {
  return rows.map((row) => {
    const text = (name: string): string => {
      const v = row[name];
      if (typeof v !== 'string') throw new TypeError(`history row: ${name} is ${typeof v}, expected text`);
      return v;
    };
    const count = (name: string): number | null => {
      const v = row[name];
      return typeof v === 'number' ? v : null;
    };
    const ratio = row['worst_ratio'];
    return {
      run: text('run'),
      startedAt: text('started_at'),
      version: text('version'),
      trigger: text('reason') as HistoryLine['trigger'],
      status: text('status') as HistoryLine['status'],
      rowsRead: count('rows_read'),
      rowsUsed: count('rows_used'),
      worst:
        typeof ratio === 'number'
          ? { attribute: text('worst_attribute'), group: text('worst_group'), ratio }
          : null,
    };
  });
}

/** The `runs` table's row of a report (dataset and run are its partition folders). */
export function runRow(report: Report): Record<string, string | number | null> {
  return {
    started_at: report.run.startedAt,
    finished_at: report.run.finishedAt,
    version: report.dataset.version,
    reason: report.run.reason,
    status: report.status,
    rows_read: report.rows.read,
    rows_used: report.rows.used,
  };
}
