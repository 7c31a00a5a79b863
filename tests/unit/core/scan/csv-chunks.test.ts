import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanCsv } from '../../../../functions/core/scan/csv.ts';
import type { CodedScanSink, RowValues } from '../../../../functions/core/scan/types.ts';
import { chunkedStream, cutStream, recordingSink } from '../../../fixtures/scan/builders.ts';

/**
 * The byte scanner keeps its state across chunks and has a fast lane for plain lines that hands
 * over to the state machine where a line gets hard (a quote, a lone CR, the end of a chunk).
 * Whatever the chunking, the records must come out as from one chunk: well-formed and malformed
 * input alike, through the text sink and through a sink that takes codes.
 */
const piece = fc.constantFrom(
  'f',
  'male',
  '',
  ' ',
  '42',
  '"q"',
  '"a,b"',
  '"say ""hi"""',
  '"x"y', // text after a closing quote: malformed
  'a"b', // a quote inside an unquoted field: literal
  '"line\nbreak"',
  '"cr\r\nlf"',
  '"open', // never closed (only harmful at the end)
  'é',
);
const line = fc.array(piece, { minLength: 1, maxLength: 5 }).map((fields) => fields.join(','));
const file = fc.record({
  header: fc.constantFrom('a,b,c', 'a,b', 'a;b;c'),
  lines: fc.array(line, { maxLength: 12 }),
  newline: fc.constantFrom('\n', '\r\n', '\r'),
  bom: fc.boolean(),
  trailing: fc.boolean(),
  cuts: fc.array(fc.nat(400), { maxLength: 12 }),
  size: fc.integer({ min: 1, max: 17 }),
});

/** A sink that takes codes and records the text behind them, as the profiler would see it. */
function codedSink(): CodedScanSink & { events: unknown[] } {
  const texts = [new Map<string, number>(), new Map<string, number>()];
  const back = [[] as string[], [] as string[]];
  const events: unknown[] = [];
  return {
    events,
    codeOf(column, text) {
      let code = texts[column]!.get(text);
      if (code === undefined) {
        code = back[column]!.length;
        texts[column]!.set(text, code);
        back[column]!.push(text);
      }
      return code;
    },
    rowCodes(codes: Int32Array, values: RowValues, line: number) {
      events.push({ line, values: [0, 1].map((k) => (codes[k]! >= 0 ? back[k]![codes[k]!] : values[k])) });
    },
    row: () => {
      throw new Error('a coded sink gets rowCodes');
    },
    malformed(line: number, reason: string) {
      events.push({ line, malformed: reason });
    },
  };
}

describe('scanCsv in any chunking', () => {
  it('hands over the same records as in one chunk', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const text = `${f.bom ? '\uFEFF' : ''}${f.header}${f.newline}${f.lines.join(f.newline)}${f.trailing ? f.newline : ''}`;
        const bytes = new TextEncoder().encode(text);
        const options = {
          fileName: 'x.csv',
          columns: ['b', 'a'],
          delimiter: f.header.includes(';') ? ';' : ',',
        };
        const scan = async (stream: ReturnType<typeof chunkedStream>, sink = recordingSink()) => {
          try {
            const summary = await scanCsv(stream, options, sink);
            return { summary, events: sink.events };
          } catch (error) {
            return { error: (error as Error).message };
          }
        };
        const whole = await scan(chunkedStream(bytes, bytes.length + 1));
        expect(await scan(chunkedStream(bytes, f.size))).toEqual(whole);
        expect(await scan(cutStream(bytes, f.cuts))).toEqual(whole);
        if ('events' in whole) {
          const coded = codedSink();
          await scanCsv(chunkedStream(bytes, f.size), options, coded);
          expect(coded.events).toEqual(whole.events);
        }
      }),
      { seed: 5, numRuns: 400 },
    );
  });
});
