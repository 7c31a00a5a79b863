import { QueryError, RepscopeError } from '../core/errors.ts';

/**
 * Wraps a handler so that a RepscopeError reaches Step Functions with its stable code in the
 * message (`[INPUT_FORMAT] …`): Lambda passes on only the error's name and message, and the
 * failure step writes the code into the error report. A query the engine rejected is renamed
 * `QueryRejectedError`, so the state machine's retry (on `QueryError`) leaves it alone.
 */
export function withErrorCodes<I, O>(handler: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await handler(input);
    } catch (error) {
      if (error instanceof RepscopeError && !error.message.startsWith(`[${error.code}] `)) {
        error.message = `[${error.code}] ${error.message}`;
      }
      if (error instanceof QueryError && !error.retryable) error.name = 'QueryRejectedError';
      throw error;
    }
  };
}
