import { type ReferenceErrorCode, ReferencePopulationError } from '../errors.ts';
import { readCsvLayout, scanCsv } from '../scan/csv.ts';
import { type ReferenceRow, SHARE_SUM_TOLERANCE } from './reference.ts';

export {
  parseReferenceProvenance,
  provenanceInfo,
  type ReferenceProvenance,
  referenceProvenanceSchema,
} from './reference-provenance.ts';

/**
 * A user's own reference population (`repscope references add`, issue #18): a shares or counts
 * CSV checked against the groups the bucket's attributes know, stored in the long format of the
 * built-in ones with its provenance beside it, so `run` and the handlers load it as they load any
 * reference and every report cites it with its source, year and kind.
 */

/** The attribute column's ids: as in `<population>/<attribute>`. */
const ATTRIBUTE_PATTERN = /^[a-z0-9][a-z0-9_]{0,62}$/;

export interface UserReferenceOptions {
  readonly fileName: string;
  /** The population id the rows get (`--name`). */
  readonly population: string;
  readonly year: number;
  /** Attribute name → the groups it has, from the bucket's manifests and the known references. */
  readonly knownGroups: ReadonlyMap<string, readonly string[]>;
}

interface RawRow {
  readonly line: number;
  readonly attribute: string;
  readonly group: string;
  readonly count: number | null;
  readonly share: number | null;
}

type Problem = { readonly code: ReferenceErrorCode; readonly message: string };

/**
 * Validates a user's reference CSV and returns its rows in the long format. The file has a header
 * with `attribute`, `group` and `share` or `count` (or both; `population` and `source_year` may
 * be there too and are checked). Shares come from the counts when the file has no shares.
 *
 * @throws ReferencePopulationError with one code per kind of problem, the first kind found:
 *   REFERENCE_INVALID (columns, numbers, ids), REFERENCE_NEGATIVE, REFERENCE_DUPLICATE_GROUP,
 *   REFERENCE_SHARES_SUM, REFERENCE_UNKNOWN_GROUP (also for an attribute no one has); each names
 *   the file, the line and what was expected.
 */
export async function parseUserReference(
  bytes: Uint8Array,
  options: UserReferenceOptions,
): Promise<ReferenceRow[]> {
  const { fileName } = options;
  const columns = referenceColumns(bytes, fileName);
  const problems: Problem[] = [];
  const raw = await readRows(bytes, columns, options, problems);
  fail(problems);
  checkDuplicates(raw, fileName, problems);
  fail(problems);
  const rows = withShares(raw, options, problems);
  fail(problems);
  checkKnownGroups(raw, options, problems);
  fail(problems);
  return rows;
}

function referenceColumns(bytes: Uint8Array, fileName: string): string[] {
  const layout = readCsvLayout(bytes, true, { fileName, delimiter: ',', header: true, columns: [] });
  const header = layout?.header ?? [];
  const missing = ['attribute', 'group'].filter((c) => !header.includes(c));
  if (!header.includes('share') && !header.includes('count')) missing.push('share or count');
  if (missing.length > 0) {
    throw new ReferencePopulationError(
      'REFERENCE_INVALID',
      `${fileName}: the header has no ${missing.join(', ')}; expected attribute,group,share (or count)`,
    );
  }
  return ['attribute', 'group', 'share', 'count', 'population', 'source_year'].filter((c) =>
    header.includes(c),
  );
}

async function readRows(
  bytes: Uint8Array,
  columns: readonly string[],
  options: UserReferenceOptions,
  problems: Problem[],
): Promise<RawRow[]> {
  const { fileName } = options;
  const rows: RawRow[] = [];
  const field = (values: readonly (string | null)[], name: string) =>
    columns.includes(name) ? (values[columns.indexOf(name)] ?? '').trim() : '';
  const at = (line: number, what: string, expected: string) =>
    `${fileName} line ${line}, ${what}: expected ${expected}`;
  await scanCsv(
    (async function* () {
      yield bytes;
    })(),
    { columns, fileName, delimiter: ',', header: true },
    {
      row(values, line) {
        const attribute = field(values, 'attribute');
        const group = field(values, 'group');
        const population = field(values, 'population');
        const year = field(values, 'source_year');
        const invalid = (what: string, expected: string) =>
          problems.push({ code: 'REFERENCE_INVALID', message: at(line, what, expected) });
        if (!ATTRIBUTE_PATTERN.test(attribute))
          return void invalid('attribute', 'an id like age_band (lower case letters, digits and _)');
        if (!group) return void invalid('group', 'a non-empty group name');
        if (population !== '' && population !== options.population)
          return void invalid('population', `'${options.population}' (the --name) or nothing`);
        if (year !== '' && Number(year) !== options.year)
          return void invalid('source_year', `${options.year} (the --year) or nothing`);
        const count = number(field(values, 'count'), line, 'count', options, problems);
        const share = number(field(values, 'share'), line, 'share', options, problems);
        if (count === undefined || share === undefined) return;
        if (share !== null && share > 1) return void invalid('share', 'a share in [0, 1]');
        if (count === null && share === null) return void invalid('share', 'a share or a count');
        rows.push({ line, attribute, group, count, share });
      },
      malformed(line, reason) {
        problems.push({ code: 'REFERENCE_INVALID', message: `${fileName} line ${line}: ${reason}` });
      },
    },
  );
  if (rows.length === 0 && problems.length === 0) {
    problems.push({
      code: 'REFERENCE_INVALID',
      message: `${fileName}: no rows; expected one line per group`,
    });
  }
  return rows;
}

