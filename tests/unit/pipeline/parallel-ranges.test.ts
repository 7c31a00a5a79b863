import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../functions/core/manifest/parse.ts';
import type { ObjectStore } from '../../../functions/core/ports.ts';
import { buildPlan, type CountingPlan } from '../../../functions/core/profile/plan.ts';
import { readCsvLayout } from '../../../functions/core/scan/csv.ts';
import {
  type FileProfile,
  mergeRangeResults,
  profileFileInRanges,
  type SplitFile,
  splitFile,
} from '../../../functions/pipeline/parallel-profile.ts';
import {
  decodePlan,
  encodePlan,
  profileRange,
  type RangeResult,
  type RangeSpec,
  type RangeTask,
} from '../../../functions/pipeline/parallel-task.ts';
import { memoryStore } from './memory-store.ts';

/**
 * DESIGN.md habit 4: splitting the input anywhere and merging gives the same profile. Here the
 * input is a file's bytes, split at arbitrary byte offsets the way workers split it: each range
 * skips its partial first line and reads past its end to finish its last record.
 */
const MANIFEST = `
dataset: t
consent: { column: consent, granted: [yes] }
label: { column: y, positive: ["1"] }
attributes:
  - { name: sex, column: sex, groups: { female: [f], male: [m] }, missing: ["", n/a] }
  - { name: age_band, column: age, bins: [0, 18, 65] }
  - { name: state, column: address.state }
intersections: [[sex, age_band]]
`;
const PLAN: CountingPlan = buildPlan(parseManifest(MANIFEST, 'm.yaml'));
const encoder = new TextEncoder();

function fileOf(key: string, bytes: Uint8Array, format: 'csv' | 'jsonl'): SplitFile {
  return { key, name: key, format, compression: 'none', bytes: bytes.length };
}

function task(file: SplitFile, range: RangeSpec, first = true): RangeTask {
  return {
    plan: encodePlan(first ? PLAN : { ...PLAN, sampleValuesForIdentifiers: false }),
    file,
    csv: {},
    range,
  };
}

/** Ranges cut at `cuts` (sorted, distinct, inside (dataStart, size)), as splitFile makes them. */
function textRanges(
  cuts: readonly number[],
  dataStart: number,
  size: number,
  layout?: RangeSpec,
): RangeSpec[] {
  const points = [...new Set(cuts.filter((c) => c > dataStart && c < size))].sort((a, b) => a - b);
  const bounds = [0, ...points, size];
  return bounds.slice(0, -1).map((start, index) => ({
    kind: 'text',
    index,
    offset: index === 0 ? 0 : start - 1,
    skipToLineStart: index > 0,
    stopAt: bounds[index + 1]!,
    ...(layout && layout.kind === 'text' && layout.layout ? { layout: layout.layout } : {}),
  }));
}

async function wholeProfile(store: ObjectStore, file: SplitFile): Promise<RangeResult> {
  return profileRange(store, task(file, { kind: 'whole' }));
}

async function splitProfile(store: ObjectStore, file: SplitFile, ranges: readonly RangeSpec[]) {
  const results: RangeResult[] = [];
  for (const [i, range] of ranges.entries())
    results.push(await profileRange(store, task(file, range, i === 0)));
  return mergeRangeResults(PLAN, file, results);
}

// --- CSV ------------------------------------------------------------------------------------

const csvField = fc.oneof(
  fc.constantFrom('f', 'm', 'F', ' m ', '', 'n/a', 'x', '17', '18', '64', '65', 'abc', 'yes', 'no', '1', '0'),
  fc.constantFrom('Bayern', 'berlin', 'a,b', 'say "hi"', '""', 'é', '日本'),
);
const newlineField = fc.constantFrom('line\nbreak', 'cr\r\nlf', 'two\n\nbreaks');
const csvCase = fc.record({
  rows: fc.array(fc.array(csvField, { minLength: 6, maxLength: 6 }), { maxLength: 25 }),
  newline: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  trailing: fc.boolean(),
  quoteAll: fc.boolean(),
  /** Extra lines mixed in: empty lines and malformed records. */
  extras: fc.array(
    fc.tuple(
      fc.nat(30),
      fc.constantFrom('', '1,f,"x"y,a,yes,1', '1,2', '1,m,30,Bayern,yes,1,extra', '1,\xff,30,Bayern,yes,1'),
    ),
    { maxLength: 4 },
  ),
  /** A quoted line break in one row (then the file cannot be split at line feeds). */
  breakAt: fc.option(fc.tuple(fc.nat(30), newlineField), { nil: undefined }),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
});

