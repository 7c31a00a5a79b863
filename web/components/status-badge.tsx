import type { Verdict } from '../../functions/core/report/schema.ts';

/** A verdict or check status as a coloured badge whose text says the status (not colour alone). */
export function StatusBadge({
  status,
  large = false,
}: {
  readonly status: Verdict;
  readonly large?: boolean;
}) {
  return <span class={`badge badge-${status}${large ? ' badge-large' : ''}`}>{status}</span>;
}
