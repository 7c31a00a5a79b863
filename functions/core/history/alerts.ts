import type { Report } from '../report/schema.ts';
import type { RunDrift } from './drift.ts';

/**
 * Something a data steward should look at: a run whose verdict got worse than the previous run's,
 * or an attribute whose share vector moved (TVD between runs) by more than the manifest's
 * `thresholds.maxDriftTvd`, against the previous run or the pinned baseline. Carries only ids,
 * verdicts, attribute names and figures the published copies already show: no row data.
 */
export interface Alert {
  readonly dataset: string;
  readonly run: string;
  readonly kind: 'status' | 'drift';
  readonly against: RunDrift['against'];
  /** The earlier run compared with. */
  readonly from: string;
  readonly statusBefore: Report['status'];
  readonly statusAfter: Report['status'];
  /** drift: the attribute, its TVD between the runs and the threshold it passed. */
  readonly attribute?: string;
  readonly tvd?: number;
  readonly threshold?: number;
  /** One sentence for the CLI, the banner and the SNS message. */
  readonly message: string;
}

/**
 * The alerts of one run from its drift against the previous run and (optionally) the baseline.
 * A worse verdict alerts against the previous run only (against the baseline it would repeat on
 * every later run); drift alerts against both, only when `maxDriftTvd` is set.
 */
export function alertsOf(
  dataset: string,
  drifts: readonly RunDrift[],
  maxDriftTvd: number | undefined,
): Alert[] {
  const alerts: Alert[] = [];
  for (const d of drifts) {
    const base = {
      dataset,
      run: d.to,
      against: d.against,
      from: d.from,
      statusBefore: d.statusBefore,
      statusAfter: d.statusAfter,
    };
    if (d.against === 'previous' && d.statusWorse) {
      alerts.push({
        ...base,
        kind: 'status',
        message: `${dataset}: run ${d.to} is ${d.statusAfter.toUpperCase()}, worse than ${d.statusBefore.toUpperCase()} in run ${d.from}`,
      });
    }
    if (maxDriftTvd === undefined) continue;
    for (const a of d.attributes) {
      if (a.tvd === null || !(a.tvd > maxDriftTvd)) continue;
      alerts.push({
        ...base,
        kind: 'drift',
        attribute: a.attribute,
        tvd: a.tvd,
        threshold: maxDriftTvd,
        message: `${dataset}: ${a.attribute} drifted by TVD ${a.tvd.toFixed(3)} (above ${maxDriftTvd}) since the ${d.against === 'baseline' ? 'baseline' : 'previous'} run ${d.from}`,
      });
    }
  }
  return alerts;
}
