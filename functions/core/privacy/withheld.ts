import type { Report, Withheld, WithheldReason, WithheldSection } from '../report/schema.ts';

/**
 * True when the published copy says it withheld something in `section` about `subject` (for
 * `reason`, when given). Readers such as the site ask this instead of matching warning codes.
 */
export function isWithheld(
  report: Report,
  section: WithheldSection,
  subject: string,
  reason?: WithheldReason,
): boolean {
  return (report.privacy.withheld ?? []).some(
    (w) => w.section === section && w.subject === subject && (reason === undefined || w.reason === reason),
  );
}

const SECTION_RANK: Readonly<Record<WithheldSection, number>> = {
  rows: 4,
  attributes: 0,
  labels: 0,
  intersections: 1,
  sources: 2,
  correction: 3,
};

/**
 * `entries` without repeats, in reading order: per attribute (its statistics, then its labels),
 * then intersections, sources, the correction, and cells that could not be protected last.
 */
export function orderWithheld(report: Report, entries: readonly Withheld[]): Withheld[] {
  const seen = new Set<string>();
  const unique = entries.filter((w) => {
    const key = `${w.section}\u0000${w.subject}\u0000${w.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const attributes = report.attributes.map((a) => a.name);
  const rank = (w: Withheld): number => {
    if (w.reason === 'recoverable-cell') return Number.MAX_SAFE_INTEGER;
    const base = SECTION_RANK[w.section];
    if (base > 0) return attributes.length + base;
    const at = attributes.indexOf(w.subject);
    return at === -1 ? attributes.length : at;
  };
  return unique
    .map((w, i) => ({ w, i, r: rank(w) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map(({ w }) => w);
}
