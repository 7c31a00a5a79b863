import { InputError } from '../errors.ts';
import type { Profile } from './profile.ts';

/** What was profiled, as the no-rows message names it. */
export interface ProfiledInput {
  /** `data.csv`, `3 files under datasets/x/v1/`, `table leads_2026`. */
  readonly name: string;
  readonly kind: 'file' | 'files' | 'table';
  readonly format: 'csv' | 'jsonl' | 'parquet';
  /** Bytes of the file(s) as stored (compressed when gzip). */
  readonly bytes: number;
  /** The CSV header's names (empty when no header was read). */
  readonly header: readonly string[];
}

/**
 * Refuses a profile with nothing to judge because the input itself is unusable: no record at all
 * (an empty file, a header only, an empty table), or not one record that could be read (a wrong
 * delimiter, a UTF-16 file, every line invalid JSON). Either would otherwise become a report whose
 * table shows every group with count 0, which reads like a finding about the data. A profile
 * where some rows were read is judged as usual, its malformed rows counted and named.
 *
 * Rows left out by the consent filter are not this case: "no row consented" is a finding (the
 * verdict fails with that reason), and the input was read.
 *
 * @throws InputError INPUT_FORMAT naming the input and what was expected
 */
export function refuseUnreadableInput(profile: Profile, input: ProfiledInput): void {
  const { read, malformed } = profile.rows;
  if (read === 0) throw new InputError('INPUT_FORMAT', `${input.name}: ${whyNoRows(input)}`);
  if (malformed === read) {
    const first = profile.malformedSamples[0];
    throw new InputError(
      'INPUT_FORMAT',
      `${input.name}: ${read === 1 ? 'its one record' : `none of its ${read} records`} could ${read === 1 ? 'not ' : ''}be read` +
        (first ? ` (first: line ${first.line}: ${first.reason})` : '') +
        (input.format === 'csv' ? '; check the delimiter, quoting and encoding (manifest csv:)' : ''),
    );
  }
}

function whyNoRows(input: ProfiledInput): string {
  if (input.kind === 'table') return 'the table has no rows; expected at least one';
  const empty = input.kind === 'file' ? 'empty file' : 'empty files';
  if (input.format === 'csv') {
    if (input.header.length > 0) return 'header only: no data rows after it; expected at least one';
    return input.bytes === 0 ? `${empty}: no header` : 'no header and no rows (only blank lines)';
  }
  if (input.format === 'jsonl') {
    return input.bytes === 0
      ? `${empty}: no rows`
      : 'no rows (only blank lines); expected one JSON object per line';
  }
  return 'no rows; expected at least one';
}
