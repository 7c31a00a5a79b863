import { runOrder } from '../privacy/runs.ts';
import type { Report } from '../report/schema.ts';
import { type Alert, alertsOf } from './alerts.ts';
import { type RunDrift, runDrift } from './drift.ts';

/** One attribute of one run on the dataset page's trend charts. */
export interface AttributePoint {
  readonly attribute: string;
  /** TVD against the reference, as the run's report gives it (null when hidden or not computed). */
  readonly tvd: number | null;
  /** The visible group whose ratio is furthest from 1 (|ln ratio|; a ratio of 0 first). */
  readonly worst: { readonly group: string; readonly ratio: number } | null;
}

export interface HistoryPoint {
  readonly run: string;
  readonly startedAt: string;
  readonly version: string;
  readonly reason: Report['run']['reason'];
  readonly status: Report['status'];
  readonly attributes: readonly AttributePoint[];
}

/** Everything the dataset page shows about a dataset's past, computed before rendering. */
export interface DatasetHistory {
  readonly dataset: string;
  /** Oldest first. */
  readonly points: readonly HistoryPoint[];
  /** The pinned baseline run, when one is set and still in the lake. */
  readonly baseline: string | null;
  /** For each run after the first: against the previous run, then against the baseline. */
  readonly drifts: readonly RunDrift[];
  /** Every run's alerts, oldest run first. */
  readonly alerts: readonly Alert[];
}

/**
 * A dataset's history from its reports. Given the published (suppressed) copies, as the pipeline
 * passes them, every figure is one the copies show, so the page publishes nothing the run pages
 * do not (docs/PRIVACY.md). Runs sort by start time, then id.
 */
export function buildDatasetHistory(
  dataset: string,
  reports: readonly Report[],
  baselineRun: string | null,
): DatasetHistory {
  const runs = [...reports].sort(runOrder);
  const baseline = runs.find((r) => r.run.id === baselineRun);
  const drifts: RunDrift[] = [];
  const alerts: Alert[] = [];
  runs.forEach((report, i) => {
    const previous = runs[i - 1];
    const own: RunDrift[] = [];
    if (previous) own.push(runDrift(previous, report, 'previous'));
    if (baseline && baseline !== report && baseline !== previous && runs.indexOf(baseline) < i) {
      own.push(runDrift(baseline, report, 'baseline'));
    }
    drifts.push(...own);
    alerts.push(...alertsOf(dataset, own, report.thresholds.maxDriftTvd));
  });
  return {
    dataset,
    points: runs.map(pointOf),
    baseline: baseline?.run.id ?? null,
    drifts,
    alerts,
  };
}

function pointOf(report: Report): HistoryPoint {
  return {
    run: report.run.id,
    startedAt: report.run.startedAt,
    version: report.dataset.version,
    reason: report.run.reason,
    status: report.status,
    attributes: report.attributes.map((a) => ({
      attribute: a.name,
      tvd: a.distances.tvd,
      worst: worstGroup(a.groups),
    })),
  };
}

function worstGroup(groups: Report['attributes'][number]['groups']): { group: string; ratio: number } | null {
  let worst: { group: string; ratio: number; distance: number } | null = null;
  for (const g of groups) {
    if (g.ratio === null || g.ratio < 0) continue;
    const distance = g.ratio === 0 ? Number.POSITIVE_INFINITY : Math.abs(Math.log(g.ratio));
    if (worst === null || distance > worst.distance) worst = { group: g.group, ratio: g.ratio, distance };
  }
  return worst && { group: worst.group, ratio: worst.ratio };
}

/** The alerts of one run. */
export function alertsOfRun(history: DatasetHistory, run: string): Alert[] {
  return history.alerts.filter((a) => a.run === run);
}
