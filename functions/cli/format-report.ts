import { comparedGroups, comparisonSentence } from '../core/report/reference-summary.ts';
import type {
  AttributeResult,
  GroupResult,
  IntersectionResult,
  ReferenceComparison,
  Report,
} from '../core/report/schema.ts';

/**
 * A run's verdict in a few lines, as `run` and `upload --wait` print it: the status, the dataset
 * and its run page, then each check that did not pass.
 */
export function verdictLines(report: Report, page: string): string {
  let out = `${report.status.toUpperCase().padEnd(5)} ${report.dataset.id}  ${page}\n`;
  for (const c of report.checks) {
    if (c.status !== 'pass') out += `      ${c.status === 'fail' ? '✗' : '!'} ${c.message}\n`;
  }
  return out;
}

/** Human-readable summaries of a report for the terminal (text) or a pull request (markdown). */
export function formatReport(report: Report, format: 'text' | 'markdown'): string {
  const md = format === 'markdown';
  const out: string[] = [];
  const verdict = report.status.toUpperCase();
  out.push(
    md
      ? `## repscope: ${verdict} — ${report.dataset.id}`
      : `${verdict}  ${report.dataset.id} (${report.dataset.version})`,
  );
  out.push('');
  const r = report.rows;
  out.push(
    `rows read ${fmtCount(r.read)}, used ${fmtCount(r.used)}, without consent ${fmtCount(r.excludedNoConsent)}, malformed ${fmtCount(r.malformed)}`,
  );
  out.push('');
  for (const c of report.checks) out.push(`${md ? '- ' : '  '}${mark(c.status)} ${c.message}`);
  for (const a of report.attributes) {
    out.push('');
    const versus = a.comparisons ? a.comparisons.map((b) => b.reference).join(', ') : a.reference;
    out.push(md ? `### ${a.name}` : `${a.name}  (column ${a.column}${versus ? `, vs ${versus}` : ''})`);
    if (md && versus) out.push(`vs \`${versus}\``);
    out.push(...groupTable(a.groups, md));
    out.push(attributeFooter(a));
    if (a.comparisons) out.push(...comparisonLines(a.name, a, a.comparisons, md));
    if (a.weights) {
      out.push(
        `weights: sum ${fmt(a.weights.weightSum, 1)}, effective N ${fmt(a.weights.effectiveN, 1)}, design effect ${fmt(a.weights.designEffect, 2)}`,
      );
    }
    if (a.labels) out.push(...labelLines(a.labels, md, report.thresholds.minGroupCount));
  }
  for (const x of report.intersections) {
    out.push('');
    out.push(`${md ? '### ' : ''}${x.attributes.join(' × ')}  (${basisText(x)})`);
    out.push(...groupTable(x.groups, md));
    if (x.emptyCells.length > 0) out.push(`empty cells: ${x.emptyCells.join(', ')}`);
    if (x.comparisons) out.push(...comparisonLines(x.attributes.join(' × '), x, x.comparisons, md));
  }
  if (report.sources) {
    const s = report.sources;
    out.push('');
    out.push(`${md ? '### ' : ''}sources (column ${s.column})`);
    out.push(
      `${s.groups.map((g) => `${g.source} ${pct(g.share)}`).join(', ')}; largest ${pct(s.largestShare)}, effective number ${fmt(s.effectiveNumber, 2)}`,
    );
    for (const a of s.attributes) {
      if (a.dominantSource)
        out.push(
          `${a.name}: under-represented groups come ${pct(a.dominantSource.share)} from ${a.dominantSource.source}`,
        );
    }
  }
  if (report.correction) {
    const c = report.correction;
    out.push('');
    out.push(`${md ? '### ' : ''}correction (raking on ${c.attributes.join(', ')})`);
    out.push(
      c.converged
        ? `converged${c.iterations === null ? '' : ` in ${c.iterations} iterations`}; design effect ${fmt(c.designEffect, 2)}, effective sample ${fmt(c.effectiveSampleSize, 0)} of ${fmtCount(c.rows)} rows, weights ${fmt(c.minWeight, 2)}–${fmt(c.maxWeight, 2)}${c.capped ? ` (capped at ${c.cap}× the mean)` : ''}`
        : `did not converge: ${c.reason ?? `largest margin error ${fmt(c.maxMarginError, 4)}`}`,
    );
  }
  if (report.warnings.length > 0) {
    out.push('');
    out.push(md ? '### Warnings' : 'warnings');
    for (const w of report.warnings) out.push(`${md ? '- ' : '  '}${w.message}`);
  }
  return `${out.join('\n')}\n`;
}

