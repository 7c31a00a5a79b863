import { main } from '../functions/cli/main.ts';
import type { Profile } from '../functions/core/profile/profile.ts';
import type { BenchFormat } from './duckdb-query.ts';

/**
 * One measurement in its own process (so its peak RSS is its own), run by bench/run.ts, which
 * compiles this file with `bundleModule` (functions/adapters/local/ts-bundle.mjs) and starts
 * `node <compiled measure.mjs> '<json>'`, without a TypeScript loader in the process
 * (`tsx bench/measure.ts '<json>'` works as well, but tsx's loader thread adds ~35 MB of RSS).
 * Prints one JSON line with the wall time, CPU time, peak RSS and the counts, in a shape every
 * engine shares so run.ts can check that they agree.
 *
 * Engines:
 * - `repscope`: the CLI's `main(['profile', file, '--manifest', m, '--threads', n])` in-process;
 * - `sql`: the same call with `--engine sql` (the counting plan rendered by `renderGroupingSetsSql`
 *   and run by DuckDB; loading DuckDB and creating its instance are part of the timed call, as
 *   they are part of `repscope profile --engine sql`);
 * - `duckdb`: the hand-written lean query of bench/duckdb-query.ts (instance creation not timed).
 *
 * DuckDB (~35 MB resident once its native library is loaded) and bench/duckdb-query.ts are
 * imported only by the `duckdb` engine, so the other engines' RSS holds only what they load.
 */
export interface MeasureRequest {
  readonly engine: 'repscope' | 'duckdb' | 'sql';
  readonly format: BenchFormat;
  readonly file: string;
  readonly manifest: string;
  readonly threads: number;
}

/** Counts every engine reports: rows kept and dropped, then per `attribute` → group → [rows, positives]. */
export interface Counts {
  readonly used: number;
  readonly excludedNoConsent: number;
  readonly groups: Record<string, Record<string, [number, number]>>;
}

export interface MeasureResult {
  readonly engine: MeasureRequest['engine'];
  readonly format: BenchFormat;
  readonly threads: number;
  /** Wall time of the timed call, in the process (start-up and module loading not included), ms. */
  readonly wallMs: number;
  /** CPU time of the timed call (every thread of the process), ms. */
  readonly cpuMs: number;
  /** Peak resident set of the measuring process (worker threads included), MiB. */
  readonly maxRssMiB: number;
  /**
   * Resident set just before the timed call (the measuring modules loaded, for `duckdb` its
   * instance created, nothing read), MiB.
   */
  readonly baselineRssMiB: number;
  readonly rows: number;
  readonly counts: Counts;
}

type Measured = Omit<MeasureResult, 'maxRssMiB'>;

const rssMiB = () => process.memoryUsage().rss / 1024 / 1024;

/** `repscope profile` (engine `repscope`) or `repscope profile --engine sql` (engine `sql`). */
async function measureProfile(request: MeasureRequest): Promise<Measured> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (text: string) => {
      stdout += text;
    },
    stderr: (text: string) => {
      stderr += text;
    },
  };
  const env = { debug: false, progress: false, port: '0' };
  const args = [
    'profile',
    request.file,
    '--manifest',
    request.manifest,
    '--threads',
    String(request.threads),
  ];
  if (request.engine === 'sql') args.push('--engine', 'sql');
  const baselineRssMiB = rssMiB();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const code = await main(args, io, env);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (code !== 0) throw new Error(`repscope ${args.join(' ')} exited ${code}: ${stderr}`);
  const profile = JSON.parse(stdout) as Profile;
  const groups: Counts['groups'] = {};
  for (const a of profile.attributes) {
    const byGroup: Record<string, [number, number]> = {};
    for (const g of a.groups) if (g.count > 0) byGroup[g.group] = [g.count, g.positives];
    groups[a.name] = byGroup;
  }
  for (const x of profile.intersections) {
    const byCell: Record<string, [number, number]> = {};
    for (const c of x.cells) if (c.count > 0) byCell[c.group] = [c.count, c.positives];
    groups[x.name] = byCell;
  }
  return {
    engine: request.engine,
    format: request.format,
    threads: request.threads,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    baselineRssMiB,
    rows: profile.rows.read,
    counts: { used: profile.rows.used, excludedNoConsent: profile.rows.excludedNoConsent, groups },
  };
}

/** The hand-written lean `GROUP BY GROUPING SETS` query of bench/duckdb-query.ts. */
async function measureDuckDb(request: MeasureRequest): Promise<Measured> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { duckDbSource, groupingSetsSql } = await import('./duckdb-query.ts');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(request.threads) });
  const connection = await instance.connect();
  const sql = groupingSetsSql(duckDbSource(request.format, request.file));
  const baselineRssMiB = rssMiB();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const reader = await connection.runAndReadAll(sql);
  const wallMs = performance.now() - started;
  const cpuUsed = process.cpuUsage(cpu);
  const rows = reader.getRowObjectsJS() as {
    grouping_id: number;
    granted: boolean | null;
    sex: string | null;
    age_band: string | null;
    state: string | null;
    rows: bigint | number;
    positives: bigint | number | null;
  }[];
  connection.closeSync();
  instance.closeSync();
  // GROUPING(granted, sex, age_band, state): a bit is set for each column rolled up (granted = 8).
  const sets: Record<number, (r: (typeof rows)[number]) => [string, string | null]> = {
    7: (r) => ['granted', String(r.granted)],
    11: (r) => ['sex', r.sex],
    13: (r) => ['age_band', r.age_band],
    14: (r) => ['state', r.state],
    9: (r) => ['sex_x_age_band', r.sex === null || r.age_band === null ? null : `${r.sex}|${r.age_band}`],
    8: (r) => [
      '_rake',
      r.sex === null || r.age_band === null || r.state === null ? null : `${r.sex}|${r.age_band}|${r.state}`,
    ],
  };
  const groups: Counts['groups'] = { sex: {}, age_band: {}, state: {}, sex_x_age_band: {}, _rake: {} };
  let used = 0;
  let excluded = 0;
  for (const r of rows) {
    const pick = sets[Number(r.grouping_id)];
    if (!pick) continue;
    const [attribute, group] = pick(r);
    const n = Number(r.rows);
    if (attribute === 'granted') {
      if (group === 'true') used = n;
      else excluded = n;
      continue;
    }
    if (group === null || group.includes('~')) continue; // rows without consent, missing, unmapped
    groups[attribute]![group] = [n, Number(r.positives ?? 0)];
  }
  return {
    engine: 'duckdb',
    format: request.format,
    threads: request.threads,
    wallMs,
    cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    baselineRssMiB,
    rows: used + excluded,
    counts: { used, excludedNoConsent: excluded, groups },
  };
}

const request = JSON.parse(process.argv[2] ?? '{}') as MeasureRequest;
if (!['repscope', 'duckdb', 'sql'].includes(request.engine)) {
  throw new Error(
    'usage: node <bench/measure.ts compiled by bundleModule> \'{"engine":"repscope"|"duckdb"|"sql",…}\' ' +
      '(run by bench/run.ts)',
  );
}
const result = request.engine === 'duckdb' ? await measureDuckDb(request) : await measureProfile(request);
const out: MeasureResult = { ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
process.stdout.write(`${JSON.stringify(out)}\n`);
