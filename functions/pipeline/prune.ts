import { lakeKeys, parseLakeKey, sitePath } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';
import { readBaseline } from './baseline.ts';
import { readClaim } from './claim-run.ts';

/** Removes one object; what the local lake (and only it) offers besides the ObjectStore port. */
export interface Remover {
  remove(key: string): Promise<void>;
}

export interface PruneResult {
  /** Per dataset, the runs removed, oldest first. */
  readonly removed: readonly { readonly dataset: string; readonly runs: readonly string[] }[];
  readonly files: number;
}

/**
 * `repscope prune --keep <n>`: keeps the newest `keep` runs of every dataset (and its pinned
 * baseline, whatever its age) and removes the other runs' lake files (every table partition,
 * report, profile, staging), their site pages and the claims that name them, so the same inputs
 * later make a new run instead of pointing at a removed one. Raw uploads are left alone: they
 * expire by their own retention. The caller publishes afterwards, so the pages list what is left.
 */
export async function pruneRuns(store: ObjectStore & Remover, keep: number): Promise<PruneResult> {
  const byDataset = new Map<string, Set<string>>();
  for (const o of await store.list(lakeKeys.reportsPrefix)) {
    const k = parseLakeKey(o.key);
    if (k) byDataset.set(k.dataset, (byDataset.get(k.dataset) ?? new Set()).add(k.run));
  }
  const removed: { dataset: string; runs: string[] }[] = [];
  let files = 0;
  for (const [dataset, runSet] of [...byDataset].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const runs = [...runSet].sort();
    const baseline = await readBaseline(store, dataset);
    const gone = runs.slice(0, Math.max(0, runs.length - keep)).filter((r) => r !== baseline);
    if (gone.length === 0) continue;
    const goneSet = new Set(gone);
    for (const o of await store.list('lake/')) {
      const k = parseLakeKey(o.key);
      if (k?.dataset === dataset && goneSet.has(k.run)) files += await removed1(store, o.key);
    }
    for (const run of gone) {
      const runPage = `${lakeKeys.site}${sitePath.run(dataset, run)}`;
      const folder = runPage.slice(0, runPage.lastIndexOf('/') + 1);
      for (const o of await store.list(folder)) files += await removed1(store, o.key);
    }
    for (const o of await store.list(`lake/claims/dataset=${dataset}/`)) {
      if (goneSet.has((await readClaim(store, o.key)).run)) files += await removed1(store, o.key);
    }
    removed.push({ dataset, runs: gone });
  }
  return { removed, files };
}

async function removed1(store: Remover, key: string): Promise<number> {
  await store.remove(key);
  return 1;
}