type CsvCase = typeof csvCase extends fc.Arbitrary<infer T> ? T : never;

function csvBytes(c: CsvCase): Uint8Array {
  const quote = (v: string) => (c.quoteAll || /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = c.rows.map((r) => r.map(quote).join(','));
  for (const [at, line] of c.extras) lines.splice(at % (lines.length + 1), 0, line);
  if (c.breakAt) {
    const [at, text] = c.breakAt;
    lines.splice(at % (lines.length + 1), 0, `9,f,30,${quote(text)},yes,1`);
  }
  const text = `${c.bom ? '\uFEFF' : ''}id,sex,age,address.state,consent,y${c.newline}${lines.join(c.newline)}${c.trailing ? c.newline : ''}`;
  // The \xff placeholder becomes an invalid UTF-8 byte.
  const bytes = encoder.encode(text);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0xc3 && bytes[i + 1] === 0xbf) {
      out.push(0xff);
      i++;
    } else out.push(bytes[i]!);
  }
  return Uint8Array.from(out);
}

describe('CSV byte ranges', () => {
  it('any split gives the profile of one pass, or is caught as not joining up', async () => {
    await fc.assert(
      fc.asyncProperty(csvCase, async (c) => {
        const bytes = csvBytes(c);
        const store = memoryStore({ 'd.csv': bytes }, 5);
        const file = fileOf('d.csv', bytes, 'csv');
        const whole = await wholeProfile(store, file);
        const layout = readCsvLayout(bytes, true, { columns: PLAN.columns, fileName: 'd.csv' });
        if (layout === undefined) return; // no complete first record: never split
        const ranges = textRanges(
          c.cuts.map((x) => x % (bytes.length + 1)),
          layout.dataStart,
          bytes.length,
          { kind: 'text', index: 0, offset: 0, skipToLineStart: false, stopAt: 0, layout },
        );
        const merged = await splitProfile(store, file, ranges);
        if (layout.unsplittable === null) expect(merged).toBeDefined();
        if (merged !== undefined) {
          expect(merged.profile).toEqual(whole.profile);
          expect(merged.header).toEqual(whole.header);
        }
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('knows which files it cannot split', () => {
    const layout = (text: string) =>
      readCsvLayout(encoder.encode(text), true, { columns: ['a'], fileName: 'x' });
    expect(layout('a,b\n1,2\n')?.unsplittable).toBeNull();
    expect(layout('a,b\r\n1,2\r\n')?.unsplittable).toBeNull();
    expect(layout('a,b\n1,"x\ny"\n')?.unsplittable).toBe('quoted fields hold line breaks');
    expect(layout('a,b\r1,2\r')?.unsplittable).toBe('lines end with a lone carriage return');
    expect(layout('\uFEFFa,b\n1,2\n')).toMatchObject({ dataStart: 7, header: ['a', 'b'], delimiter: ',' });
    expect(readCsvLayout(encoder.encode('a,b'), false, { columns: ['a'], fileName: 'x' })).toBeUndefined();
  });
});

// --- JSON Lines -------------------------------------------------------------------------------

const jsonLine = fc.oneof(
  fc
    .record({
      sex: fc.constantFrom('f', 'm', 'x', '', null),
      age: fc.constantFrom(3, 17, 18, 64.5, 65, '30', null, 'n/a'),
      address: fc.constantFrom({ state: 'Bayern' }, { state: null }, null, { city: 'x' }, { state: ['a'] }),
      consent: fc.constantFrom('yes', 'no', true),
      y: fc.constantFrom(1, 0, '1', null),
    })
    .map((o) => JSON.stringify(o)),
  fc.constantFrom('', '   ', 'not json', '[1,2]', '"text"', '{"sex":"f","age":30,"consent":"yes","y":1}'),
);
const jsonlCase = fc.record({
  lines: fc.array(jsonLine, { maxLength: 30 }),
  newline: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  trailing: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
});

describe('JSON Lines byte ranges', () => {
  it('any split gives the profile of one pass, column check included', async () => {
    await fc.assert(
      fc.asyncProperty(jsonlCase, async (c) => {
        const bytes = encoder.encode(
          `${c.bom ? '\uFEFF' : ''}${c.lines.join(c.newline)}${c.trailing ? c.newline : ''}`,
        );
        const store = memoryStore({ 'd.jsonl': bytes }, 6);
        const file = fileOf('d.jsonl', bytes, 'jsonl');
        const ranges = textRanges(
          c.cuts.map((x) => x % (bytes.length + 1)),
          0,
          bytes.length,
        );
        let whole: RangeResult | Error;
        try {
          whole = await wholeProfile(store, file);
        } catch (error) {
          whole = error as Error;
        }
        let merged: ReturnType<typeof mergeRangeResults> | Error;
        try {
          merged = await splitProfile(store, file, ranges);
        } catch (error) {
          merged = error as Error;
        }
        if (whole instanceof Error) {
          expect((merged as Error).message).toBe(whole.message);
          return;
        }
        expect(merged).toBeDefined();
        expect((merged as { profile: unknown }).profile).toEqual(whole.profile);
        expect((merged as { header: unknown }).header).toEqual(whole.header);
      }),
      { seed: 12, numRuns: 300 },
    );
  });
});

// --- profileFileInRanges ------------------------------------------------------------------------

/** `rows` rows of 6 fields; `middle` (default: a malformed record) goes in after row `at`. */
function bigCsv(rows: number, middle = '1,2', at = Math.floor(rows / 2)): Uint8Array {
  const lines = ['id,sex,age,address.state,consent,y'];
  const sexes = ['f', 'm', 'F', '', 'n/a', 'x'];
  for (let i = 0; i < rows; i++) {
    const state = i % 3 === 0 ? '"Bay,ern"' : 'berlin';
    lines.push(
      `${i},${sexes[i % 6]},${(i * 7) % 90},${state},${i % 10 ? 'yes' : 'no'},${i % 4 === 0 ? 1 : 0}`,
    );
    if (i === at) lines.push(middle);
  }
  return encoder.encode(`${lines.join('\n')}\n`);
}

async function profiled(store: ObjectStore, file: SplitFile, threads: number): Promise<FileProfile> {
  return profileFileInRanges(
    store,
    file,
    PLAN,
    {},
    { threads, minRangeBytes: 4096, minSplitBytes: 0, rangesPerThread: 3 },
    () => {},
  );
}

describe('profileFileInRanges', () => {
  it('splits a big CSV file into ranges and gets the one-pass profile, malformed line numbers included', async () => {
    const bytes = bigCsv(3000);
    const store = memoryStore({ 'd.csv': bytes }, 4096);
    const file = fileOf('d.csv', bytes, 'csv');
    const one = await profiled(store, file, 1);
    const four = await profiled(store, file, 4);
    expect(one.ranges).toBe(1);
    expect(one.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(four.ranges).toBe(12);
    expect(four.sha256).toBeUndefined();
    expect(four.profile).toEqual(one.profile);
    expect(four.profile.malformedSamples).toEqual([{ line: 1503, reason: 'expected 6 fields, found 2' }]);
    expect(four.header).toEqual(one.header);
  });

  it('reads a file again in one pass when a quoted line break crosses a split it could not foresee', async () => {
    // A quoted field of many lines, past the 1 MiB the split looks at and longer than a range:
    // some ranges start inside it, the ranges do not join up, and the file is read in one pass.
    const quoted = `7,f,30,"${'many\nlines\n'.repeat(60_000)}",yes,1`;
    const bytes = bigCsv(60_000, quoted, 50_000);
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024);
    const store = memoryStore({ 'd.csv': bytes }, 65536);
    const file = fileOf('d.csv', bytes, 'csv');
    const one = await profiled(store, file, 1);
    const four = await profileFileInRanges(
      store,
      file,
      PLAN,
      {},
      { threads: 4, minRangeBytes: 65536, minSplitBytes: 0 },
      () => {},
    );
    expect(four.ranges).toBe(1);
    expect(four.profile).toEqual(one.profile);
  });

  it('does not split gzip, small files or a single thread', async () => {
    const bytes = bigCsv(3000);
    const store = memoryStore({ 'd.csv': bytes }, 4096);
    const file = fileOf('d.csv', bytes, 'csv');
    const options = { threads: 4, minRangeBytes: 4096, minSplitBytes: 0, rangesPerThread: 4 };
    expect(await splitFile(store, { ...file, compression: 'gzip' }, PLAN, {}, options)).toEqual([
      { kind: 'whole' },
    ]);
    expect(await splitFile(store, file, PLAN, {}, { threads: 4 })).toEqual([{ kind: 'whole' }]);
    // Below the minimum split size (128 MiB for CSV by default) a worker would not pay for its start.
    expect(await splitFile(store, file, PLAN, {}, { threads: 4, minRangeBytes: 4096 })).toEqual([
      { kind: 'whole' },
    ]);
    expect(await splitFile(store, file, PLAN, {}, { ...options, threads: 1 })).toEqual([{ kind: 'whole' }]);
    expect((await splitFile(store, file, PLAN, {}, options)).length).toBe(16);
  });
});

// --- the task as data ----------------------------------------------------------------------------

describe('RangeTask is plain JSON', () => {
  it('carries every plan field through JSON, Maps and Sets included', () => {
    const plan = buildPlan(
      parseManifest(
        `dataset: t
weight: w
source: { column: channel }
consent: { column: consent, granted: [yes] }
label: { column: y, positive: ["1"], strata: region }
privacy: { sampleValuesForIdentifiers: true }
attributes:
  - { name: sex, column: sex, reference: de-2023/sex, groups: { female: [f], male: [m] } }
  - { name: age_band, column: age, bins: [0, 18, 65], reference: de-2023/age_band }
  - { name: region, column: region }
intersections: [[sex, age_band]]
`,
        'm.yaml',
      ),
      () => ['a', 'b'],
    );
    const json = JSON.parse(JSON.stringify(encodePlan(plan)));
    expect(decodePlan(json)).toEqual(plan);
  });

  it('runs the same from a task that went through JSON, and its result goes through JSON unchanged', async () => {
    const bytes = bigCsv(500);
    const store = memoryStore({ 'd.csv': bytes }, 4096);
    const file = fileOf('d.csv', bytes, 'csv');
    const layout = readCsvLayout(bytes, true, { columns: PLAN.columns, fileName: 'd.csv' })!;
    const range: RangeSpec = {
      kind: 'text',
      index: 1,
      offset: 5000,
      skipToLineStart: true,
      stopAt: 9000,
      layout,
    };
    const direct = await profileRange(store, task(file, range, false));
    const viaJson = await profileRange(store, JSON.parse(JSON.stringify(task(file, range, false))));
    expect(viaJson).toEqual(direct);
    expect(JSON.parse(JSON.stringify(direct))).toEqual(direct);
    expect(direct.text).toMatchObject({
      begin: bytes.indexOf(0x0a, 5000) + 1,
      end: bytes.indexOf(0x0a, 9000 - 1) + 1,
    });
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => encodePlan({ ...PLAN, columns: [() => 1] } as unknown as CountingPlan)).toThrow(
      /plan\.columns\[0\] is a function/,
    );
  });

  it('reads past a range end in more ranged reads when the last record is long', async () => {
    const long = 'x'.repeat(700_000);
    const bytes = encoder.encode(
      `id,sex,age,address.state,consent,y\n1,f,30,${long},yes,1\n2,m,40,b,yes,0\n`,
    );
    const store = memoryStore({ 'd.csv': bytes }, 100_000);
    const file = fileOf('d.csv', bytes, 'csv');
    const layout = readCsvLayout(bytes.slice(0, 1000), false, { columns: PLAN.columns, fileName: 'd.csv' })!;
    const first = await profileRange(
      store,
      task(file, { kind: 'text', index: 0, offset: 0, skipToLineStart: false, stopAt: 100, layout }),
    );
    expect(first.profile.rows.read).toBe(1);
    expect(first.text?.end).toBe(bytes.indexOf(0x0a, 100) + 1);
    expect(store.reads.length).toBeGreaterThan(1);
  });
});
