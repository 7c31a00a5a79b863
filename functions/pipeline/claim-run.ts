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
  /** False when an earlier event already claimed this object: nothing is to be done again. */
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
 * the object's identity); a duplicated or replayed event finds it and gets the same run back with
 * `fresh: false`, so it produces no second run.
 */
export async function claimRun(store: ObjectStore, subject: ClaimSubject, at: Date): Promise<RunClaim> {
  const key = claimKey(subject);
  const suffix = key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 11);
  const run = runId(at, suffix);
  const body = `${JSON.stringify({ run, key: subject.key, identity: subject.identity, claimedAt: at.toISOString() })}\n`;
  if (await store.writeIf(key, body, { ifAbsent: true }, 'application/json')) {
    return { run, fresh: true, claimKey: key };
  }
  const existing = JSON.parse(await readText(store, key)) as { run?: unknown };
  if (typeof existing.run !== 'string') {
    throw new StoreError(`${store.uri(key)}: a run claim without a run id; expected {"run": "<run id>"}`);
  }
  return { run: existing.run, fresh: false, claimKey: key };
}
