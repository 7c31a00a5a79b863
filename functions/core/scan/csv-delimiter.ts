import { CsvScanner } from './csv-scanner.ts';

/** Candidates, in order of preference when several fit equally well. */
export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

/** How many leading records are compared. */
const SAMPLE_RECORDS = 20;

/** At most this many leading bytes are looked at. */
export const SAMPLE_BYTES = 1024 * 1024;

interface Candidate {
  readonly delimiter: string;
  /** Field counts of the leading records. */
  readonly counts: readonly number[];
}

/**
 * Chooses the delimiter among `,` `;` tab `|` from the first records of `sample` (outside quotes):
 * the candidate whose records all have the same field count, greater than 1, wins (more fields
 * first, then the order above). When no candidate is consistent (a ragged file), the one whose
 * first-record field count (> 1) is shared by most records wins. Falls back to `,` (one column).
 *
 * @param sample the first bytes of the file, BOM removed
 * @param complete true when `sample` is the whole file, so its last record is complete too
 */
export function detectDelimiter(sample: Uint8Array, complete: boolean): string {
  const candidates = DELIMITER_CANDIDATES.map((delimiter) => ({
    delimiter,
    counts: fieldCounts(sample, delimiter, complete),
  }));
  const consistent = candidates.filter(isConsistent);
  if (consistent.length > 0) return best(consistent, (c) => c.counts[0]!).delimiter;
  const splitting = candidates.filter((c) => (c.counts[0] ?? 0) > 1);
  if (splitting.length > 0) {
    return best(splitting, (c) => c.counts.filter((count) => count === c.counts[0]).length).delimiter;
  }
  return ',';
}

function fieldCounts(sample: Uint8Array, delimiter: string, complete: boolean): number[] {
  const counts: number[] = [];
  const scanner = new CsvScanner({
    delimiter: delimiter.charCodeAt(0),
    fileName: 'sample',
    maxRecordBytes: Number.MAX_SAFE_INTEGER,
    onRecord: (record) => {
      if (counts.length < SAMPLE_RECORDS + 1) counts.push(record.count);
    },
  });
  // Enough records are usually in the first few KiB: stop scanning once they are.
  const STEP = 16 * 1024;
  for (let at = 0; at < sample.length && counts.length <= SAMPLE_RECORDS; at += STEP) {
    scanner.push(sample.subarray(at, Math.min(sample.length, at + STEP)));
  }
  const completeRecords = counts.length;
  scanner.finish();
  // The record cut by the end of the sample is partial: ignore it unless it is all there is.
  if (!complete && completeRecords > 0 && counts.length > completeRecords) counts.pop();
  return counts.slice(0, SAMPLE_RECORDS);
}

function isConsistent(candidate: Candidate): boolean {
  const first = candidate.counts[0] ?? 0;
  return first > 1 && candidate.counts.every((count) => count === first);
}

/** The candidate with the highest score; the earliest one on ties. */
function best(candidates: readonly Candidate[], score: (candidate: Candidate) => number): Candidate {
  let winner = candidates[0]!;
  for (const candidate of candidates) if (score(candidate) > score(winner)) winner = candidate;
  return winner;
}
