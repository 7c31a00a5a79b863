import { lakeKeys } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { Profile } from '../core/profile/profile.ts';
import type { ProfiledRun } from './analyse.ts';
import { readText } from './io.ts';

/**
 * The hand-over between the two halves of a run when they run in two Lambdas (profile or merge,
 * then compare): the profile is the run's own `profile.json` in the lake, the rest of
 * {@link ProfiledRun} a staging file beside the run's other work files. The state machine carries
 * only the job.
 */
const PROFILED = 'profiled.json';

export async function stageProfiledRun(
  store: ObjectStore,
  dataset: string,
  run: string,
  profiled: ProfiledRun,
): Promise<void> {
  await store.write(lakeKeys.staging(dataset, run, PROFILED), JSON.stringify(profiled), 'application/json');
}

/** The staged run and its profile, as the profile half wrote them. Throws StoreError when either is absent. */
export async function readProfiledRun(
  store: ObjectStore,
  dataset: string,
  run: string,
): Promise<{ profiled: ProfiledRun; profile: Profile }> {
  const profiled = JSON.parse(await readText(store, lakeKeys.staging(dataset, run, PROFILED))) as ProfiledRun;
  const profile = JSON.parse(await readText(store, lakeKeys.profile(dataset, run), 256 << 20)) as Profile;
  return { profiled, profile };
}
