import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';

/** Bumped whenever the generated rows change, so cached files are rebuilt. */
const GENERATOR_VERSION = 2;

/** The benchmark's manifest: five profiled columns out of ten, one intersection, consent and label. */
export const BENCH_MANIFEST = `dataset: bench-leads
owner: bench@example.com
consent: { column: consent, granted: ["yes", "true", "1"] }
label: { column: label, positive: ["1"] }
attributes:
  - name: sex
    column: sex
    reference: de-2023/sex
    groups: { female: [female, f, w, frau], male: [male, m, mann], diverse: [diverse, d, x] }
    missing: ["", NA, unknown, prefer not to say]
  - name: age_band
    column: age
    bins: [0, 18, 25, 35, 45, 55, 65, 75]
    reference: de-2023/age_band
  - name: state
    column: state
    reference: de-2023/state
intersections: [[sex, age_band]]
`;

export const BENCH_COLUMNS = [
  'id',
  'user_id',
  'sex',
  'age',
  'state',
  'consent',
  'label',
  'score',
  'created_at',
  'comment',
] as const;

/** Spellings as they turn up in real exports: case, padding, abbreviations, missing markers. */
const SEXES: readonly [string, number][] = [
  ['female', 30],
  ['Female', 8],
  ['F', 6],
  ['f', 3],
  [' w ', 1],
  ['male', 28],
  ['Male', 8],
  ['M', 6],
  ['m', 3],
  ['diverse', 1],
  ['d', 0.5],
  ['', 2],
  ['unknown', 1.5],
  ['prefer not to say', 1],
  ['NA', 0.5],
  ['other', 0.5],
];

const STATES: readonly [string, number][] = [
  ['Baden-Württemberg', 13],
  ['Bayern', 15],
  ['bayern', 1],
  ['Berlin', 5],
  ['Brandenburg', 3],
  ['Bremen', 1],
  ['Hamburg', 2],
  ['Hessen', 7],
  ['Mecklenburg-Vorpommern', 2],
  ['Niedersachsen', 9],
  ['Nordrhein-Westfalen', 21],
  ['NORDRHEIN-WESTFALEN', 1],
  ['Rheinland-Pfalz', 5],
  ['Saarland', 1],
  ['Sachsen', 5],
  ['Sachsen-Anhalt', 2.5],
  ['Schleswig-Holstein', 3.5],
  ['Thüringen', 2.5],
  ['', 1.5],
  ['unknown', 0.5],
];

const CONSENT: readonly [string, number][] = [
  ['yes', 80],
  ['true', 4],
  ['1', 3],
  ['no', 9],
  ['', 4],
];

const WORDS =
  'the quick brown fox jumps over lazy dog data model training label review customer support called about delivery late great product would buy again not happy refund please thanks'.split(
    ' ',
  );

/** mulberry32: a small seeded PRNG, enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted(options: readonly [string, number][], random: () => number): () => string {
  const total = options.reduce((s, [, w]) => s + w, 0);
  const cumulative = options.map(
    (
      (sum) =>
      ([value, w]: [string, number]): [string, number] => {
        sum += w / total;
        return [value, sum];
      }
    )(0),
  );
  return () => {
    const x = random();
    for (const [value, upTo] of cumulative) if (x < upTo) return value;
    return cumulative.at(-1)![0];
  };
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export interface BenchFiles {
  readonly dir: string;
  readonly rows: number;
  readonly seed: number;
  readonly manifest: string;
  readonly csv: string;
  readonly csvGz: string;
  readonly jsonl: string;
  readonly parquet: string;
}

interface Stamp {
  readonly version: number;
  readonly rows: number;
  readonly seed: number;
  readonly bytes: Record<string, number>;
}

/**
 * Writes `rows` deterministic rows as CSV, CSV.gz, JSON Lines and Parquet into `dir` (JSON Lines
 * and Parquet are written by DuckDB from the CSV). Cached: when a stamp file says the files were
 * made with the same generator version, row count and seed, and every file still has the size it
 * had then, nothing is written.
 */
