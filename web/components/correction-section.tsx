import { WITHHELD_TEXT } from '../../functions/core/privacy/messages.ts';
import type { Correction } from '../../functions/core/report/schema.ts';
import { formatCount, formatList, formatNumber } from '../format.ts';

/**
 * The raking summary in plain words: what weighting the rows to the reference would cost (design
 * effect, and what the rows would be worth), whether it converged, and how far the weights spread.
 */
export function CorrectionSection({
  correction: c,
  withheld,
}: {
  readonly correction: Correction;
  /** True when the published copy withheld parts of the summary (`privacy.withheld` says so). */
  readonly withheld: boolean;
}) {
  const attributes = formatList(c.attributes);
  return (
    <section aria-labelledby="correction">
      <h2 id="correction">Correction</h2>
      <p>{costSentence(c, attributes, withheld)}</p>
      <p>
        {c.converged
          ? `Raking converged${iterations(c)} (largest remaining margin error ${formatError(c.maxMarginError)}).`
          : `Raking did not converge${iterations(c)} (largest remaining margin error ${formatError(c.maxMarginError)}): the weights are approximate.`}
      </p>
      <p>{weightSentence(c, withheld)}</p>
      {c.reason === undefined ? null : <p class="muted">Note: {c.reason}</p>}
    </section>
  );
}

/** `… would cost a design effect of 1.82, i.e. the data would be worth 55 % of its rows …`. */
function costSentence(c: Correction, attributes: string, withheld: boolean): string {
  const what = `Weighting the ${formatCount(c.rows)} rows to the reference shares of ${attributes} (raking)`;
  if (c.designEffect === null) {
    return withheld ? WITHHELD_TEXT.designEffect(what) : `${what}: the design effect could not be computed.`;
  }
  const worth = c.designEffect > 0 ? ` (${Math.round(100 / c.designEffect)} % of its rows)` : '';
  const ess =
    c.effectiveSampleSize === null
      ? ''
      : `, i.e. the data would be worth ${formatCount(Math.round(c.effectiveSampleSize))} rows${worth}`;
  return `${what} would cost a design effect of ${formatNumber(c.designEffect, 2)}${ess}.`;
}

function weightSentence(c: Correction, withheld: boolean): string {
  const cap =
    c.cap === null
      ? 'No cap was set.'
      : `Weights were capped at ${formatNumber(c.cap, 2)}${c.capped ? ' (some reached the cap and the rest were re-raked)' : ' (none reached it)'}.`;
  if (c.minWeight === null || c.maxWeight === null) {
    const why = withheld ? WITHHELD_TEXT.weightRange : 'The range of the weights is not available.';
    return `${why} ${cap}`;
  }
  return `Row weights range from ${formatNumber(c.minWeight, 2)} to ${formatNumber(c.maxWeight, 2)}. ${cap}`;
}

/** ` in 12 iterations`, or nothing when the published copy withholds the number. */
function iterations(c: Correction): string {
  return c.iterations === null ? '' : ` in ${c.iterations} iterations`;
}

function formatError(error: number | null): string {
  if (error === null) return 'not available';
  return error !== 0 && Math.abs(error) < 0.001 ? error.toExponential(1) : formatNumber(error, 3);
}
