import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../functions/handlers/publish.ts';

describe('errorOf: a failed step as the error report states it', () => {
  it('keeps a repscope error’s code and message from Lambda’s JSON cause, without its trace', () => {
    const error = errorOf({
      Error: 'ManifestError',
      Cause: JSON.stringify({
        errorType: 'ManifestError',
        errorMessage: '[MANIFEST_INVALID] datasets/a/repscope.yaml: attributes: expected an array',
        trace: ['ManifestError: …', '    at parseManifest (/var/task/index.mjs:1:2)'],
      }),
    });
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toBe('datasets/a/repscope.yaml: attributes: expected an array');
  });

  it('reads a plain-text cause too (a task run in place)', () => {
    expect(errorOf({ Error: 'InputError', Cause: '[GZIP_INVALID] data.csv.gz: not gzip' }).code).toBe(
      'GZIP_INVALID',
    );
  });

  it('keeps only the name of anything else, whose message may quote anything', () => {
    const error = errorOf({
      Error: 'TypeError',
      Cause: JSON.stringify({
        errorMessage: "Cannot read properties of undefined (reading 'alice@example.com')",
      }),
    });
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe(
      "the run stopped on an unexpected error (TypeError); the pipeline's logs say more",
    );
    expect(errorOf({ Error: 'States.Timeout', Cause: 'Task timed out after 900 seconds' }).message).toBe(
      'a step of the run timed out',
    );
    expect(errorOf(undefined).code).toBe('INTERNAL');
  });
});
