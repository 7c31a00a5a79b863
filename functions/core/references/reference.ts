import { ReferencePopulationError } from '../errors.ts';
import { REFERENCE_ID_PATTERN } from '../manifest/patterns.ts';
import type { ReferenceKind } from '../report/schema.ts';
import { scanCsv } from '../scan/csv.ts';
import type { ByteStream } from '../scan/types.ts';

/** One row of the long format shared by built-in and user references. */
export interface ReferenceRow {
  readonly population: string;
  readonly attribute: string;
  readonly group: string;
  /** Persons, as published; null when the source gives shares only. */
  readonly count: number | null;
  readonly share: number;
  readonly sourceYear: number | null;
}

/** Citation of a population, from populations.json (built-in) or the file name (user CSVs). */
export interface PopulationInfo {
  readonly id: string;
  readonly title: string;
  readonly publisher?: string;
  readonly table?: string;
  readonly referenceDate?: string;
  readonly url?: string;
  readonly license?: string;
  readonly notes?: string;
  /** Where the rows were loaded from (file name), for provenance. */
  readonly file: string;
  /** Official statistic, market estimate or own customers (issue #18). @default - not stated */
  readonly kind?: ReferenceKind;
}

export interface ReferenceCatalogue {
  readonly populations: readonly PopulationInfo[];
  readonly rows: readonly ReferenceRow[];
}

export const REFERENCE_COLUMNS = [
  'population',
  'attribute',
  'group',
  'count',
  'share',
  'source_year',
] as const;
/** Shares of one population attribute must add up to 1 within this tolerance. */
export const SHARE_SUM_TOLERANCE = 1e-6;

/** Parses a reference CSV in the long format; every error names the file and line. */
export async function parseReferenceCsv(source: ByteStream, fileName: string): Promise<ReferenceRow[]> {
  const rows: ReferenceRow[] = [];
  const problems: string[] = [];
  await scanCsv(
    source,
    { columns: REFERENCE_COLUMNS, fileName, delimiter: ',', header: true },
    {
      row(values, line) {
        const [population, attribute, group, count, share, year] = values.map((v) => (v ?? '').trim());
        const fail = (field: string, expected: string) =>
          problems.push(`${fileName} line ${line}, ${field}: expected ${expected}`);
        if (!REFERENCE_ID_PATTERN.test(`${population}/${attribute}`)) {
          fail('population/attribute', 'ids like de-2023 and age_band (lower case letters, digits, - and _)');
          return;
        }
        if (!group) return void fail('group', 'a non-empty group name');
        const countValue = count === '' ? null : Number(count);
        if (countValue !== null && !(Number.isFinite(countValue) && countValue >= 0)) {
          return void fail('count', 'a non-negative number or nothing');
        }
        const shareValue = Number(share);
        if (share === '' || !(shareValue >= 0 && shareValue <= 1))
          return void fail('share', 'a number in [0, 1]');
        const yearValue = year === '' ? null : Number(year);
        if (yearValue !== null && !Number.isInteger(yearValue))
          return void fail('source_year', 'a year such as 2023');
        rows.push({
          population: population!,
          attribute: attribute!,
          group: group!,
          count: countValue,
          share: shareValue,
          sourceYear: yearValue,
        });
      },
      malformed(line, reason) {
        problems.push(`${fileName} line ${line}: ${reason}`);
      },
    },
  );
  if (problems.length > 0) {
    throw new ReferencePopulationError(
      'REFERENCE_INVALID',
      problems.slice(0, 3).join('; ') + more(problems.length - 3),
    );
  }
  checkReferenceRows(rows, fileName);
  return rows;
}

function more(n: number): string {
  return n > 0 ? ` (and ${n} more)` : '';
}

/** Each (population, attribute) has unique groups whose shares add up to 1. */
export function checkReferenceRows(rows: readonly ReferenceRow[], fileName: string): void {
  const sums = new Map<string, number>();
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.population}/${r.attribute}`;
    const groupKey = `${key}\u0000${r.group}`;
    if (seen.has(groupKey)) {
      throw new ReferencePopulationError(
        'REFERENCE_INVALID',
        `${fileName}: group '${r.group}' appears twice in ${key}`,
      );
    }
    seen.add(groupKey);
    sums.set(key, (sums.get(key) ?? 0) + r.share);
  }
  for (const [key, sum] of sums) {
    if (Math.abs(sum - 1) > SHARE_SUM_TOLERANCE) {
      throw new ReferencePopulationError(
        'REFERENCE_INVALID',
        `${fileName}: shares of ${key} add up to ${sum.toFixed(8)}; expected 1 (±${SHARE_SUM_TOLERANCE})`,
      );
    }
  }
}

/** Joins catalogues; a population defined twice is an error naming both files. */
export function mergeCatalogues(catalogues: readonly ReferenceCatalogue[]): ReferenceCatalogue {
  const populations = new Map<string, PopulationInfo>();
  const rows: ReferenceRow[] = [];
  for (const c of catalogues) {
    for (const p of c.populations) {
      const previous = populations.get(p.id);
      if (previous) {
        throw new ReferencePopulationError(
          'REFERENCE_INVALID',
          `population '${p.id}' is defined in both ${previous.file} and ${p.file}; expected each id once`,
        );
      }
      populations.set(p.id, p);
    }
    rows.push(...c.rows);
  }
  return { populations: [...populations.values()], rows };
}

/** The groups of `<population>/<attribute>`, in file order, or undefined. */
export function referenceGroups(catalogue: ReferenceCatalogue, reference: string): string[] | undefined {
  const [population, attribute] = reference.split('/');
  const groups = catalogue.rows
    .filter((r) => r.population === population && r.attribute === attribute)
    .map((r) => r.group);
  return groups.length > 0 ? groups : undefined;
}

/** Throws REFERENCE_NOT_FOUND naming what exists when `reference` is unknown. */
export function requireReference(catalogue: ReferenceCatalogue, reference: string, where: string): void {
  if (referenceGroups(catalogue, reference)) return;
  const [population] = reference.split('/');
  const attributes = [
    ...new Set(catalogue.rows.filter((r) => r.population === population).map((r) => r.attribute)),
  ];
  const hint =
    attributes.length > 0
      ? `population ${population} has: ${attributes.join(', ')}`
      : `known populations: ${catalogue.populations.map((p) => p.id).join(', ')}`;
  throw new ReferencePopulationError(
    'REFERENCE_NOT_FOUND',
    `${where}: unknown reference '${reference}' (${hint})`,
  );
}

/** Populations named by a user CSV (its `population` column), for provenance. */
export function populationsOfRows(rows: readonly ReferenceRow[], file: string): PopulationInfo[] {
  return [...new Set(rows.map((r) => r.population))].map((id) => ({
    id,
    title: `${id} (from ${file})`,
    file,
  }));
}
