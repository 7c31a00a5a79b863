/**
 * Typed errors for bad input and broken infrastructure. Metrics that cannot be computed are
 * values (null plus a warning), never errors. Messages name the bad value's location and what was
 * expected, and never contain row data.
 */
/** The stable codes of every error: tests, the CLI's exit codes and the error reports rely on them. */
export const ERROR_CODES = [
  'MANIFEST_INVALID',
  'MANIFEST_UNREADABLE',
  'INPUT_UNREADABLE',
  'INPUT_FORMAT',
  'COLUMN_NOT_FOUND',
  'TOO_MANY_GROUPS',
  'GZIP_INVALID',
  'GZIP_BOMB',
  'PARQUET_INVALID',
  'REFERENCE_INVALID',
  'REFERENCE_NOT_FOUND',
  /** `references add` (issue #18): each way a user's reference file can be wrong has its code. */
  'REFERENCE_SHARES_SUM',
  'REFERENCE_DUPLICATE_GROUP',
  'REFERENCE_NEGATIVE',
  'REFERENCE_UNKNOWN_GROUP',
  'REFERENCE_EXISTS',
  'QUERY_FAILED',
  'STORE_FAILED',
  'PUBLISH_FAILED',
  'NOTIFY_FAILED',
  'USAGE',
  /** A bug or an unexpected failure: the message says where to look, never what was read. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The codes of a reference population's errors. */
export type ReferenceErrorCode = Extract<ErrorCode, `REFERENCE_${string}`>;

/** For reading a code back from a message (`[CODE] …`). */
export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

export class RepscopeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RepscopeError';
    this.code = code;
  }
}

/** The manifest (repscope.yaml) is unreadable or does not match its schema. */
export class ManifestError extends RepscopeError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'MANIFEST_INVALID', message, options);
    this.name = 'ManifestError';
  }
}

/** A data file cannot be read as declared (format, encoding, compression, columns). */
export class InputError extends RepscopeError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'InputError';
  }
}

/** A reference population file is malformed, or a manifest names one that does not exist. */
export class ReferencePopulationError extends RepscopeError {
  constructor(code: ReferenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ReferenceError';
  }
}

/** The query engine (DuckDB locally, Athena in AWS) failed to run a statement. */
export class QueryError extends RepscopeError {
  /**
   * Whether running the statement again may succeed: the engine said so (Athena's `Retryable`), or
   * the engine could not be reached. A statement the engine rejected is not.
   */
  readonly retryable: boolean;
  /** The engine's own words on the failure: for logs and operators, never for published reports. */
  readonly reason: string | undefined;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean; reason?: string }) {
    super('QUERY_FAILED', message, options);
    this.name = 'QueryError';
    this.retryable = options?.retryable ?? false;
    this.reason = options?.reason;
  }
}

/** The object store (filesystem locally, S3 in AWS) failed to read or write. */
export class StoreError extends RepscopeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_FAILED', message, options);
    this.name = 'StoreError';
  }
}

/** An alert could not be sent (the SNS topic refused or could not be reached). */
export class NotifyError extends RepscopeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOTIFY_FAILED', message, options);
    this.name = 'NotifyError';
  }
}

/** Why a site could not be published. Stable codes for callers that map errors. */
export type PublishErrorCode =
  | 'INDEX_CONFLICT'
  | 'REPORT_NOT_SUPPRESSED'
  | 'REPORT_INVALID'
  | 'INVALID_ID'
  | 'DUPLICATE_RUN'
  | 'UNSAFE_SVG';

/**
 * The publish stage or the site renderer refused its input: publishing it would leak small
 * cells, escape the site folder, or embed markup it cannot vouch for. Here rather than in web/
 * so the stage and the handlers map it without loading the renderer. Messages name the dataset
 * and run, never row data.
 */
export class PublishError extends RepscopeError {
  readonly reason: PublishErrorCode;
  constructor(reason: PublishErrorCode, message: string, options?: { cause?: unknown }) {
    super('PUBLISH_FAILED', message, options);
    this.name = 'PublishError';
    this.reason = reason;
  }
}

/** The command line was used wrongly. */
export class UsageError extends RepscopeError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}
