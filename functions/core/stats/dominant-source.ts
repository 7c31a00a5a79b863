/** One source's contribution, in {@link DominantSource}. */
export type SourceContribution = {
  readonly source: string;
  /** Rows (or weight sum) the source provides to the groups passed. */
  readonly rows: number;
  /** The source's share of those rows; null when there are none. */
  readonly share: number | null;
};

/** Result of {@link dominantSource}. */
export type DominantSource = {
  /** true when one source provides more than `threshold` of the rows; null when there are no rows. */
  readonly dominant: boolean | null;
  /** The largest source (ties broken by name), or null without rows. */
  readonly source: string | null;
  /** Its share of the rows, or null without rows. */
  readonly share: number | null;
  readonly threshold: number;
  /** Rows of the groups passed, over all sources. */
  readonly totalRows: number;
  /** Every source, largest first (ties by name). */
  readonly bySource: readonly SourceContribution[];
  readonly reason?: string;
};

/**
 * Whether one source dominates the rows of an attribute's under-represented groups:
 *   share_s = Σ_g n_{g,s} / Σ_g Σ_s′ n_{g,s′},  dominant ⇔ max_s share_s > threshold
 * summed over the groups passed (the under-represented groups of one attribute). A dominant source
 * means the representation of those groups rests on one collection channel (web form, app,
 * partner list, …), so a change in that channel would change it. Strictly more than the
 * threshold: exactly half is not dominant at the default. Checked against numpy sums.
 *
 * @param rowsBySourceByGroup - group → source → rows (weight sums allowed), for the groups to check
 * @param threshold - share a source must exceed, in [0, 1). @default 0.5
 */
export function dominantSource(
  rowsBySourceByGroup: Readonly<Record<string, Readonly<Record<string, number>>>>,
  threshold = 0.5,
): DominantSource {
  const empty = (reason: string, totalRows = 0, bySource: SourceContribution[] = []): DominantSource => ({
    dominant: null,
    source: null,
    share: null,
    threshold,
    totalRows,
    bySource,
    reason,
  });
  if (!Number.isFinite(threshold) || threshold < 0 || threshold >= 1) {
    return empty(`threshold must be a number in [0, 1), received ${threshold}`);
  }
  const rows = new Map<string, number>();
  for (const [group, bySource] of Object.entries(rowsBySourceByGroup)) {
    for (const [source, n] of Object.entries(bySource)) {
      if (!Number.isFinite(n) || n < 0) {
        return empty(
          `rows of group '${group}' from source '${source}' must be a finite number >= 0, received ${n}`,
        );
      }
      rows.set(source, (rows.get(source) ?? 0) + n);
    }
  }
  const totalRows = [...rows.values()].reduce((s, n) => s + n, 0);
  if (!Number.isFinite(totalRows)) return empty(`rows sum to ${totalRows}, too large to compute`);
  const ordered = [...rows.entries()].sort(([a, na], [b, nb]) => nb - na || (a < b ? -1 : a > b ? 1 : 0));
  const bySource = ordered.map(([source, n]) => ({
    source,
    rows: n,
    share: totalRows > 0 ? n / totalRows : null,
  }));
  const top = bySource[0];
  if (top === undefined || top.share === null) {
    return empty('no rows in the groups passed', totalRows, bySource);
  }
  return {
    dominant: top.share > threshold,
    source: top.source,
    share: top.share,
    threshold,
    totalRows,
    bySource,
  };
}
