import { lakeKeys } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { Profile } from '../core/profile/profile.ts';
import type { ProfiledRun } from './analyse.ts';
import { readText } from './io.ts';

/**
 * The hand-over between the two halves of a run when they run in two Lambdas (profile or merge,
 * then compare): the profile is the run's own `profile.json` in the lake, the rest of
 * {@link ProfiledRun} the run's profiled record beside it (`lakeKeys.profiledRun`). Both are kept,
 * unlike the work files under `lake/staging/`, so a rescan can compare the run's counts again
 * after its raw upload expired (recompare.ts). The state machine carries only the job.
 */
export async function stageProfiledRun(
  store: ObjectStore,
  dataset: string,
  run: string,
  profiled: ProfiledRun,
): Promise<void> {
  await store.write(lakeKeys.profiledRun(dataset, run), JSON.stringify(profiled), 'application/json');
}

/** A run's profiled record, as the profile half wrote it. Throws StoreError when it is absent. */
export async function readProfiledRecord(
  store: ObjectStore,
  dataset: string,
  run: string,
): Promise<ProfiledRun> {
  return JSON.parse(await readText(store, lakeKeys.profiledRun(dataset, run))) as ProfiledRun;
}

/** The run's profiled record and its profile, as the profile half wrote them. Throws StoreError when either is absent. */
export async function readProfiledRun(
  store: ObjectStore,
  dataset: string,
  run: string,
): Promise<{ profiled: ProfiledRun; profile: Profile }> {
  const profiled = await readProfiledRecord(store, dataset, run);
  const profile = JSON.parse(await readText(store, lakeKeys.profile(dataset, run), 256 << 20)) as Profile;
  return { profiled, profile };
}
