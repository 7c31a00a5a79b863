/**
 * aws-local-stepfunctions' `retryIntervalOverrides` for a definition: every Task state (those in a
 * Map's item processor included) retries at once, so tests of retries take no time. Derived from
 * the definition, so a new state needs no edit in the tests.
 */
export function noRetryWaits(definition: Record<string, unknown>): Record<string, number> {
  const waits: Record<string, number> = {};
  const visit = (states: unknown) => {
    for (const [name, state] of Object.entries((states ?? {}) as Record<string, Record<string, unknown>>)) {
      if (state['Type'] === 'Task') waits[name] = 0;
      const processor = (state['ItemProcessor'] ?? state['Iterator']) as { States?: unknown } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(definition['States']);
  return waits;
}
