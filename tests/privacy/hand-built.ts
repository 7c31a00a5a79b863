/**
 * Hand-built published reports for the attacker's unit tests: only the fields the attacker reads,
 * so each test states exactly the relation it is about.
 */

export interface GroupInput {
  readonly group: string;
  readonly count: number | null;
  readonly [key: string]: unknown;
}

export function group(name: string, count: number | null, extra: Record<string, unknown> = {}): GroupInput {
  return { group: name, count, ...extra };
}

export function attribute(
  name: string,
  groups: readonly GroupInput[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const visible = groups.every((g) => g.count !== null);
  return {
    name,
    missing: 0,
    unmapped: 0,
    total: visible ? groups.reduce((s, g) => s + (g.count ?? 0), 0) : null,
    groups,
    ...extra,
  };
}

export function publishedReport(parts: Record<string, unknown>, minCellSize = 10): Record<string, unknown> {
  return {
    privacy: { minCellSize, suppressed: true },
    thresholds: { minRatio: 0.8, maxRatio: 1.25, maxTvd: 0.05, minGroupCount: 30, alpha: 0.05 },
    attributes: [],
    intersections: [],
    checks: [],
    warnings: [],
    ...parts,
  };
}

/** The 95 % Wilson score interval of x in n, written out from its definition. */
export function wilson(x: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = x / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [centre - half, centre + half];
}
