import { RUN_ID_PATTERN } from '../core/lake/layout.ts';
import { DATASET_ID_PATTERN } from '../core/manifest/patterns.ts';

/**
 * What the rescan handler starts the run's state machine with for a due dataset whose uploads
 * expired: the dataset and the kept run whose profile is to be compared again. The profile step
 * claims the run (a duplicate when nothing but the expired data changed) and hands the kept
 * profile to Compare, so no state of the definition reads data for it.
 */
export interface RecompareEvent {
  readonly 'detail-type': typeof RECOMPARE_DETAIL_TYPE;
  readonly source: typeof RECOMPARE_SOURCE;
  readonly time: string;
  readonly detail: {
    readonly bucket: { readonly name: string };
    readonly dataset: string;
    /** The kept run the rescan found; the profile step looks again, in case a newer one was kept since. */
    readonly from: string;
  };
}

const RECOMPARE_DETAIL_TYPE = 'Repscope Recompare';
const RECOMPARE_SOURCE = 'repscope';

export function recompareEvent(
  bucket: string,
  due: { readonly dataset: string; readonly from: string },
  time: string,
): RecompareEvent {
  return {
    'detail-type': RECOMPARE_DETAIL_TYPE,
    source: RECOMPARE_SOURCE,
    time,
    detail: { bucket: { name: bucket }, dataset: due.dataset, from: due.from },
  };
}

/** A recompare event's fields, or undefined when the event is not one (or names no valid ids). */
export function parseRecompareEvent(
  event: unknown,
): { bucket: string; dataset: string; from: string; time: string | null } | undefined {
  const e = event as Partial<RecompareEvent> | null;
  if (e === null || typeof e !== 'object') return undefined;
  if (e.source !== RECOMPARE_SOURCE || e['detail-type'] !== RECOMPARE_DETAIL_TYPE) return undefined;
  const bucket = e.detail?.bucket?.name;
  const dataset = e.detail?.dataset;
  const from = e.detail?.from;
  if (typeof bucket !== 'string' || typeof dataset !== 'string' || typeof from !== 'string') return undefined;
  if (!DATASET_ID_PATTERN.test(dataset) || !RUN_ID_PATTERN.test(from)) return undefined;
  return { bucket, dataset, from, time: typeof e.time === 'string' ? e.time : null };
}
