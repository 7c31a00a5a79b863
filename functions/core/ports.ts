/**
 * Ports: the interfaces the core and the pipeline need from the outside world, shaped by the
 * domain rather than by a vendor API. S3 and the filesystem implement ObjectStore; Athena and
 * DuckDB implement QueryEngine; the streaming reader and a GROUPING SETS query implement Profiler.
 */
import type { SqlDialect } from './profile/grouping-sets-dialect.ts';
import type { CountingPlan } from './profile/plan.ts';
import type { Profile } from './profile/profile.ts';
import type { Compression, DataFormat } from './scan/format.ts';

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
  /**
   * How this engine spells what DuckDB and Trino (Athena) spell differently; statements that need
   * it (the GROUPING SETS profile of a table) are rendered with it.
   */
  readonly dialect: SqlDialect;
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

/** One data file for a Profiler: a key in the object store and what it holds. */
export interface ProfileSource {
  readonly key: string;
  /** Shown in messages: the path the user gave, or the key. */
  readonly name: string;
  readonly format: DataFormat;
  readonly compression: Compression;
  readonly bytes: number;
}

export interface ProfilerOptions {
  /** The manifest's `csv` options, as declared. */
  readonly csv: { readonly delimiter?: string; readonly header?: boolean; readonly encoding?: string };
  /** Called with what was read since the last call (bytes of the source, records). */
  readonly onProgress: (progress: { readonly bytes: number; readonly rows: number }) => void;
}

export interface ProfiledSource {
  readonly profile: Profile;
  /** Columns the file declares (CSV header, Parquet schema); empty when the format does not say. */
  readonly header: readonly string[];
  /** SHA-256 of the bytes, when the profiler saw every byte in order; else provenance uses the etag. */
  readonly sha256?: string;
}

/**
 * Runs a counting plan over one data file. The streaming profiler reads the bytes (on threads, or
 * later on Lambdas over byte ranges); a SQL profiler renders the plan as one GROUPING SETS query
 * where the data already is (DuckDB here, Athena in AWS). Both give the same Profile, so the
 * stages never know which ran.
 */
export interface Profiler {
  profile(plan: CountingPlan, source: ProfileSource, options: ProfilerOptions): Promise<ProfiledSource>;
}

/**
 * What an alert message says: ids, verdicts, attribute names and figures the published copies
 * already show (history/alerts.ts's `Alert`), never row data.
 */
export interface AlertNotice {
  readonly dataset: string;
  readonly run: string;
  readonly kind: 'status' | 'drift';
  readonly against: 'previous' | 'baseline';
  readonly from: string;
  readonly statusBefore: string;
  readonly statusAfter: string;
  readonly attribute?: string;
  readonly tvd?: number;
  readonly threshold?: number;
  readonly message: string;
}

/** Tells people about alerts: an SNS topic in AWS; locally the CLI prints them instead. */
export interface Notifier {
  notify(alerts: readonly AlertNotice[]): Promise<void>;
}
