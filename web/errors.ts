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
export class PublishError extends Error {
  readonly code: PublishErrorCode;
  constructor(code: PublishErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
    this.code = code;
  }
}
