import { DATASET_ID_PATTERN } from '../core/manifest/patterns.ts';

/**
 * The S3 "Object Created" event as EventBridge delivers it (only the fields repscope reads).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
export interface ObjectCreatedEvent {
  readonly 'detail-type': string;
  readonly source: string;
  readonly time?: string;
  readonly detail: {
    readonly bucket: { readonly name: string };
    readonly object: {
      readonly key: string;
      readonly size?: number;
      readonly etag?: string;
      readonly 'version-id'?: string;
    };
    /**
     * Set by repscope's rescan handler on the events it makes for the latest object of a scheduled
     * dataset (S3 never sets it): the run's trigger is then `schedule`.
     */
    readonly 'repscope-trigger'?: 'schedule';
  };
}

/** An uploaded data file of a dataset version: `datasets/<dataset>/<version>/<file>`. */
export interface Upload {
  readonly bucket: string;
  /** The decoded key. */
  readonly key: string;
  readonly dataset: string;
  readonly version: string;
  readonly file: string;
  readonly bytes: number | null;
  /** The object's version id (versioned bucket) or, failing that, its ETag: what a run is claimed by. */
  readonly identity: string;
  /** The version's ETag: the run reads only this version (see pipeline/pinned-store.ts). */
  readonly etag: string | null;
  /** When S3 created the object (the event's time), ISO 8601. */
  readonly createdAt: string | null;
  /** Why the run happens: an upload, or a scheduled rescan (the rescan handler's events). */
  readonly trigger: 'upload' | 'schedule';
}

export type Trigger =
  | { readonly kind: 'upload'; readonly upload: Upload }
  | { readonly kind: 'ignored'; readonly reason: string };

/** An uploaded manifest, `datasets/<dataset>/repscope.yaml`: a run when it registers a table. */
export interface ManifestUpload {
  readonly bucket: string;
  readonly key: string;
  readonly dataset: string;
  /** The object's version id or, failing that, its ETag: what a table run is claimed by. */
  readonly identity: string;
  readonly createdAt: string | null;
  /** `schedule` when the rescan handler announced it (`repscope-trigger`), else `upload`. */
  readonly trigger: 'upload' | 'schedule';
}

export type DatasetTrigger = Trigger | { readonly kind: 'manifest'; readonly manifest: ManifestUpload };

const ignored = (reason: string): Trigger => ({ kind: 'ignored', reason });

/** Reads an event as {@link parseDatasetEvent} does, with a manifest ignored: data files only. */
export function parseObjectCreated(event: unknown): Trigger {
  const trigger = parseDatasetEvent(event);
  return trigger.kind === 'manifest' ? ignored('a manifest, not a data file') : trigger;
}

/**
 * Reads an EventBridge S3 event into the upload it announces — a data file, or a dataset's
 * manifest — or says why it is ignored: not an Object Created event, a key that is not valid URL
 * encoding, a key outside `datasets/<id>/<version>/<file>` and `datasets/<id>/repscope.yaml`
 * (deeper paths included), or a key with `.`/`..` segments or control characters after decoding.
 * Reasons never quote the key (it can hold personal data in a file name); the handler logs the
 * dataset id when there is one.
 */
export function parseDatasetEvent(event: unknown): DatasetTrigger {
  const e = event as Partial<ObjectCreatedEvent> | null;
  if (e === null || typeof e !== 'object') return ignored('the event is not an object');
  if (e.source !== 'aws.s3' || e['detail-type'] !== 'Object Created') {
    return ignored(
      `not an S3 Object Created event (source ${String(e.source)}, detail-type ${String(e['detail-type'])})`,
    );
  }
  const bucket = e.detail?.bucket?.name;
  const object = e.detail?.object;
  if (typeof bucket !== 'string' || typeof object?.key !== 'string') {
    return ignored('the event has no detail.bucket.name or detail.object.key');
  }
  let key: string;
  try {
    key = decodeKey(object.key);
  } catch {
    return ignored('the object key is not valid URL encoding');
  }
  // C0 and C1 controls, and bidirectional overrides that make a file name read as another.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\\]/.test(key))
    return ignored('the object key holds control or bidirectional-override characters or a backslash');
  const parts = key.split('/');
  if (parts.some((p) => p === '.' || p === '..')) return ignored('the object key has . or .. segments');
  if (parts[0] !== 'datasets') return ignored('the object is outside datasets/');
  const [, dataset, version, file] = parts;
  if (dataset === undefined || !DATASET_ID_PATTERN.test(dataset)) {
    return ignored('the key does not name a dataset id matching [a-z0-9][a-z0-9-]{0,62}');
  }
  const identity = object['version-id'] ?? object.etag;
  const createdAt = typeof e.time === 'string' ? e.time : null;
  const trigger = e.detail?.['repscope-trigger'] === 'schedule' ? 'schedule' : 'upload';
  if (parts.length === 3 && version === 'repscope.yaml') {
    if (!identity) return ignored('the event has neither detail.object.version-id nor detail.object.etag');
    return { kind: 'manifest', manifest: { bucket, key, dataset, identity, createdAt, trigger } };
  }
  if (parts.length !== 4 || !version || !file) {
    return ignored('the key is not datasets/<dataset>/<version>/<file>');
  }
  if (file.startsWith('.')) return ignored('a hidden file');
  if (!identity) return ignored('the event has neither detail.object.version-id nor detail.object.etag');
  return {
    kind: 'upload',
    upload: {
      bucket,
      key,
      dataset,
      version,
      file,
      bytes: typeof object.size === 'number' ? object.size : null,
      identity,
      etag: object.etag ?? null,
      createdAt,
      trigger,
    },
  };
}

/**
 * The key as S3 stored it, from `detail.object.key`. S3 documents the key of its event payloads as
 * form-encoded: "The object key name value is URL encoded. For example, "red flower.jpg" becomes
 * "red+flower.jpg" (Amazon S3 returns "application/x-www-form-urlencoded" as the content type in
 * the response)." (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 * The EventBridge page (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html#ev-events-detail)
 * describes `object` only as "Information about the Amazon S3 object involved in the event",
 * with keys such as `example-key` that need no encoding; it neither says the key is encoded nor
 * that it is not. AWS's own parser of these events, Powertools for Python, reads it as
 * form-encoded too (`S3EventBridgeNotificationObject.key` returns `unquote_plus(key)`), and so
 * does this: `+` is a space (a `+` in the key arrives as `%2B`), then `%xx` are UTF-8 bytes.
 * A `%` without two hex digits after it, or bytes that are not UTF-8, throw (the event is ignored
 * with that reason) rather than being guessed at.
 */
export function decodeKey(encoded: string): string {
  return decodeURIComponent(encoded.replaceAll('+', ' '));
}
