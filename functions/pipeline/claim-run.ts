import { createHash } from 'node:crypto';
import { StoreError } from '../core/errors.ts';
import { lakeKeys, runId } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { readText } from './io.ts';
import { type RunInputs, runInputs } from './run-inputs.ts';

/** What a run is claimed for: one dataset's inputs (data objects, manifest, references, schema). */
export interface ClaimSubject {
  readonly dataset: string;
  readonly inputs: RunInputs;
}

export interface RunClaim {
  readonly run: string;
  /**
   * False when these inputs were already claimed by another execution: nothing is to be done
   * again. A retry by the owner of the claim (the same state machine execution) gets true.
   */
  readonly fresh: boolean;
  readonly claimKey: string;
}

/** A short digest of a run's inputs: the name of its claim. */
export function inputsDigest(inputs: RunInputs): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

/** Where the claim of a run's inputs lives: derived from the inputs, never from the time. */
export function claimKey(subject: ClaimSubject): string {
  return lakeKeys.claim(subject.dataset, inputsDigest(subject.inputs));
}

export interface ClaimOptions {
  /** The execution that claims; @default - nobody: every repeat is a duplicate */
  readonly owner?: string;
  /** The run id to claim with; @default - `runId(at)` with ten hex digits of the inputs' digest */
  readonly run?: string;
}

/**
 * Claims the run of a set of inputs exactly once, with a create-once write: the first claim
 * creates the claim with a fresh run id (sortable by `at`) and its owner; processing the same
 * inputs again (a duplicated or replayed event, a second `repscope run`, a scheduled rescan of an
 * unchanged dataset) finds it and gets the same run back with `fresh: false`, so it produces no
 * second run. The owner retrying a failed step is not a duplicate: it gets `fresh: true`.
 */
export async function claimRun(
  store: ObjectStore,
  subject: ClaimSubject,
  at: Date,
  options: ClaimOptions = {},
): Promise<RunClaim> {
  const key = claimKey(subject);
  const run = options.run ?? runId(at, inputsDigest(subject.inputs).slice(0, 10));
  const claim = {
    run,
    owner: options.owner ?? null,
    claimedAt: at.toISOString(),
    inputs: subject.inputs,
  };
  if (await store.writeIf(key, `${JSON.stringify(claim)}\n`, { ifAbsent: true }, 'application/json')) {
    return { run, fresh: true, claimKey: key };
  }
  const existing = await readClaim(store, key);
  const mine = options.owner !== undefined && existing.owner === options.owner;
  return { run: existing.run, fresh: mine, claimKey: key };
}

/** A claim's run id and owner; @throws StoreError when the claim names no run. */
export async function readClaim(store: ObjectStore, key: string): Promise<{ run: string; owner: unknown }> {
  let existing: { run?: unknown; owner?: unknown } | null = null;
  try {
    existing = JSON.parse(await readText(store, key)) as { run?: unknown; owner?: unknown } | null;
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
  }
  if (typeof existing?.run !== 'string') {
    throw new StoreError(`${store.uri(key)}: a run claim without a run id; expected {"run": "<run id>"}`);
  }
  return { run: existing.run, owner: existing.owner };
}

/** One uploaded object version, as an S3 event names it. */
export interface UploadedObject {
  readonly dataset: string;
  readonly key: string;
  /** The object's version id, or its ETag in an unversioned bucket: where its run is recorded. */
  readonly identity: string;
  /** The version's ETag: what the run's inputs name (the same bytes uploaded again are the same input). */
  readonly etag: string | null;
}

/**
 * Where the run of one uploaded object version is recorded, for `repscope upload --wait`: derived
 * from the key and the version id (or ETag) the uploader learns from S3.
 */
export function objectRunKey(object: Pick<UploadedObject, 'dataset' | 'key' | 'identity'>): string {
  const digest = createHash('sha256')
    .update(`${object.key}\n${object.identity.replaceAll('"', '')}`)
    .digest('hex')
    .slice(0, 32);
  return lakeKeys.objectRun(object.dataset, digest);
}

/**
 * Claims the run of an uploaded object (the profile step of an S3 event): its inputs are the object
 * (by ETag), the dataset's manifest and the references it uses. Records the run, fresh or not, at
 * the object's `objectRunKey`, so the uploader finds it.
 */
export async function claimUploadRun(
  store: ObjectStore,
  catalogue: ReferenceCatalogue,
  object: UploadedObject,
  at: Date,
  owner?: string,
): Promise<RunClaim> {
  const inputs = await runInputs(
    store,
    lakeKeys.manifest(object.dataset),
    [{ key: object.key, identity: object.etag ?? object.identity }],
    catalogue,
  );
  const claim = await claimRun(
    store,
    { dataset: object.dataset, inputs },
    at,
    owner === undefined ? {} : { owner },
  );
  await store.write(objectRunKey(object), `${JSON.stringify({ run: claim.run, claim: claim.claimKey })}\n`);
  return claim;
}
