import { RepscopeError } from '../functions/core/errors.ts';

/** Why a site could not be rendered. Stable codes for callers that map errors. */
export type PublishErrorCode =
  | 'REPORT_NOT_SUPPRESSED'
  | 'REPORT_INVALID'
  | 'INVALID_ID'
  | 'DUPLICATE_RUN'
  | 'UNSAFE_SVG';

/**
 * The site renderer refused its input: publishing it would leak small cells, escape the site
 * folder, or embed markup it cannot vouch for. Messages name the dataset and run, never row data.
 */
export class PublishError extends RepscopeError {
  readonly reason: PublishErrorCode;
  constructor(reason: PublishErrorCode, message: string, options?: { cause?: unknown }) {
    super('PUBLISH_FAILED', message, options);
    this.name = 'PublishError';
    this.reason = reason;
  }
}
