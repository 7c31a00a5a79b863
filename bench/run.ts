import { execFile, spawn } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleModule } from '../functions/adapters/local/ts-bundle.mjs';
import { workerEntrySource } from '../functions/adapters/local/worker-pool.ts';
import type { BenchFormat } from './duckdb-query.ts';
import { generateBenchData } from './generate.ts';
import type { Counts, MeasureRequest, MeasureResult } from './measure.ts';

/**
 * `npm run bench [-- --rows 10000000 --threads 1,2 --formats csv,parquet --repeat 3
 *   --engines repscope,duckdb,sql]` (`--no-duckdb` drops the `duckdb` engine; `--no-cold-start`
 *   skips the Lambda cold-start measurements that follow, bench/cold-start.ts)
 *
 * Generates the data (cached in bench/data/) and compiles bench/measure.ts once with
 * `bundleModule` (cached in node_modules/.cache/repscope/), then for every format and thread count
 * measures each engine in a child process of its own, `node <compiled measure.mjs> '<json>'`
 * (no TypeScript loader, so the child's peak RSS is the engine's), `--repeat` times each,
 * alternating engines:
 * - `repscope`: `repscope profile` (the CLI's main() called in-process);
 * - `duckdb`: the hand-written lean `GROUP BY GROUPING SETS` query of bench/duckdb-query.ts, the
 *   baseline of the headline ratio repscope/DuckDB;
 * - `sql`: `repscope profile --engine sql` (the counting plan rendered by renderGroupingSetsSql with
 *   every normalisation rule, run by DuckDB), main() called in-process as well.
 *
 * For each engine it prints the run with the best in-process wall time: that time and, in
 * brackets, the child's time from spawn to exit (Node start-up, module loading and DuckDB instance
 * creation included), rows/s and MB/s of the file on disk (repscope and DuckDB), peak RSS (RSS
 * before the timed call in brackets), and the ratios repscope/DuckDB and sql/DuckDB of the
 * in-process wall times. It checks that each engine counted what DuckDB's query counted (without
 * the `duckdb` engine, `sql` against `repscope`) and writes every run's figures to
 * bench/data/results-<rows>.json.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

type Engine = MeasureRequest['engine'];
const ENGINES: readonly Engine[] = ['repscope', 'duckdb', 'sql'];
const LABEL: Record<Engine, string> = { repscope: 'repscope', duckdb: 'DuckDB', sql: 'sql' };

/** One child's result and its time from spawn to exit. */
interface Measurement extends MeasureResult {
  /** Spawn to exit of the child: Node start-up, module loading, DuckDB instance creation included, ms. */
  readonly processMs: number;
}

interface Options {
  rows: number;
  seed: number;
  threads: number[];
  formats: BenchFormat[];
  repeat: number;
  engines: Engine[];
  /** Then measure the Lambda handlers' cold start (bench/cold-start.ts, issue #9's budget). */
  coldStart: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    rows: 2_000_000,
    seed: 42,
    threads: [...new Set([1, availableParallelism()])],
    formats: ['csv', 'csv.gz', 'jsonl', 'parquet'],
    repeat: 3,
    engines: [...ENGINES],
    coldStart: true,
  };
  let noDuckDb = false;
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
    else if (flag === '--engines') {
      const engines = value().split(',');
      const unknown = engines.filter((e) => !(ENGINES as readonly string[]).includes(e));
      if (unknown.length > 0) throw new Error(`--engines: ${unknown.join(', ')}? (${ENGINES.join(', ')})`);
      options.engines = [...new Set(engines as Engine[])];
    } else if (flag === '--no-duckdb') noDuckDb = true;
    else if (flag === '--no-cold-start') options.coldStart = false;
    else throw new Error(`unknown option ${flag}; see bench/run.ts`);
  }
  if (noDuckDb) options.engines = options.engines.filter((e) => e !== 'duckdb');
  if (!Number.isSafeInteger(options.rows) || options.rows < 1) throw new Error('--rows: a whole number');
  if (options.engines.length === 0) throw new Error('no engine left to measure');
  return options;
}

/** Runs one measurement in a child process: the compiled measure.ts, without a TypeScript loader. */
async function measure(measureFile: string, request: MeasureRequest): Promise<Measurement> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, [measureFile, JSON.stringify(request)], {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, REPSCOPE_PROGRESS: '0' },
  });
  const processMs = performance.now() - started;
  return { ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as MeasureResult), processMs };
}

/**
 * Null when engine `a` has the counts `b` has for the attributes and intersections `names`
 * (default: every one `b` counted), else the first difference.
 */