function labelLines(
  labels: NonNullable<AttributeResult['labels']>,
  md: boolean,
  minGroupCount: number,
): string[] {
  const header = ['group', 'positives', 'rate', '95% CI', 'DPL', 'DI', 'IR', '4/5', 'CDD'];
  const cdd = new Map((labels.cdd?.groups ?? []).map((g) => [g.group, g.value]));
  const rows = labels.groups.map((g) => [
    g.group,
    fmtCount(g.positives),
    pct(g.positiveRate),
    g.ci ? `${pct(g.ci[0])}–${pct(g.ci[1])}` : '–',
    fmt(g.dpl, 3),
    fmt(g.disparateImpact, 2),
    fmt(g.impactRatio, 2),
    g.fourFifths ?? '–',
    labels.cdd ? fmt(cdd.get(g.group), 3) : '–',
  ]);
  const lines = [
    `labels (${labels.column}): positive rate ${pct(labels.positiveRate)}${labels.cdd ? `, CDD given ${labels.cdd.strata}` : ''}`,
  ];
  lines.push(...table(header, rows, md));
  lines.push(...labelNotes(labels, minGroupCount));
  if (labels.positiveComposition) {
    lines.push(
      `positive class vs reference: TVD ${fmt(labels.positiveComposition.tvd, 4)}, JS ${fmt(labels.positiveComposition.jsDivergence, 4)} bits`,
    );
  }
  return lines;
}

/** Rows left out of the label metrics, what IR compares with, and the groups not judged. */
function labelNotes(labels: NonNullable<AttributeResult['labels']>, minGroupCount: number): string[] {
  const lines: string[] = [];
  if (labels.missing !== undefined)
    lines.push(`label missing: ${fmtCount(labels.missing)} (left out of the label metrics)`);
  if (labels.otherValues !== undefined)
    lines.push(`label neither positive nor negative: ${fmtCount(labels.otherValues)} (left out too)`);
  if (labels.highestRateGroup)
    lines.push(
      `IR: positive rate over the highest judged rate (${labels.highestRateGroup}); 4/5 fails below 0.8`,
    );
  if (labels.notJudged && labels.notJudged.length > 0)
    lines.push(`not judged, fewer than ${minGroupCount} labelled rows: ${labels.notJudged.join(', ')}`);
  return lines;
}

/**
 * Several references side by side (issue #18): the dataset's share and each reference's share and
 * ratio per group, then one sentence per reference.
 */
function comparisonLines(
  name: string,
  a: Pick<AttributeResult, 'groups' | 'comparisons'>,
  blocks: readonly ReferenceComparison[],
  md: boolean,
): string[] {
  const header = ['group', 'share', ...blocks.flatMap((b) => [`${b.reference}`, 'ratio'])];
  const groups = comparedGroups(a);
  const rows = groups.map((group) => {
    const own = a.groups.find((g) => g.group === group);
    return [
      group,
      pct(own ? own.share : 0),
      ...blocks.flatMap((b) => {
        const g = b.groups.find((x) => x.group === group);
        return [pct(g?.referenceShare), g ? `${fmt(g.ratio, 2)} ${g.status}` : '–'];
      }),
    ];
  });
  const lines = [md ? '' : 'references side by side (reference share, ratio and status):'];
  lines.push(...table(header, rows, md));
  for (const b of blocks) {
    const sentence = comparisonSentence({ name }, b);
    const positive = b.positiveComposition
      ? ` Positive class vs this reference: TVD ${fmt(b.positiveComposition.tvd, 4)}.`
      : '';
    lines.push(`${md ? '- ' : '  '}${sentence}${positive}`);
  }
  return lines;
}

function basisText(x: IntersectionResult): string {
  if (x.basis === 'joint-reference') return `vs joint reference ${x.reference}`;
  if (x.basis === 'product-of-marginals') return 'vs product of marginal references';
  return 'no reference';
}

function attributeFooter(a: AttributeResult): string {
  const chi = a.tests.chiSquare;
  const parts = [
    `N ${fmtCount(a.total)}`,
    `missing ${fmtCount(a.missing)}`,
    `unmapped ${fmtCount(a.unmapped)}`,
  ];
  if (chi) {
    const mc = chi.monteCarlo ? `, Monte-Carlo p ${fmtP(chi.monteCarlo.pValue)}` : '';
    parts.push(`χ² ${fmt(chi.statistic, 2)} (df ${chi.df ?? '–'}) p ${fmtP(chi.pValue)}${mc}`);
  }
  if (a.distances.tvd !== null) parts.push(`TVD ${fmt(a.distances.tvd, 4)}`);
  if (a.distances.jsDivergence !== null) parts.push(`JS ${fmt(a.distances.jsDivergence, 4)} bits`);
  return parts.join(', ');
}

function groupTable(groups: readonly GroupResult[], md: boolean): string[] {
  const header = ['group', 'count', 'share', '95% CI', 'reference', 'ratio', 'p adj.', 'status'];
  const rows = groups.map((g) => [
    g.group,
    fmtCount(g.count),
    pct(g.share),
    g.ci ? `${pct(g.ci[0])}–${pct(g.ci[1])}` : '–',
    pct(g.referenceShare),
    fmt(g.ratio, 2),
    fmtP(g.pAdjusted),
    g.status === 'not-judged' ? '–' : g.status + (g.rowsNeeded ? ` (+${g.rowsNeeded} rows)` : ''),
  ]);
  return table(header, rows, md);
}

function table(header: string[], rows: string[][], md: boolean): string[] {
  if (md) {
    const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
    return [line(header), line(header.map(() => '---')), ...rows.map(line)];
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  return [line(header), ...rows.map(line)];
}

function mark(status: string): string {
  return status === 'pass' ? '✓' : status === 'warn' ? '!' : '✗';
}

function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`;
}

function fmt(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined ? '–' : x.toFixed(digits);
}

function fmtCount(x: number | null): string {
  if (x === null) return '–';
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined) return '–';
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}
