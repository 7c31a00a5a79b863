import { type Comparison, verdictOf } from '../compare/compare.ts';
import type { Manifest } from '../manifest/schema.ts';
import { identifierKindOfName } from '../profile/identifiers.ts';
import type { Profile } from '../profile/profile.ts';
import type { PopulationInfo, ReferenceRow } from '../references/reference.ts';
import { type Check, REPORT_SCHEMA_ID, type Report, type ReportWarning } from './schema.ts';

export interface ReportInput {
  readonly manifest: Manifest;
  readonly manifestSha256: string;
  readonly profile: Profile;
  readonly comparison: Comparison;
  readonly dataset: Report['dataset'];
  readonly run: Report['run'];
  /** Column names present in the file, when the format tells them (CSV header, Parquet schema). */
  readonly fileColumns: readonly string[];
  readonly populations: readonly PopulationInfo[];
  readonly referenceRows: readonly ReferenceRow[];
  readonly codeVersion: string;
}

/** Assembles report@1 from the comparison. Pure: the caller validates and stores it. */
export function buildReport(input: ReportInput): Report {
  const { manifest, profile, comparison } = input;
  const warnings: ReportWarning[] = [
    ...comparison.warnings,
    ...rowWarnings(profile),
    ...minimisationWarnings(input),
  ];
  const checks: Check[] = [rowsCheck(profile), ...comparison.checks];
  const minimisation = warnings.filter(
    (w) => w.code === 'direct-identifier' || w.code === 'identifier-values',
  );
  if (minimisation.length > 0) {
    checks.push({
      id: 'data-minimisation',
      status: 'warn',
      message: `${minimisation.length} column(s) look like direct identifiers: ${[...new Set(minimisation.map((w) => w.path))].join(', ')}`,
    });
  }
  const used = new Set(manifest.attributes.flatMap((a) => a.references.map((r) => r.split('/')[0]!)));
  const references = input.populations
    .filter((p) => used.has(p.id))
    .map((p) => {
      const year = input.referenceRows.find((r) => r.population === p.id)?.sourceYear ?? null;
      const entry: Report['provenance']['references'][number] = {
        id: p.id,
        year,
        source: [p.publisher, p.table].filter(Boolean).join(', ') || p.file,
        title: p.title,
      };
      if (p.url) entry.url = p.url;
      if (p.license) entry.license = p.license;
      if (p.notes) entry.notes = p.notes;
      return entry;
    });
  return {
    schema: REPORT_SCHEMA_ID,
    dataset: manifest.owner ? { ...input.dataset, owner: manifest.owner } : input.dataset,
    run: input.run,
    status: verdictOf(checks),
    rows: { ...profile.rows },
    thresholds: { ...manifest.thresholds },
    privacy: { minCellSize: manifest.privacy.minCellSize, suppressed: false },
    attributes: comparison.attributes,
    intersections: comparison.intersections,
    ...(comparison.sources ? { sources: comparison.sources } : {}),
    ...(comparison.correction ? { correction: comparison.correction } : {}),
    checks,
    warnings,
    provenance: {
      manifestSha256: input.manifestSha256,
      references,
      codeVersion: input.codeVersion,
      columnsRead: [...profile.columns],
    },
  };
}

function rowsCheck(profile: Profile): Check {
  const { read, used, malformed, excludedNoConsent } = profile.rows;
  if (used === 0) {
    return {
      id: 'rows',
      status: 'fail',
      message: `no usable rows (read ${read}, malformed ${malformed}, without consent ${excludedNoConsent})`,
    };
  }
  if (malformed > 0) {
    return {
      id: 'rows',
      status: 'warn',
      message: `${malformed} of ${read} rows were malformed and not counted`,
    };
  }
  return { id: 'rows', status: 'pass', message: `${used} of ${read} rows counted` };
}

function rowWarnings(profile: Profile): ReportWarning[] {
  if (profile.rows.malformed === 0) return [];
  const lines = profile.malformedSamples.map((s) => `line ${s.line}: ${s.reason}`).join('; ');
  return [
    {
      code: 'malformed-rows',
      message: `${profile.rows.malformed} malformed rows were not counted (first: ${lines})`,
    },
  ];
}

function minimisationWarnings(input: ReportInput): ReportWarning[] {
  const out: ReportWarning[] = [];
  const declared = new Set(input.profile.columns);
  const columns = [...new Set([...input.fileColumns, ...(input.manifest.columns ?? []), ...declared])];
  for (const column of columns) {
    const kind = identifierKindOfName(column);
    if (!kind) continue;
    out.push({
      code: 'direct-identifier',
      path: column,
      message: declared.has(column)
        ? `column '${column}' is read by the manifest and its name suggests a direct identifier (${kind}); only group counts leave the profiler, but check that it is meant to be profiled`
        : `column '${column}' looks like a direct identifier (${kind}) by its name; repscope did not read it; consider dropping it from the training data`,
    });
  }
  for (const hint of input.profile.identifierHints) {
    if (hint.source === 'group-value') {
      out.push({
        code: 'identifier-values',
        path: hint.column,
        message: `${hint.matched} values of column '${hint.column}' looked like ${hint.kind} values; they were counted as unmapped, not used as group names`,
      });
      continue;
    }
    if (hint.matched * 2 <= hint.sampled) continue;
    out.push({
      code: 'identifier-values',
      path: hint.column,
      message: `${hint.matched} of ${hint.sampled} sampled values of column '${hint.column}' look like ${hint.kind} values`,
    });
  }
  return out;
}