function sameCounts(a: Counts, b: Counts, aName: string, names = Object.keys(b.groups)): string | null {
  if (a.used !== b.used) return `rows used ${a.used} vs ${b.used}`;
  if (a.excludedNoConsent !== b.excludedNoConsent)
    return `rows without consent ${a.excludedNoConsent} vs ${b.excludedNoConsent}`;
  for (const name of names) {
    if (!(name in a.groups)) return `${name}: not counted by ${aName}`;
    if (!(name in b.groups)) return `${name}: counted by ${aName} only`;
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
const seconds = (ms: number) => (ms / 1000).toFixed(2);

const options = parseOptions(process.argv.slice(2));
const log = (line: string) => process.stderr.write(`${line}\n`);
const measureFile = fileURLToPath(
  await bundleModule({ name: 'bench-measure', file: path.join(HERE, 'measure.ts') }),
);
// The worker threads' entry too, so that no timed run compiles it (the CLI builds the same one).
await bundleModule({
  name: 'worker',
  contents: workerEntrySource(
    new URL('../functions/pipeline/parallel-task.ts', import.meta.url),
    'profileRange',
  ),
  resolveDir: path.join(HERE, '..', 'functions', 'adapters', 'local'),
});
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
log(`engines: ${options.engines.join(', ')}; each run: node ${path.relative(process.cwd(), measureFile)}`);

/** The engine every other one is checked against: DuckDB's query, else repscope. */
const reference: Engine | undefined = options.engines.includes('duckdb')
  ? 'duckdb'
  : options.engines.includes('repscope') && options.engines.includes('sql')
    ? 'repscope'
    : undefined;

interface Row {
  format: BenchFormat;
  bytes: number;
  threads: number;
  /** Per engine measured, its run with the best in-process wall time. */
  repscope?: Measurement;
  duckdb?: Measurement;
  sql?: Measurement;
  /** In-process wall time of the best run ÷ DuckDB's best. */
  ratios: { repscopeToDuckdb?: number; sqlToDuckdb?: number };
  /** The engine the others' counts were compared with (absent: nothing compared). */
  countsComparedWith?: Engine;
  /** Per engine compared with `countsComparedWith`: 'yes' or the first difference. */
  countsAgree: Partial<Record<Engine, string>>;
  all: Measurement[];
}
const rows: Row[] = [];
const best = (results: Measurement[]) =>
  results.length === 0 ? undefined : results.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
const ratio = (m: Measurement | undefined, base: Measurement | undefined) =>
  m && base ? m.wallMs / base.wallMs : undefined;
for (const format of options.formats) {
  const file = fileOf[format];
  const bytes = (await stat(file)).size;
  for (const threads of options.threads) {
    const all: Measurement[] = [];
    for (let r = 0; r < options.repeat; r++) {
      for (const engine of options.engines) {
        all.push(await measure(measureFile, { engine, format, file, manifest: files.manifest, threads }));
      }
    }
    const bestOf = Object.fromEntries(
      options.engines.map((e) => [e, best(all.filter((m) => m.engine === e))]),
    ) as Partial<Record<Engine, Measurement>>;
    const countsAgree: Row['countsAgree'] = {};
    const base = reference ? bestOf[reference] : undefined;
    if (reference && base) {
      for (const engine of options.engines) {
        if (engine === reference) continue;
        // Every run of the engine is checked, not only its best.
        let verdict: string | undefined;
        for (const m of all.filter((x) => x.engine === engine)) {
          // DuckDB's query counts a fixed set of attributes; two profiles are compared on all of theirs.
          const names =
            reference === 'duckdb'
              ? undefined
              : [...new Set([...Object.keys(m.counts.groups), ...Object.keys(base.counts.groups)])];
          verdict = sameCounts(m.counts, base.counts, engine, names) ?? verdict ?? 'yes';
          if (verdict !== 'yes') break;
        }
        if (verdict !== undefined) countsAgree[engine] = verdict;
      }
    }
    const ratios: Row['ratios'] = {};
    const repscopeToDuckdb = ratio(bestOf.repscope, bestOf.duckdb);
    const sqlToDuckdb = ratio(bestOf.sql, bestOf.duckdb);
    if (repscopeToDuckdb !== undefined) ratios.repscopeToDuckdb = repscopeToDuckdb;
    if (sqlToDuckdb !== undefined) ratios.sqlToDuckdb = sqlToDuckdb;
    const row: Row = {
      format,
      bytes,
      threads,
      ...bestOf,
      ratios,
      ...(Object.keys(countsAgree).length > 0 ? { countsComparedWith: reference } : {}),
      countsAgree,
      all,
    };
    rows.push(row);
    const timings = options.engines.map((e) => {
      const m = bestOf[e]!;
      return `${e} ${fmt(m.wallMs)} ms (process ${fmt(m.processMs)} ms)`;
    });
    const ratioText = [
      repscopeToDuckdb === undefined ? '' : `  repscope/duckdb ${repscopeToDuckdb.toFixed(2)}`,
      sqlToDuckdb === undefined ? '' : `  sql/duckdb ${sqlToDuckdb.toFixed(2)}`,
    ].join('');
    log(
      `${format.padEnd(7)} ${threads}t  ${timings.join('  ')}${ratioText}  counts agree: ${agreement(row)}`,
    );
  }
}

/** The "counts agree" cell: per engine compared, 'yes' or the first difference. */
function agreement(row: Row): string {
  const entries = Object.entries(row.countsAgree);
  if (entries.length === 0) return 'not compared';
  const against = row.countsComparedWith === 'duckdb' ? '' : ` (vs ${row.countsComparedWith})`;
  return entries.map(([engine, text]) => `${engine}${against}: ${text}`).join('; ');
}

const has = (engine: Engine) => options.engines.includes(engine);
const timeCells = (m: Measurement | undefined) =>
  m ? `${seconds(m.wallMs)} (${seconds(m.processMs)})` : '-';
const rssCells = (m: Measurement | undefined) => (m ? `${fmt(m.maxRssMiB)} (${fmt(m.baselineRssMiB)})` : '-');
const columns: { title: string; cell: (r: Row) => string }[] = [
  { title: 'format', cell: (r) => r.format },
  { title: 'MB', cell: (r) => fmt(r.bytes / 1e6) },
  { title: 'threads', cell: (r) => String(r.threads) },
];
for (const engine of ['repscope', 'duckdb'] as const) {
  if (!has(engine)) continue;
  const rate = (r: Row, per: number) => {
    const m = r[engine];
    return m ? fmt(per / (m.wallMs / 1000)) : '-';
  };
  columns.push(
    { title: `${LABEL[engine]} s (process s)`, cell: (r) => timeCells(r[engine]) },
    { title: 'rows/s', cell: (r) => rate(r, r[engine]?.rows ?? 0) },
    { title: 'MB/s', cell: (r) => rate(r, r.bytes / 1e6) },
    { title: 'peak RSS MiB (before reading)', cell: (r) => rssCells(r[engine]) },
  );
}
if (has('sql')) {
  columns.push(
    { title: 'sql s (process s)', cell: (r) => timeCells(r.sql) },
    { title: 'peak RSS MiB (before reading)', cell: (r) => rssCells(r.sql) },
  );
}
if (has('duckdb') && has('repscope')) {
  columns.push({ title: 'repscope/DuckDB', cell: (r) => r.ratios.repscopeToDuckdb?.toFixed(2) ?? '-' });
}
if (has('duckdb') && has('sql')) {
  columns.push({ title: 'sql/DuckDB', cell: (r) => r.ratios.sqlToDuckdb?.toFixed(2) ?? '-' });
}
columns.push({ title: 'counts agree', cell: agreement });

const lines = [
  `| ${columns.map((c) => c.title).join(' | ')} |`,
  `|${columns.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${columns.map((c) => c.cell(r)).join(' | ')} |`),
];
process.stdout.write(`\n${lines.join('\n')}\n\n`);
const loadAfter = load();
process.stdout.write(
  `${fmt(options.rows)} rows; per engine the run with the best in-process wall time of ${options.repeat}, ` +
    `(process s) its child from spawn to exit; ${cpu}, ${availableParallelism()} cores, ` +
    `Node ${process.version}; load average (1, 5, 15 min) ${loadBefore} before, ${loadAfter} after\n`,
);
const out = path.join(HERE, 'data', `results-${options.rows}.json`);
// Counts are checked above; keep the file small.
const withoutCounts = (m: Measurement) => ({ ...m, counts: undefined });
const saved = rows.map(({ all, repscope, duckdb, sql, ...row }) => ({
  ...row,
  ...(repscope ? { repscope: withoutCounts(repscope) } : {}),
  ...(duckdb ? { duckdb: withoutCounts(duckdb) } : {}),
  ...(sql ? { sql: withoutCounts(sql) } : {}),
  all: all.map(withoutCounts),
}));
await writeFile(
  out,
  `${JSON.stringify(
    {
      options,
      machine: { cpu, cores: availableParallelism(), node: process.version, loadBefore, loadAfter },
      measureModule: path.relative(process.cwd(), measureFile),
      rows: saved,
    },
    null,
    2,
  )}\n`,
);
log(`results: ${path.relative(process.cwd(), out)}`);

if (options.coldStart) {
  // The handlers' cold start in the same run (its own script: it starts s3rver and the Athena
  // stand-in, and builds the bundles as the stack does).
  log('\ncold start of the Lambda handlers (bench/cold-start.ts):');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'cold-start.ts')], {
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`bench/cold-start.ts exited ${code}`);
}
