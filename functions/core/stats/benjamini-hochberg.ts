/**
 * Benjamini–Hochberg adjusted p-values (false discovery rate).
 *
 * With the m valid p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎:
 *   adj₍ᵢ₎ = min over j ≥ i of  p₍ⱼ₎ · m / j,  then clipped to [0, 1].
 * Tied p-values receive the same adjusted value.
 *
 * Source: Benjamini & Hochberg, JRSS B 57 (1995); adjusted values as in Yekutieli & Benjamini
 * (1999) and R's `p.adjust(method = 'BH')`. Same arithmetic (p · (m / i), reverse cumulative
 * minimum, clip) as `scipy.stats.false_discovery_control(ps, method='bh')`.
 *
 * Deviation: scipy takes no missing values; here null entries (and values that are not finite or
 * outside [0, 1]) stay null in place and are not counted in m.
 *
 * @param pValues - raw p-values, in any order; null for a test that was not run
 * @returns adjusted p-values in the same positions
 */
export function benjaminiHochberg(pValues: readonly (number | null)[]): (number | null)[] {
  const out: (number | null)[] = pValues.map(() => null);
  const valid: { index: number; p: number }[] = [];
  pValues.forEach((p, index) => {
    if (p !== null && Number.isFinite(p) && p >= 0 && p <= 1) valid.push({ index, p });
  });
  const m = valid.length;
  valid.sort((a, b) => a.p - b.p);
  let running = Number.POSITIVE_INFINITY;
  for (let rank = m; rank >= 1; rank--) {
    const entry = valid[rank - 1];
    if (entry === undefined) continue;
    running = Math.min(running, entry.p * (m / rank));
    out[entry.index] = Math.min(1, Math.max(0, running));
  }
  return out;
}