/** A number ≥ 0, null when empty, undefined (with a problem) otherwise. */
function number(
  text: string,
  line: number,
  what: string,
  options: UserReferenceOptions,
  problems: Problem[],
): number | null | undefined {
  if (text === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value)) {
    problems.push({
      code: 'REFERENCE_INVALID',
      message: `${options.fileName} line ${line}, ${what}: expected a number, found '${text}'`,
    });
    return undefined;
  }
  if (value < 0) {
    problems.push({
      code: 'REFERENCE_NEGATIVE',
      message: `${options.fileName} line ${line}, ${what}: ${text} is negative; expected a ${what} of 0 or more`,
    });
    return undefined;
  }
  return value;
}

function checkDuplicates(rows: readonly RawRow[], fileName: string, problems: Problem[]): void {
  const first = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.attribute}\u0000${r.group.toLowerCase()}`;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, r.line);
    else
      problems.push({
        code: 'REFERENCE_DUPLICATE_GROUP',
        message: `${fileName} line ${r.line}: group '${r.group}' of ${r.attribute} appears again (first on line ${earlier}); expected each group once`,
      });
  }
}

/**
 * The rows with their shares: the file's shares when every row of the attribute has one (they
 * must add up to 1), else the counts over their sum.
 */
function withShares(
  rows: readonly RawRow[],
  options: UserReferenceOptions,
  problems: Problem[],
): ReferenceRow[] {
  const out: ReferenceRow[] = [];
  for (const attribute of [...new Set(rows.map((r) => r.attribute))]) {
    const own = rows.filter((r) => r.attribute === attribute);
    const byShare = own.every((r) => r.share !== null);
    const total = own.reduce((s, r) => s + (byShare ? r.share! : (r.count ?? 0)), 0);
    if (!byShare && own.some((r) => r.count === null)) {
      const line = own.find((r) => r.count === null)!.line;
      problems.push({
        code: 'REFERENCE_INVALID',
        message: `${options.fileName} line ${line}, count: expected a count, as the other rows of ${attribute} have no share`,
      });
      continue;
    }
    if (byShare ? Math.abs(total - 1) > SHARE_SUM_TOLERANCE : total <= 0) {
      problems.push({
        code: 'REFERENCE_SHARES_SUM',
        message: byShare
          ? `${options.fileName}: shares of ${attribute} add up to ${total.toFixed(8)}; expected 1 (±${SHARE_SUM_TOLERANCE})`
          : `${options.fileName}: counts of ${attribute} add up to 0; expected a positive total`,
      });
      continue;
    }
    for (const r of own) {
      out.push({
        population: options.population,
        attribute,
        group: r.group,
        count: r.count,
        share: byShare ? r.share! : r.count! / total,
        sourceYear: options.year,
      });
    }
  }
  return out;
}

function checkKnownGroups(rows: readonly RawRow[], options: UserReferenceOptions, problems: Problem[]): void {
  const { fileName, knownGroups } = options;
  for (const r of rows) {
    const known = knownGroups.get(r.attribute);
    if (known === undefined) {
      problems.push({
        code: 'REFERENCE_UNKNOWN_GROUP',
        message: `${fileName} line ${r.line}: attribute '${r.attribute}' matches no attribute of the manifests or references; expected one of: ${[...knownGroups.keys()].sort().join(', ')}`,
      });
      continue;
    }
    if (!known.some((g) => g.toLowerCase() === r.group.toLowerCase())) {
      problems.push({
        code: 'REFERENCE_UNKNOWN_GROUP',
        message: `${fileName} line ${r.line}: group '${r.group}' matches no group of ${r.attribute}; expected one of: ${known.join(', ')}`,
      });
    }
  }
}

/** Throws the first kind of problem found, with up to three of its messages. */
function fail(problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const code = problems[0]!.code;
  const same = problems.filter((p) => p.code === code);
  const more = same.length > 3 ? ` (and ${same.length - 3} more)` : '';
  throw new ReferencePopulationError(
    code,
    same
      .slice(0, 3)
      .map((p) => p.message)
      .join('; ') + more,
  );
}

/** The rows as the long-format CSV every reference is read from. */
export function toReferenceCsv(rows: readonly ReferenceRow[]): string {
  const lines = ['population,attribute,group,count,share,source_year'];
  for (const r of rows) {
    lines.push(
      [r.population, r.attribute, csvField(r.group), r.count ?? '', r.share, r.sourceYear ?? ''].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

function csvField(value: string): string {
  return /[",\n\r]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
