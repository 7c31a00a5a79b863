/**
 * Rows to add to a group so that its share reaches a target:
 *   the least integer x ≥ 0 with (n + x) / (N + x) ≥ t,
 *   x = max(0, ⌈(t·N − n) / (1 − t)⌉)   for t < 1
 * (solve n + x ≥ t(N + x) for x; DESIGN.md "correction", with t = minRatio · π). The closed form is
 * then checked and nudged by one against the defining inequality in floating point, so the
 * result is exact for the inequality as evaluated.
 *
 * Edge cases: t ≤ n/N gives 0; N = 0 gives 1 when t > 0 (one row makes the share 1) and 0 when
 * t ≤ 0; t = 1 gives 0 when the group is already everything (n = N > 0), otherwise null; t > 1
 * gives null. Non-integer n and N (weight sums) are allowed.
 *
 * @param n - rows in the group, in [0, N]
 * @param N - rows in total
 * @param targetShare - t, the share to reach
 * @returns x, or null when the target is unreachable or the inputs are invalid
 */
export function rowsNeeded(n: number, N: number, targetShare: number): number | null {
  if (!Number.isFinite(n) || !Number.isFinite(N) || !Number.isFinite(targetShare)) return null;
  if (n < 0 || n > N) return null;
  const t = targetShare;
  if (t >= 1) return t === 1 && n === N && N > 0 ? 0 : null;
  if (N === 0) return t > 0 ? 1 : 0;
  const meets = (x: number): boolean => (n + x) / (N + x) >= t;
  if (meets(0)) return 0;
  let x = Math.max(1, Math.ceil((t * N - n) / (1 - t)));
  if (!Number.isSafeInteger(x + 2)) return null;
  // The closed form can be one off through rounding; a couple of steps settle it.
  for (let step = 0; step < 2 && x > 1 && meets(x - 1); step++) x--;
  for (let step = 0; step < 2 && !meets(x); step++) x++;
  return meets(x) ? x : null;
}
