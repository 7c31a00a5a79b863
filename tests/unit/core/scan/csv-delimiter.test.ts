import { describe, expect, it } from 'vitest';
import { detectDelimiter } from '../../../../functions/core/scan/csv-delimiter.ts';
import { type CsvRecord, CsvScanner } from '../../../../functions/core/scan/csv-scanner.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('detectDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a;b\n1;2\n', ';'],
    ['a\tb\n1\t2\n', '\t'],
    ['a|b\n1|2\n', '|'],
    // commas inside values of a semicolon file (European decimals)
    ['name;price\nfoo;1,5\nbar;2,5\n', ';'],
    // semicolons inside quotes do not count
    ['a,b\n"x;y;z",1\n"p;q",2\n', ','],
    // a tab file whose text has commas
    ['name\tnote\nann\thello, world\nbob\tyes, no, maybe\n', '\t'],
    // one column: nothing splits it
    ['sex\nf\nm\n', ','],
    // ragged: the candidate whose first-record field count is shared most
    ['a,b,c\n1,2\n3,4,5\n6,7,8\n', ','],
    // quoted line breaks do not end records
    ['id;text\n1;"a\nb,c"\n2;d\n', ';'],
    ['', ','],
  ])('detects the delimiter of %j', (text, expected) => {
    expect(detectDelimiter(bytes(text), true)).toBe(expected);
  });

  it('ignores the record cut by the end of the sample', () => {
    // the last, partial line has only one ';' so far
    expect(detectDelimiter(bytes('a;b;c\n1;2;3\n4;5'), false)).toBe(';');
  });

  it('uses a partial first record when the sample holds no complete one', () => {
    expect(detectDelimiter(bytes('a|b|c|d'), false)).toBe('|');
  });

  it('prefers more fields when two candidates are consistent', () => {
    expect(detectDelimiter(bytes('a,b;c;d\n1,2;3;4\n'), true)).toBe(';');
  });
});

describe('CsvScanner', () => {
  function scanAll(text: string, options: { maxRecordBytes?: number; firstLine?: number } = {}) {
    const records: { line: number; fields: string[]; problem: string | null }[] = [];
    const scanner = new CsvScanner({
      delimiter: 0x2c,
      fileName: 'unit.csv',
      ...options,
      onRecord: (record: CsvRecord) => {
        const fields: string[] = [];
        for (let i = 0; i < record.count; i++) {
          const slice = record.bytes.subarray(record.base + record.starts[i]!, record.base + record.ends[i]!);
          const text = new TextDecoder().decode(slice);
          fields.push(record.escaped[i] === 1 ? text.replaceAll('""', '"') : text);
        }
        records.push({ line: record.line, fields, problem: record.problem });
      },
    });
    for (const byte of bytes(text)) scanner.push(Uint8Array.of(byte));
    scanner.finish();
    return records;
  }

  it('reports field boundaries without decoding', () => {
    expect(scanAll('a,"b,""c""",\n\n"",d')).toEqual([
      { line: 1, fields: ['a', 'b,"c"', ''], problem: null },
      { line: 3, fields: ['', 'd'], problem: null },
    ]);
  });

  it('starts counting at firstLine (for byte ranges)', () => {
    expect(scanAll('x\ny\n', { firstLine: 10 }).map((record) => record.line)).toEqual([10, 11]);
  });

  it('grows its field arrays for wide records', () => {
    const wide = Array.from({ length: 500 }, (_, i) => String(i));
    expect(scanAll(`${wide.join(',')}\n`)[0]!.fields).toEqual(wide);
  });

  it('throws an InputError when a record exceeds maxRecordBytes', () => {
    expect(() => scanAll('ok\n"long record\n\n\n', { maxRecordBytes: 8 })).toThrow(
      'unit.csv: line 2: a record is longer than 8 bytes',
    );
  });
});