export async function generateBenchData(
  dir: string,
  rows: number,
  seed: number,
  log: (line: string) => void,
): Promise<BenchFiles> {
  const base = `leads-${rows}-s${seed}`;
  const files: BenchFiles = {
    dir,
    rows,
    seed,
    manifest: path.join(dir, 'repscope.yaml'),
    csv: path.join(dir, `${base}.csv`),
    csvGz: path.join(dir, `${base}.csv.gz`),
    jsonl: path.join(dir, `${base}.jsonl`),
    parquet: path.join(dir, `${base}.parquet`),
  };
  await mkdir(dir, { recursive: true });
  await writeFile(files.manifest, BENCH_MANIFEST);
  const stampFile = path.join(dir, `${base}.stamp.json`);
  const dataFiles = [files.csv, files.csvGz, files.jsonl, files.parquet];
  if (await cached(stampFile, dataFiles, rows, seed)) {
    log(`data: cached in ${dir} (${base}.*)`);
    return files;
  }
  await rm(stampFile, { force: true });

  let started = Date.now();
  await writeCsv(files.csv, rows, seed);
  log(`data: wrote ${path.basename(files.csv)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  started = Date.now();
  const gzTemporary = `${files.csvGz}.tmp`;
  await pipeline(createReadStream(files.csv), createGzip({ level: 6 }), createWriteStream(gzTemporary));
  await rename(gzTemporary, files.csvGz);
  log(`data: wrote ${path.basename(files.csvGz)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  started = Date.now();
  const db = await DuckDBInstance.create(':memory:');
  try {
    const c = await db.connect();
    // Typed columns, as a warehouse export would have them ('n/a' ages become NULL: both are missing).
    const source = `(SELECT CAST(id AS BIGINT) AS id, user_id, sex, TRY_CAST(age AS INTEGER) AS age, state, consent, CAST(label AS INTEGER) AS label, CAST(score AS DOUBLE) AS score, CAST(created_at AS TIMESTAMP) AS created_at, "comment" FROM read_csv(${literal(files.csv)}, header = true, all_varchar = true))`;
    // DuckDB's defaults: snappy pages, dictionary encoding for low-cardinality columns.
    await c.run(`COPY ${source} TO ${literal(`${files.parquet}.tmp`)} (FORMAT parquet)`);
    await rename(`${files.parquet}.tmp`, files.parquet);
    await c.run(`COPY ${source} TO ${literal(`${files.jsonl}.tmp`)} (FORMAT json)`);
    await rename(`${files.jsonl}.tmp`, files.jsonl);
    c.closeSync();
  } finally {
    db.closeSync();
  }
  log(`data: wrote Parquet and JSON Lines (DuckDB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const bytes: Record<string, number> = {};
  for (const f of dataFiles) bytes[path.basename(f)] = (await stat(f)).size;
  const stamp: Stamp = { version: GENERATOR_VERSION, rows, seed, bytes };
  await writeFile(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  return files;
}

async function cached(stampFile: string, dataFiles: readonly string[], rows: number, seed: number) {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(await readFile(stampFile, 'utf8')) as Stamp;
  } catch {
    return false;
  }
  if (stamp.version !== GENERATOR_VERSION || stamp.rows !== rows || stamp.seed !== seed) return false;
  for (const f of dataFiles) {
    const size = await stat(f).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== stamp.bytes[path.basename(f)]) return false;
  }
  return true;
}

/** The CSV: CRLF-free, header row, free text quoted where it holds commas or quotes. */
async function writeCsv(file: string, rows: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const sex = weighted(SEXES, random);
  const state = weighted(STATES, random);
  const consent = weighted(CONSENT, random);
  const temporary = `${file}.tmp`;
  const out = createWriteStream(temporary, { highWaterMark: 1 << 22 });
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', resolve));
  await write(`${BENCH_COLUMNS.join(',')}\n`);
  const start = Date.UTC(2024, 0, 1) / 1000;
  let batch: string[] = [];
  for (let i = 1; i <= rows; i++) {
    const r = random();
    const age = r < 0.03 ? '' : r < 0.04 ? 'n/a' : String(14 + Math.floor(random() * 76));
    const userId = Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0')
      .concat(
        Math.floor(random() * 0xffffffff)
          .toString(16)
          .padStart(8, '0'),
      );
    const created = new Date((start + Math.floor(random() * 365 * 86400)) * 1000).toISOString();
    const words: string[] = [];
    const n = 3 + Math.floor(random() * 6);
    for (let w = 0; w < n; w++) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
    const t = random();
    let comment = words.join(' ');
    if (t < 0.1) comment = `${words[0]}, ${comment}`;
    else if (t < 0.12) comment = `said "${comment}"`;
    const row = [
      String(i),
      userId,
      sex(),
      age,
      state(),
      consent(),
      random() < 0.22 ? '1' : '0',
      random().toFixed(4),
      created,
      comment,
    ];
    batch.push(row.map(csvField).join(','));
    if (batch.length === 10_000) {
      await write(`${batch.join('\n')}\n`);
      batch = [];
    }
  }
  if (batch.length > 0) await write(`${batch.join('\n')}\n`);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  await rename(temporary, file);
}

export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
