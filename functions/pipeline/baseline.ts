import { StoreError, UsageError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';
import { readText } from './io.ts';

/**
 * `repscope baseline set <dataset> <run>`: pins the run later runs are also compared with (drift
 * against the baseline), in the lake at `lake/baselines/dataset=<id>/baseline.json`.
 *
 * @throws UsageError when the run has no report in the lake
 */
export async function setBaseline(store: ObjectStore, dataset: string, run: string, at: Date): Promise<void> {
  if (!(await store.head(lakeKeys.report(dataset, run)))) {
    throw new UsageError(
      `dataset '${dataset}' has no run '${run}'; expected a report at ${lakeKeys.report(dataset, run)} (repscope history ${dataset} lists the runs)`,
    );
  }
  await store.write(
    lakeKeys.baseline(dataset),
    `${JSON.stringify({ run, setAt: at.toISOString() })}\n`,
    'application/json',
  );
}

/** The pinned baseline run of a dataset, or null when none is set. */
export async function readBaseline(store: ObjectStore, dataset: string): Promise<string | null> {
  const key = lakeKeys.baseline(dataset);
  if (!(await store.head(key))) return null;
  let parsed: { run?: unknown } | null = null;
  try {
    parsed = JSON.parse(await readText(store, key)) as { run?: unknown } | null;
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
  }
  if (typeof parsed?.run !== 'string') {
    throw new StoreError(`${store.uri(key)}: a baseline without a run id; expected {"run": "<run id>"}`);
  }
  return parsed.run;
}
