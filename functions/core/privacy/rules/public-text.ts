import type {
  AttributeResult,
  Check,
  IntersectionResult,
  Report,
  ReportWarning,
} from '../../report/schema.ts';
import { isSuppressed, type SectionRules } from '../engine.ts';
import { PUBLIC_TEXT } from '../messages.ts';

/**
 * Sentences. Checks and warnings were written on the exact counts, so in a copy with hidden cells
 * they can name a hidden group's status ("over-represented: Berlin", "too small to conclude:
 * Bremen"), a withheld statistic ("total variation distance 0.671") or a hidden count ("left out
 * 4 rows"). This module runs after every other section and rewrites each such sentence from the
 * published copy itself: it names visible groups only, quotes only published numbers, and says
 * that hidden groups exist without classifying them. Statuses stay: they were decided on the
 * exact counts, which stay in the lake.
 */
export const publicTextRules: SectionRules = {
  withhold: (report) => {
    report.checks = report.checks.map((check) => publicCheck(check, report));
    report.warnings = report.warnings.map((warning) => publicWarning(warning, report));
  },
  withheld: () => [],
};

function publicCheck(check: Check, report: Report): Check {
  const [kind, name] = splitId(check.id);
  if (kind === 'representation') {
    const attribute = report.attributes.find((a) => a.name === name);
    if (attribute?.groups.some(isSuppressed))
      return { ...check, message: representationText(attribute, report) };
  }
  if (kind === 'intersection') {
    // The id spells the intersection as the plan does; its message starts with the title.
    const x = report.intersections.find((i) => check.message.startsWith(`${i.attributes.join(' × ')}:`));
    if (x?.groups.some(isSuppressed)) return { ...check, message: intersectionText(x) };
  }
  if (kind === 'labels') {
    const attribute = report.attributes.find((a) => a.name === name);
    if (attribute?.labels?.groups.some((r) => r.positives === null))
      return { ...check, message: labelsText(attribute) };
  }
  if (kind === 'rows' && Object.values(report.rows).some((v) => v === null)) {
    return { ...check, message: PUBLIC_TEXT.rowsCheck(report.rows.used, report.rows.read) };
  }
  if (kind === 'sources' && report.sources) {
    const named = report.sources.attributes.filter((a) => a.dominantSource !== null);
    return {
      ...check,
      message: PUBLIC_TEXT.sourcesCheck(named.map((a) => `${a.name} (${a.dominantSource!.source})`)),
    };
  }
  return check;
}

function splitId(id: string): [string, string] {
  const at = id.indexOf(':');
  return at === -1 ? [id, ''] : [id.slice(0, at), id.slice(at + 1)];
}

/** Mirrors the check of `compare.ts` over the visible groups, then says that some are hidden. */
function representationText(a: AttributeResult, report: Report): string {
  const visible = a.groups.filter((g) => !isSuppressed(g));
  const named = (status: string) => visible.filter((g) => g.status === status).map((g) => g.group);
  const parts: string[] = [];
  const under = named('under');
  const over = named('over');
  if (under.length) parts.push(`under-represented: ${under.join(', ')}`);
  if (over.length) parts.push(`over-represented: ${over.join(', ')}`);
  const tvd = a.distances.tvd;
  if (tvd !== null && tvd > report.thresholds.maxTvd)
    parts.push(`total variation distance ${tvd.toFixed(3)} > ${report.thresholds.maxTvd}`);
  const unclear = visible.filter((g) => g.note?.includes('not significant')).map((g) => g.group);
  if (unclear.length) parts.push(`too small to conclude: ${unclear.join(', ')}`);
  const unexpected = visible
    .filter((g) => g.referenceShare === null && (g.count ?? 0) > 0)
    .map((g) => g.group);
  if (unexpected.length) parts.push(`not in the reference: ${unexpected.join(', ')}`);
  parts.push(PUBLIC_TEXT.hiddenGroups);
  return `${a.name}: ${parts.join('; ')}`;
}

function intersectionText(x: IntersectionResult): string {
  const flagged = x.groups.filter((g) => g.status === 'under' || g.status === 'over');
  const basis = x.basis === 'joint-reference' ? 'joint reference' : 'product of marginals';
  const title = x.attributes.join(' × ');
  const cells =
    flagged.length > 0 ? `${flagged.map((g) => `${g.group} ${g.status}`).join(', ')} (vs ${basis}); ` : '';
  return `${title}: ${cells}${PUBLIC_TEXT.hiddenCells}`;
}

function labelsText(a: AttributeResult): string {
  const rows = a.labels?.groups ?? [];
  const failing = rows.filter((g) => g.fourFifths === 'fail');
  // Since issue #18 the rule is on the impact ratio, which a copy with hidden rows withholds.
  const impact = rows.some((g) => g.impactRatio !== undefined);
  const ratio = (g: (typeof rows)[number]) => (impact ? (g.impactRatio ?? null) : g.disparateImpact);
  const listed = failing.map((g) => `${g.group} (${ratio(g) === null ? '–' : ratio(g)!.toFixed(2)})`);
  const what = impact ? 'impact ratio' : 'disparate impact';
  const head = listed.length > 0 ? `${what} below 0.8 (four-fifths rule) for ${listed.join(', ')}; ` : '';
  return `${a.name}: ${head}${PUBLIC_TEXT.hiddenRates}`;
}

/**
 * Warnings that quote counts or findings of hidden cells, said again from the copy: the raking
 * warning without its row count, the unmapped- and malformed-rows warnings without a count the
 * copy withholds, and a dominant-source finding the copy withholds.
 */
function publicWarning(warning: ReportWarning, report: Report): ReportWarning {
  const anyHidden = [...report.attributes, ...report.intersections].some((t) => t.groups.some(isSuppressed));
  if (warning.code === 'raking-excluded' && anyHidden)
    return { ...warning, message: warning.message.replace(/left out [\d.,]+ rows/, 'left out the rows') };
  if (warning.code === 'unmapped-values') {
    const attribute = report.attributes.find((a) => a.name === warning.path);
    if (attribute && attribute.unmapped === null)
      return { ...warning, message: warning.message.replace(/^[\d.,]+ rows/, 'Some rows') };
  }
  if (warning.code === 'malformed-rows' && report.rows.malformed === null)
    return { ...warning, message: warning.message.replace(/^[\d.,]+ malformed rows/, 'Some malformed rows') };
  if (warning.code === 'dominant-source') {
    const table = report.sources?.attributes.find((a) => a.name === warning.path);
    if (table && table.dominantSource === null)
      return { ...warning, message: PUBLIC_TEXT.dominantSourceWithheld(table.name) };
  }
  return warning;
}
