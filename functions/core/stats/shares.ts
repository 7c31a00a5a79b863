/**
 * Validation and normalisation of share vectors, shared by the distance and diversity statistics.
 * Inputs may be shares or counts: they are rescaled to sum to 1, as `scipy.stats.entropy` and
 * `scipy.spatial.distance.jensenshannon` do.
 */
export type NormalizedShares =
  | { readonly ok: true; readonly shares: number[] }
  | { readonly ok: false; readonly reason: string };

export type NormalizedPair =
  | { readonly ok: true; readonly p: number[]; readonly q: number[] }
  | { readonly ok: false; readonly reason: string };

/** Rescales non-negative finite values to sum to 1; fails on an empty vector, a bad value or a zero sum. */
export function normalizeShares(values: readonly number[], label = 'shares'): NormalizedShares {
  if (values.length === 0) return { ok: false, reason: `${label} is empty` };
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (!Number.isFinite(v) || v < 0) {
      return { ok: false, reason: `${label}[${i}] must be a finite number >= 0, received ${v}` };
    }
    sum += v;
  }
  if (!(sum > 0) || !Number.isFinite(sum))
    return { ok: false, reason: `${label} sum to ${sum}, expected > 0` };
  return { ok: true, shares: values.map((v) => v / sum) };
}

/** Normalises dataset shares p and reference shares q, which must list the same groups in the same order. */
export function normalizePair(p: readonly number[], q: readonly number[]): NormalizedPair {
  if (p.length !== q.length) {
    return { ok: false, reason: `p has ${p.length} groups and q has ${q.length}; expected the same groups` };
  }
  const np = normalizeShares(p, 'p');
  if (!np.ok) return np;
  const nq = normalizeShares(q, 'q');
  if (!nq.ok) return nq;
  return { ok: true, p: np.shares, q: nq.shares };
}
