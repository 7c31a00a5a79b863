import { execFile } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchFormat } from './duckdb-query.ts';
import { generateBenchData } from './generate.ts';
import type { Counts, MeasureRequest, MeasureResult } from './measure.ts';

/**
 * `npm run bench [-- --rows 10000000 --threads 1,2 --formats csv,parquet --repeat 3]`
 *
 * Generates the data (cached in bench/data/), then for every format and thread count runs
 * `repscope profile` (the CLI's main() in-process, in a child process of its own) and the same
 * counts as one DuckDB `GROUP BY GROUPING SETS` query (another child process), `--repeat` times
 * each, alternating engines. Prints the best wall time of each with rows/s, MB/s of the file on
 * disk, its peak RSS, and the ratio repscope/DuckDB; checks that both counted the same; writes
 * everything to bench/data/results-<rows>.json.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

interface Options {
  rows: number;
  seed: number;
  threads: number[];
  formats: BenchFormat[];
  repeat: number;
  duckdb: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    rows: 2_000_000,
    seed: 42,
    threads: [...new Set([1, availableParallelism()])],
    formats: ['csv', 'csv.gz', 'jsonl', 'parquet'],
    repeat: 3,
    duckdb: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--rows') options.rows = Number(value());
    else if (flag === '--seed') options.seed = Number(value());
    else if (flag === '--threads') options.threads = value().split(',').map(Number);
    else if (flag === '--formats') options.formats = value().split(',') as BenchFormat[];
    else if (flag === '--repeat') options.repeat = Number(value());
    else if (flag === '--no-duckdb') options.duckdb = false;
    else throw new Error(`unknown option ${flag}; see bench/run.ts`);
  }
  if (!Number.isSafeInteger(options.rows) || options.rows < 1) throw new Error('--rows: a whole number');
  return options;
}

async function measure(request: MeasureRequest): Promise<MeasureResult> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(HERE, 'measure.ts'), JSON.stringify(request)],
    { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, REPSCOPE_PROGRESS: '0' } },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as MeasureResult;
}

/** Null when `a` (repscope) has every count `b` (DuckDB) has, else the first difference. */
function sameCounts(a: Counts, b: Counts): string | null {
  if (a.used !== b.used) return `rows used ${a.used} vs ${b.used}`;
  if (a.excludedNoConsent !== b.excludedNoConsent)
    return `rows without consent ${a.excludedNoConsent} vs ${b.excludedNoConsent}`;
  for (const name of Object.keys(b.groups)) {
    if (!(name in a.groups)) return `${name}: not counted by repscope`;
    const x = a.groups[name] ?? {};
    const y = b.groups[name] ?? {};
    for (const group of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (JSON.stringify(x[group]) !== JSON.stringify(y[group]))
        return `${name} ${group}: ${JSON.stringify(x[group])} vs ${JSON.stringify(y[group])}`;
    }
  }
  return null;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const options = parseOptions(process.argv.slice(2));
const log = (line: string) => process.stderr.write(`${line}\n`);
const files = await generateBenchData(path.join(HERE, 'data'), options.rows, options.seed, log);
const fileOf: Record<BenchFormat, string> = {
  csv: files.csv,
  'csv.gz': files.csvGz,
  jsonl: files.jsonl,
  parquet: files.parquet,
};
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadBefore = load();
log(
  `machine: ${cpu}, ${availableParallelism()} cores, Node ${process.version}; ${fmt(options.rows)} rows; load ${loadBefore}`,
);

interface Row {
  format: BenchFormat;
  bytes: number;
  threads: number;
  repscope: MeasureResult;
  duckdb?: MeasureResult;
  countsAgree: string;
  all: MeasureResult[];
}
const rows: Row[] = [];
const best = (results: MeasureResult[]) => results.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
for (const format of options.formats) {
  const file = fileOf[format];
  const bytes = (await stat(file)).size;
  for (const threads of options.threads) {
    const all: MeasureResult[] = [];
    for (let r = 0; r < options.repeat; r++) {
      const request = { format, file, manifest: files.manifest, threads };
      all.push(await measure({ ...request, engine: 'repscope' }));
      if (options.duckdb) all.push(await measure({ ...request, engine: 'duckdb' }));
    }
    const repscope = best(all.filter((m) => m.engine === 'repscope'));
    const duck = options.duckdb ? best(all.filter((m) => m.engine === 'duckdb')) : undefined;
    const disagreement = duck ? sameCounts(repscope.counts, duck.counts) : 'not compared';
    const row: Row = {
      format,
      bytes,
      threads,
      repscope,
      ...(duck ? { duckdb: duck } : {}),
      countsAgree: disagreement ?? 'yes',
      all,
    };
    rows.push(row);
    const ratio = duck ? (repscope.wallMs / duck.wallMs).toFixed(2) : '-';
    log(
      `${format.padEnd(7)} ${threads}t  repscope ${fmt(repscope.wallMs)} ms  duckdb ${duck ? fmt(duck.wallMs) : '-'} ms  ratio ${ratio}  counts agree: ${row.countsAgree}`,
    );
  }
}

const header =
  '| format | MB | threads | repscope s | rows/s | MB/s | peak RSS MiB (before reading) | DuckDB s | rows/s | MB/s | peak RSS MiB (before reading) | repscope/DuckDB | counts agree |';
const lines = [
  header,
  `|${header
    .split('|')
    .slice(1, -1)
    .map(() => '---')
    .join('|')}|`,
];
for (const r of rows) {
  const mb = r.bytes / 1e6;
  const cells = (m: MeasureResult | undefined) =>
    m
      ? [
          (m.wallMs / 1000).toFixed(2),
          fmt(m.rows / (m.wallMs / 1000)),
          fmt(mb / (m.wallMs / 1000)),
          `${fmt(m.maxRssMiB)} (${fmt(m.baselineRssMiB)})`,
        ]
      : ['-', '-', '-', '-'];
  lines.push(
    `| ${r.format} | ${fmt(mb)} | ${r.threads} | ${cells(r.repscope).join(' | ')} | ${cells(r.duckdb).join(' | ')} | ${r.duckdb ? (r.repscope.wallMs / r.duckdb.wallMs).toFixed(2) : '-'} | ${r.countsAgree} |`,
  );
}
process.stdout.write(`\n${lines.join('\n')}\n\n`);
const loadAfter = load();
process.stdout.write(
  `${fmt(options.rows)} rows; best of ${options.repeat} runs each; ${cpu}, ${availableParallelism()} cores, ` +
    `Node ${process.version}; load average (1, 5, 15 min) ${loadBefore} before, ${loadAfter} after\n`,
);
const out = path.join(HERE, 'data', `results-${options.rows}.json`);
// Counts are checked above; keep the file small.
const saved = rows.map(({ all, repscope, duckdb, ...row }) => ({
  ...row,
  repscope: { ...repscope, counts: undefined },
  ...(duckdb ? { duckdb: { ...duckdb, counts: undefined } } : {}),
  all: all.map((m) => ({ ...m, counts: undefined })),
}));
await writeFile(
  out,
  `${JSON.stringify({ options, machine: { cpu, cores: availableParallelism(), node: process.version, loadBefore, loadAfter }, rows: saved }, null, 2)}\n`,
);
log(`results: ${path.relative(process.cwd(), out)}`);
