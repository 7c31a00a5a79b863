/** What {@link worstCells} needs of a cell; other fields (the group, counts …) are kept. */
export type RankableCell = {
  /** Benjamini–Hochberg adjusted p-value, or null when the test was not run. */
  readonly pAdjusted: number | null;
  /** Observed share over expected share, or null when it does not exist. */
  readonly ratio: number | null;
};

/** Sort key: finite p first, ascending; then the larger |ln ratio|; nulls last at each level. */
function compare(a: RankableCell, b: RankableCell): number {
  const pa = a.pAdjusted !== null && Number.isFinite(a.pAdjusted) ? a.pAdjusted : null;
  const pb = b.pAdjusted !== null && Number.isFinite(b.pAdjusted) ? b.pAdjusted : null;
  if (pa === null || pb === null) {
    if (pa !== pb) return pa === null ? 1 : -1;
  } else if (pa !== pb) {
    return pa - pb;
  }
  const la = gap(a.ratio);
  const lb = gap(b.ratio);
  if (la === null || lb === null) return la === lb ? 0 : la === null ? 1 : -1;
  return lb - la;
}

/** |ln ratio|: how far from parity in either direction; +∞ for an empty cell (ratio 0). */
function gap(ratio: number | null): number | null {
  if (ratio === null || Number.isNaN(ratio) || ratio < 0) return null;
  return Math.abs(Math.log(ratio));
}

/**
 * The k intersection cells with the strongest evidence of mis-representation: ordered by adjusted
 * p-value ascending, then by |ln ratio| descending (a ratio of 1/2 and one of 2 are equally far
 * from parity; an empty cell, ratio 0, is the farthest), with null p-values and null ratios last
 * and the input order kept among exact ties (a stable sort). Checked against Python's `sorted`
 * with the same key (tests/oracles/raking_oracle.py).
 *
 * @param k - how many cells to return; floored, and all cells when k ≥ their number
 * @throws RangeError when k is NaN or negative
 */
export function worstCells<T extends RankableCell>(cells: readonly T[], k: number): T[] {
  if (Number.isNaN(k) || k < 0) throw new RangeError(`worstCells: k must be a number >= 0, received ${k}`);
  return cells
    .map((cell, index) => ({ cell, index }))
    .sort((a, b) => compare(a.cell, b.cell) || a.index - b.index)
    .slice(0, Math.min(cells.length, Math.floor(k)))
    .map(({ cell }) => cell);
}
