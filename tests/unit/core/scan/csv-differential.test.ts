import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanCsv } from '../../../../functions/core/scan/csv.ts';
import { fuzzOptions } from '../../../fixtures/fuzz.ts';
import { cutStream, recordingSink } from '../../../fixtures/scan/builders.ts';

/** Characters that stress a CSV reader, plus any single grapheme. */
const unit = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ',',
      ';',
      '\t',
      '|',
      '"',
      '""',
      '\n',
      '\r',
      '\r\n',
      ' ',
      'é',
      '日本',
      '😀',
      '\uFEFF',
    ),
  },
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);
const field = fc.string({ unit, maxLength: 12 });

/** A random table (header + rows), a delimiter, a line break and how to quote it. */
const csvCase = fc
  .record({
    width: fc.integer({ min: 1, max: 6 }),
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    newline: fc.constantFrom('\n', '\r\n'),
    trailingNewline: fc.boolean(),
    quoteAll: fc.boolean(),
  })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      header: fc.uniqueArray(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }), {
        minLength: shape.width,
        maxLength: shape.width,
      }),
      rows: fc.array(fc.array(field, { minLength: shape.width, maxLength: shape.width }), { maxLength: 15 }),
      projection: fc.subarray([...Array(shape.width).keys()], { minLength: 1 }),
      cuts: fc.array(fc.nat(), { maxLength: 8 }),
    }),
  );

function serialise(value: string, delimiter: string, quoteAll: boolean): string {
  const needsQuotes = /["\r\n]/.test(value) || value.includes(delimiter) || value.startsWith('\uFEFF');
  return quoteAll || needsQuotes ? `"${value.replaceAll('"', '""')}"` : value;
}

describe('scanCsv against csv-parse', () => {
  it('projects the same values as csv-parse for random tables', async () => {
    await fc.assert(
      fc.asyncProperty(csvCase, async ({ shape, header, rows, projection, cuts }) => {
        const { delimiter, newline } = shape;
        const lines = [header, ...rows].map((row) =>
          row.map((value) => serialise(value, delimiter, shape.quoteAll)).join(delimiter),
        );
        const text = lines.join(newline) + (shape.trailingNewline ? newline : '');
        const bytes = new TextEncoder().encode(text);
        const expected: string[][] = parse(text, {
          delimiter,
          skip_empty_lines: true,
          relax_column_count: true,
        });
        const columns = projection.map((index) => header[index]!);

        const sink = recordingSink();
        const summary = await scanCsv(
          cutStream(bytes, cuts),
          { fileName: 'random.csv', columns, delimiter },
          sink,
        );

        // csv-parse's header row is the first record; the data rows follow.
        expect(summary.header).toEqual(expected[0]);
        expect(sink.events.every((event) => 'values' in event)).toBe(true);
        expect(sink.rows).toEqual(
          expected.slice(1).map((record) => projection.map((index) => record[index])),
        );
        expect(summary.records).toBe(expected.length - 1);
      }),
      fuzzOptions(3000, 20240601),
    );
  });

  it('detects the delimiter csv-parse was told, when the header has no other candidate', async () => {
    const safeField = fc.string({
      unit: fc.constantFrom('a', 'b', ' ', '"', ',', ';', '\n', 'é'),
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(',', ';', '\t', '|'),
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.array(safeField, { minLength: 5, maxLength: 5 }), { maxLength: 10 }),
        async (delimiter, width, rows) => {
          const header = Array.from({ length: width }, (_, i) => `c${i}`);
          const text = [header, ...rows.map((row) => row.slice(0, width))]
            .map((row) => row.map((value) => serialise(value, delimiter, false)).join(delimiter))
            .join('\n');
          const sink = recordingSink();
          const summary = await scanCsv(
            cutStream(new TextEncoder().encode(text), []),
            { fileName: 'random.csv', columns: header },
            sink,
          );
          expect(summary.delimiter).toBe(delimiter);
          expect(sink.rows).toEqual(
            (parse(text, { delimiter, skip_empty_lines: true }) as string[][]).slice(1),
          );
        },
      ),
      fuzzOptions(1000, 7),
    );
  });

  it('refuses a file ending inside a quote where csv-parse does, naming the line the quote opened on', async () => {
    await fc.assert(
      fc.asyncProperty(
        csvCase,
        fc.string({ unit: fc.constantFrom('a', ',', ';', ' ', '\n', 'é'), maxLength: 10 }),
        async ({ shape, header, rows }, tail) => {
          const { delimiter, newline } = shape;
          const lines = [header, ...rows].map((row) =>
            row.map((value) => serialise(value, delimiter, shape.quoteAll)).join(delimiter),
          );
          // A last record whose only field opens a quote that is never closed.
          const head = `${lines.join(newline)}${newline}`;
          const text = `${head}"${tail}`;
          expect(() => parse(text, { delimiter, skip_empty_lines: true, relax_column_count: true })).toThrow(
            expect.objectContaining({ code: 'CSV_QUOTE_NOT_CLOSED' }),
          );
          const line = head.split(/\r\n|\n|\r/).length;
          await expect(
            scanCsv(
              cutStream(new TextEncoder().encode(text), []),
              { fileName: 'random.csv', columns: [header[0]!], delimiter },
              recordingSink(),
            ),
          ).rejects.toThrow(`random.csv: line ${line}: a quote opened here is never closed`);
        },
      ),
      fuzzOptions(500, 11),
    );
  });
});
