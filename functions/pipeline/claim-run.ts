import { createHash } from 'node:crypto';
import { StoreError } from '../core/errors.ts';
import { lakeKeys, runId } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';
import { readText } from './io.ts';

/** What a run is claimed for: one version of one uploaded object. */
export interface ClaimSubject {
  readonly dataset: string;
  readonly key: string;
  /** The object's version id, or its ETag in an unversioned bucket. */
  readonly identity: string;
}

export interface RunClaim {
  readonly run: string;
  /**
   * False when another execution already claimed this object: nothing is to be done again. A
   * retry by the owner of the claim (the same state machine execution) gets true.
   */
  readonly fresh: boolean;
  readonly claimKey: string;
}

/** Where the claim of an object lives: derived from the object, never from the event's time. */
export function claimKey(subject: ClaimSubject): string {
  const digest = createHash('sha256')
    .update(`${subject.key}\n${subject.identity}`)
    .digest('hex')
    .slice(0, 32);
  return lakeKeys.claim(subject.dataset, digest);
}

/**
 * Claims the run of an uploaded object exactly once, with a create-once write: the first event
 * for an object version creates the claim with a fresh run id (sortable time plus a suffix from
 * the object's identity) and its owner (the state machine execution); a duplicated or replayed
 * event, in another execution, finds it and gets the same run back with `fresh: false`, so it
 * produces no second run. The owner retrying a failed step is not a duplicate: it gets `fresh:
 * true` and carries on.
 *
 * @param owner - who claims (the execution id); @default - nobody: every repeat is a duplicate
 */
export async function claimRun(
  store: ObjectStore,
  subject: ClaimSubject,
  at: Date,
  owner?: string,
): Promise<RunClaim> {
  const key = claimKey(subject);
  const suffix = key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 11);
  const run = runId(at, suffix);
  const claim = {
    run,
    owner: owner ?? null,
    key: subject.key,
    identity: subject.identity,
    claimedAt: at.toISOString(),
  };
  if (await store.writeIf(key, `${JSON.stringify(claim)}\n`, { ifAbsent: true }, 'application/json')) {
    return { run, fresh: true, claimKey: key };
  }
  const existing = JSON.parse(await readText(store, key)) as { run?: unknown; owner?: unknown };
  if (typeof existing.run !== 'string') {
    throw new StoreError(`${store.uri(key)}: a run claim without a run id; expected {"run": "<run id>"}`);
  }
  const mine = owner !== undefined && existing.owner === owner;
  return { run: existing.run, fresh: mine, claimKey: key };
}
