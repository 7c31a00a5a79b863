import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../functions/core/errors.ts';
import { scanJsonl } from '../../../../functions/core/scan/jsonl.ts';
import { fuzzOptions } from '../../../fixtures/fuzz.ts';
import { cutStream, recordingSink, type ScanEvent } from '../../../fixtures/scan/builders.ts';

/**
 * scanJsonl against a model written from its contract (the doc comment of scanJsonl and
 * scalarText), with JSON.parse as the judge of every line: lines split on LF, a CR before it
 * dropped, a BOM at the start of the file dropped, blank lines skipped, anything JSON.parse refuses
 * malformed. The byte-level extractor of issue #14 must keep passing this.
 */
const COLUMNS = ['sex', 'age', 'address.state', 'address.city', 'a.b.c'] as const;

type Outcome = { events: ScanEvent[]; records: number } | { columnNotFound: string };

function model(bytes: Uint8Array, columns: readonly string[]): Outcome {
  const events: ScanEvent[] = [];
  const seen = new Set<string>();
  let records = 0;
  let objects = 0;
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const last = end === -1;
    if (last) end = bytes.length;
    line++;
    let piece = bytes.subarray(start, end);
    start = end + 1;
    if (piece.at(-1) === 0x0d) piece = piece.subarray(0, -1);
    if (line === 1 && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) piece = piece.subarray(3);
    if (piece.every((b) => b === 0x20 || b === 0x09 || b === 0x0d)) continue;
    records++;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(piece);
    } catch {
      events.push({ line, malformed: 'invalid UTF-8' });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      events.push({ line, malformed: 'not valid JSON' });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      events.push({ line, malformed: `expected a JSON object, found ${kind}` });
      continue;
    }
    objects++;
    const values: (string | null)[] = [];
    let bad: string | undefined;
    for (const column of columns) {
      const found = at(value as Record<string, unknown>, column);
      if (found === undefined) {
        values.push(null);
        continue;
      }
      seen.add(column);
      const v = found.value;
      if (v === null || (isPlainObject(v) && Object.keys(v).length === 0)) values.push(null);
      else if (typeof v === 'string') values.push(v);
      else if (typeof v === 'number' || typeof v === 'boolean') values.push(String(v));
      else {
        bad = `column '${column}' holds ${Array.isArray(v) ? 'an array' : 'an object'}, expected a scalar`;
        break;
      }
    }
    events.push(bad ? { line, malformed: bad } : { line, values });
  }
  const missing = columns.find((c) => !seen.has(c));
  if (objects > 0 && missing !== undefined) return { columnNotFound: missing };
  return { events, records };
}

/** The value at a column: a literal key first, then the dotted path; null under a null object. */
function at(object: Record<string, unknown>, column: string): { value: unknown } | undefined {
  if (Object.hasOwn(object, column)) return { value: object[column] };
  if (!column.includes('.')) return undefined;
  let current: unknown = object;
  for (const key of column.split('.')) {
    if (current === null) return { value: null };
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return { value: current };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const scalar = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('female', 'male', 'Bayern', '', ' ', '"', '\\', '\n', '\u2028', '😀'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
const address = fc.dictionary(fc.constantFrom('state', 'city', 'zip'), fc.oneof(scalar, scalar, anyJson), {
  maxKeys: 3,
});
const object = fc.dictionary(
  fc.constantFrom('sex', 'age', 'address', 'address.state', 'a', 'other'),
  fc.oneof(
    { weight: 5, arbitrary: scalar },
    { weight: 2, arbitrary: address },
    { weight: 1, arbitrary: anyJson },
  ),
  { maxKeys: 6 },
);

/** One line's bytes (no line break): mostly objects, sometimes anything else a file may hold. */
const lineBytes = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(object, fc.constantFrom(0, 1, 2))
      .map(([o, s]) => encode(JSON.stringify(o, null, 0).replace(/,/g, ','.padEnd(s + 1, ' ')))),
  },
  { weight: 1, arbitrary: anyJson.map((v) => encode(JSON.stringify(v))) },
  { weight: 1, arbitrary: object.map((o) => encode(JSON.stringify(o).slice(0, -1))) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encode) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('', ' ', '\t', '\r', '{}', '[]', 'null', '{"sex":"f"', '{"sex":"f"}}')
      .map(encode),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 6 })
      .map((b) =>
        Uint8Array.from([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, ...b.filter((x) => x !== 0x0a), 0x22, 0x7d]),
      ),
  },
);

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

const file = fc.record({
  lines: fc.array(fc.tuple(lineBytes, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }),
  bom: fc.boolean(),
  trailing: fc.boolean(),
  columns: fc.subarray([...COLUMNS], { minLength: 1 }),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
});

describe('scanJsonl against JSON.parse and a model of its contract', () => {
  it('gives the model’s rows, malformed lines and column check for random files in random chunks', async () => {
    await fc.assert(
      fc.asyncProperty(file, async ({ lines, bom, trailing, columns, cuts }) => {
        const parts: number[] = bom ? [0xef, 0xbb, 0xbf] : [];
        lines.forEach(([bytes, newline], i) => {
          parts.push(...bytes);
          if (i < lines.length - 1 || trailing) parts.push(...encode(newline));
        });
        const bytes = Uint8Array.from(parts);
        const expected = model(bytes, columns);
        const sink = recordingSink();
        const actual: Outcome = await scanJsonl(
          cutStream(bytes, cuts),
          { fileName: 'f.jsonl', columns },
          sink,
        ).then(
          (summary) => ({ events: sink.events, records: summary.records }),
          (error: unknown) => {
            if (error instanceof InputError && error.code === 'COLUMN_NOT_FOUND') {
              return { columnNotFound: /column '([^']+)'/.exec(error.message)![1]! };
            }
            throw error;
          },
        );
        expect(actual).toEqual(expected);
      }),
      fuzzOptions(2000, 20261206),
    );
  });
});
