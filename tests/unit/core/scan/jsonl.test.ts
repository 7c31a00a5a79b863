import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../functions/core/errors.ts';
import { scanJsonl } from '../../../../functions/core/scan/jsonl.ts';
import type { ScanSummary } from '../../../../functions/core/scan/types.ts';
import {
  chunkedStream,
  cutStream,
  fixtureBytes,
  recordingSink,
  rejection,
  type ScanEvent,
  seededCuts,
} from '../../../fixtures/scan/builders.ts';

const encoder = new TextEncoder();

async function scanText(
  text: string | Uint8Array,
  columns: readonly string[],
  chunkSize = 65536,
  fileName = 'people.jsonl',
): Promise<{ summary: ScanSummary; events: ScanEvent[] }> {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  const sink = recordingSink();
  const summary = await scanJsonl(chunkedStream(bytes, chunkSize), { fileName, columns }, sink);
  return { summary, events: sink.events };
}

describe('scanJsonl', () => {
  it('reads dotted paths into nested objects; a literal top-level key with dots wins', async () => {
    const { summary, events } = await scanText(fixtureBytes('nested.jsonl'), [
      'sex',
      'age',
      'address.state',
      'consent',
      'address.city',
    ]);
    expect(events).toEqual([
      { line: 1, values: ['female', '34', 'Bayern', 'true', 'Munich'] },
      { line: 2, values: ['male', '51.5', 'literal wins', 'false', null] },
      { line: 4, values: [null, null, null, null, null] },
      { line: 5, values: ['diverse', null, null, 'yes', 'Hamburg'] },
    ]);
    expect(summary.records).toBe(4);
  });

  it('reports bad lines as malformed with a reason and no content, and skips blank lines', async () => {
    const { summary, events } = await scanText(fixtureBytes('bad-lines.jsonl'), ['sex']);
    expect(events).toEqual([
      { line: 1, values: ['female'] },
      { line: 2, malformed: 'not valid JSON' },
      { line: 3, malformed: 'expected a JSON object, found an array' },
      { line: 4, malformed: 'expected a JSON object, found a string' },
      { line: 5, malformed: "column 'sex' holds an object, expected a scalar" },
      { line: 6, malformed: "column 'sex' holds an array, expected a scalar" },
      { line: 7, malformed: 'invalid UTF-8' },
      { line: 9, values: ['male'] },
      { line: 10, malformed: 'expected a JSON object, found a number' },
      { line: 11, malformed: 'expected a JSON object, found null' },
    ]);
    expect(summary.records).toBe(10);
  });

  it('renders numbers and booleans with String()', async () => {
    const { events } = await scanText(
      '{"a": 1e21, "b": -0, "c": 12345678901234567890, "d": true, "e": 0.1}\n',
      ['a', 'b', 'c', 'd', 'e'],
    );
    expect(events).toEqual([{ line: 1, values: ['1e+21', '0', '12345678901234567000', 'true', '0.1'] }]);
  });

  it('strips a byte order mark, tolerates CRLF, reads a last line without a line break', async () => {
    const { events } = await scanText('\uFEFF{"sex": "f"}\r\n{"sex": "m"}', ['sex']);
    expect(events).toEqual([
      { line: 1, values: ['f'] },
      { line: 2, values: ['m'] },
    ]);
  });

  it('treats a path through a scalar as absent and a path under null as null', async () => {
    const { events } = await scanText('{"a": "x", "b": null}\n{"a": {"b": "y"}, "b": {"c": 1}}\n', [
      'a.b',
      'b.c',
    ]);
    expect(events).toEqual([
      { line: 1, values: [null, null] },
      { line: 2, values: ['y', '1'] },
    ]);
  });

  it('reads an empty object as null, as the scan contract says', async () => {
    const { events } = await scanText('{"sex": {}}\n{"sex": {"a": 1}}\n', ['sex']);
    expect(events).toEqual([
      { line: 1, values: [null] },
      { line: 2, malformed: "column 'sex' holds an object, expected a scalar" },
    ]);
  });

  it('accepts a column that is only ever null', async () => {
    const { events } = await scanText('{"x": null}\n', ['x']);
    expect(events).toEqual([{ line: 1, values: [null] }]);
  });

  it('reads an empty file and a file of malformed lines without a column error', async () => {
    expect(await scanText('', ['sex'])).toEqual({ summary: { records: 0, header: [] }, events: [] });
    expect((await scanText('[1]\n\n', ['sex'])).events).toEqual([
      { line: 1, malformed: 'expected a JSON object, found an array' },
    ]);
  });

  it('gives the same result in 1-byte and random chunks', async () => {
    for (const name of ['nested.jsonl', 'bad-lines.jsonl']) {
      const bytes = fixtureBytes(name);
      const columns = ['sex', 'address.state'];
      const whole = await scanText(bytes, columns, bytes.length);
      expect(await scanText(bytes, columns, 1)).toEqual(whole);
      for (let seed = 1; seed <= 20; seed++) {
        const sink = recordingSink();
        const summary = await scanJsonl(
          cutStream(bytes, seededCuts(bytes.length, 1 + (seed % 5), seed)),
          { fileName: 'people.jsonl', columns },
          sink,
        );
        expect({ summary, events: sink.events }).toEqual(whole);
      }
    }
  });

  it('refuses a column present in no object, naming it, the file and the keys', async () => {
    const error = await rejection(scanText(fixtureBytes('nested.jsonl'), ['gender'], 65536, 'nested.jsonl'));
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('COLUMN_NOT_FOUND');
    expect(error.message).toMatch(/^nested\.jsonl: column 'gender' not found in any of the 4 JSON objects/);
    expect(error.message).toContain("the first object has keys 'id', 'sex', 'age', 'address', 'consent'");
  });

  it('refuses a line longer than the limit, naming the line', async () => {
    const bytes = encoder.encode(`{"a": 1}\n{"a": "${'x'.repeat(200)}"}\n`);
    for (const chunkSize of [bytes.length, 16]) {
      const sink = recordingSink();
      const error = await rejection(
        scanJsonl(chunkedStream(bytes, chunkSize), { fileName: 'long.jsonl', columns: ['a'] }, sink, {
          maxLineBytes: 100,
        }),
      );
      expect(error).toBeInstanceOf(InputError);
      expect(error.code).toBe('INPUT_FORMAT');
      expect(error.message).toBe(
        'long.jsonl: line 2: a line is longer than 100 bytes; JSON Lines needs one object per line',
      );
    }
  });

  it('keeps values out of reasons and messages', async () => {
    const secret = 'SECRET-VALUE';
    const text = `{"sex": "${secret}", "x": {"y": "${secret}"}}\n{"sex": "${secret}\n["${secret}"]\n{"sex": {"v": "${secret}"}}\n`;
    const { events } = await scanText(text, ['sex']);
    for (const event of events) if ('malformed' in event) expect(event.malformed).not.toContain(secret);
    const error = await rejection(scanText(text, ['gender']));
    expect(error.message).not.toContain(secret);
  });
});
