/**
 * Ports: the interfaces the core and the pipeline need from the outside world, shaped by the
 * domain rather than by a vendor API. S3 and the filesystem implement ObjectStore; Athena and
 * DuckDB implement QueryEngine.
 */

/** A byte range, end exclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface ObjectInfo {
  readonly key: string;
  readonly bytes: number;
  /** S3 ETag or a content hash; changes when the object changes. */
  readonly etag: string;
}

/**
 * When a conditional write may go ahead: `ifAbsent` creates an object only when the key is free
 * (a run claimed once, whatever the number of events for it); `ifEtag` replaces an object only
 * when it is still the version that was read (shared files such as the site index), so two
 * writers never lose each other's changes.
 */
export type WriteCondition = { readonly ifAbsent: true } | { readonly ifEtag: string };

export interface ObjectStore {
  /** Streams the object (or a byte range of it). Throws StoreError naming the key when absent. */
  read(key: string, range?: ByteRange): AsyncIterable<Uint8Array>;
  /** Metadata, or undefined when the key does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Writes the whole object atomically: readers see the old or the new body, never a part. */
  write(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /**
   * Writes the whole object only when `condition` holds at the moment of writing, atomically with
   * that check. Returns false, writing nothing, when it does not hold.
   */
  writeIf(
    key: string,
    body: Uint8Array | string,
    condition: WriteCondition,
    contentType?: string,
  ): Promise<boolean>;
  /** Keys under a prefix, in lexicographic order. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** A URI naming the object for humans and provenance (s3://…, file://…). */
  uri(key: string): string;
}

export type SqlValue = string | number | boolean | null;

export interface QueryEngine {
  /** Runs one statement with positional parameters ($1, $2 … or ?) and returns plain rows. */
  rows(sql: string, params?: readonly SqlValue[]): Promise<Record<string, SqlValue>[]>;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  info(message: string, fields?: Record<string, string | number | boolean>): void;
  warn(message: string, fields?: Record<string, string | number | boolean>): void;
  error(message: string, fields?: Record<string, string | number | boolean>): void;
}
