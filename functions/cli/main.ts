import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FileObjectStore } from '../adapters/local/file-object-store.ts';
import { startStaticSiteServer } from '../adapters/local/static-site-server.ts';
import { localWorkerHost } from '../adapters/local/worker-pool.ts';
import { RepscopeError, UsageError } from '../core/errors.ts';
import { lakeKeys, sitePath } from '../core/lake/layout.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { mergeCatalogues } from '../core/references/reference.ts';
import type { ProfileParallelism } from '../pipeline/parallel-profile.ts';
import type { RangeProgress, RangeResult, RangeTask } from '../pipeline/parallel-task.ts';
import type { ProfileProgress } from '../pipeline/profile-stage.ts';
import { loadDroppedReferences } from '../pipeline/references.ts';
import { checkFile, loadManifest, localProfiler, type ProfileEngine, profileFile } from './analyse-file.ts';
import { type CliEnvironment, readEnvironment } from './env.ts';
import { formatReport } from './format-report.ts';
import { codeVersion, loadCatalogue, stderrLogger, systemClock } from './local.ts';

/** Exit codes: 0 pass or warn, 1 fail, 2 bad input or usage, 3 internal error. */
export const EXIT = { ok: 0, fail: 1, badInput: 2, internal: 3 } as const;

const collect = (value: string, previous: string[]) => [...previous, value];

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

interface RunOptions {
  root: string;
  reference: string[];
  verbose?: boolean;
  threads: number;
  engine: ProfileEngine;
}

export function buildProgram(env: CliEnvironment, io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('repscope')
    .description('Does a training dataset represent the people it is meant to represent?')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (t, write) => write(t) })
    .showHelpAfterError('(run repscope --help for usage)');

  const progress = () => progressReporter(env);

  program
    .command('check')
    .description('profile a data file, compare it with its references, print a verdict (exit 1 on fail)')
    .argument('<data-file>', 'CSV, JSON Lines or Parquet, optionally .gz')
    .option('-m, --manifest <file>', 'the manifest (default: repscope.yaml next to the data file)')
    .option('--reference <file.csv>', 'a reference population CSV (repeatable)', collect, [])
    .option('--json <out.json>', 'write report.json here')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'),
    )
    .addOption(threadsOption())
    .addOption(engineOption())
    .action(
      async (
        dataFile: string,
        opts: {
          manifest?: string;
          reference: string[];
          json?: string;
          format: string;
          threads: number;
          engine: ProfileEngine;
        },
      ) => {
        const loaded = await loadManifest(dataFile, opts.manifest);
        const catalogue = await loadCatalogue(opts.reference);
        const bar = progress();
        const report = await withThreads(opts.threads, (parallel) =>
          checkFile(dataFile, loaded, catalogue, { onProgress: bar.update, parallel, engine: opts.engine }),
        ).finally(bar.stop);
        if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
        io.stdout(
          opts.format === 'json'
            ? `${JSON.stringify(report, null, 2)}\n`
            : formatReport(report, opts.format as 'text' | 'markdown'),
        );
        setExit(report.status === 'fail' ? EXIT.fail : EXIT.ok);
      },
    );

  program
    .command('profile')
    .description('print the profile (group counts) of a data file as JSON')
    .argument('<data-file>', 'CSV, JSON Lines or Parquet, optionally .gz')
    .option('-m, --manifest <file>', 'the manifest (default: repscope.yaml next to the data file)')
    .option('--reference <file.csv>', 'a reference population CSV (repeatable)', collect, [])
    .addOption(threadsOption())
    .addOption(engineOption())
    .action(
      async (
        dataFile: string,
        opts: { manifest?: string; reference: string[]; threads: number; engine: ProfileEngine },
      ) => {
        const loaded = await loadManifest(dataFile, opts.manifest);
        const catalogue = await loadCatalogue(opts.reference);
        const bar = progress();
        const profiled = await withThreads(opts.threads, (parallel) =>
          profileFile(dataFile, loaded.manifest, catalogue, {
            onProgress: bar.update,
            parallel,
            engine: opts.engine,
          }),
        ).finally(bar.stop);
        io.stdout(`${JSON.stringify(profiled.profile, null, 2)}\n`);
      },
    );

  program
    .command('run')
    .description('profile → compare → publish every dataset under a bucket folder (the lake layout)')
    .requiredOption('--root <dir>', 'the bucket folder: datasets/, references/, lake/, site/')
    .option('--reference <file.csv>', 'a reference population CSV (repeatable)', collect, [])
    .option('-v, --verbose', 'log each stage to stderr')
    .addOption(threadsOption())
    .addOption(engineOption())
    .action(async (opts: RunOptions) => {
      const store = new FileObjectStore(opts.root);
      const catalogue = mergeCatalogues([
        await loadCatalogue(opts.reference),
        ...(await loadDroppedReferences(store)),
      ]);
      const { DuckDbQueryEngine } = await import('../adapters/local/duckdb-query-engine.ts');
      const engine = new DuckDbQueryEngine(store.root);
      const bar = progress();
      try {
        const version = await codeVersion();
        // Loaded on demand: publishing pulls in the site stack (vega, preact), which `profile`
        // and `check` never need; keeping it out of their start-up keeps their memory down.
        const { runRoot } = await import('../pipeline/run-root.ts');
        const { renderSite } = await import('../../web/site.tsx');
        const result = await withThreads(opts.threads, async (parallel) =>
          runRoot({
            store,
            engine,
            profiler: await localProfiler(store, opts.engine, parallel),
            catalogue,
            clock: systemClock,
            logger: stderrLogger(Boolean(opts.verbose)),
            codeVersion: version,
            onProgress: bar.update,
            renderSite,
          }),
        );
        bar.stop();
        for (const o of result.outcomes) {
          const runPage = `${lakeKeys.site}${sitePath.run(o.dataset, o.report.run.id)}`;
          io.stdout(`${o.report.status.toUpperCase().padEnd(5)} ${o.dataset}  ${o.error ? '' : runPage}\n`);
          if (o.error) io.stdout(`      ${o.error.message}\n`);
          for (const c of o.report.checks) {
            if (!o.error && c.status !== 'pass')
              io.stdout(`      ${c.status === 'fail' ? '✗' : '!'} ${c.message}\n`);
          }
        }
        if (result.outcomes.length === 0)
          io.stderr(
            `repscope: no datasets under ${path.join(opts.root, 'datasets')}; expected ${lakeKeys.manifest('<id>')} and ${lakeKeys.dataFile('<id>', '<version>', '<file>')}\n`,
          );
        io.stdout(`site: ${store.pathOf(`${lakeKeys.site}${sitePath.index}`)} (${result.siteFiles} files)\n`);
        const worst = result.outcomes.some((o) => o.error)
          ? EXIT.badInput
          : result.outcomes.some((o) => o.report.status === 'fail')
            ? EXIT.fail
            : EXIT.ok;
        setExit(result.outcomes.length === 0 ? EXIT.badInput : worst);
      } finally {
        bar.stop();
        engine.close();
      }
    });

  const references = program.command('references').description('the reference populations');
  references
    .command('list')
    .description('list the built-in references (and --reference files)')
    .option('--reference <file.csv>', 'a reference population CSV (repeatable)', collect, [])
    .action(async (opts: { reference: string[] }) => {
      io.stdout(listReferences(await loadCatalogue(opts.reference)));
    });
  references
    .command('show')
    .description('show one population: source, year and every group with its share')
    .argument('<id>', 'a population id such as de-2023')
    .option('--reference <file.csv>', 'a reference population CSV (repeatable)', collect, [])
    .action(async (id: string, opts: { reference: string[] }) => {
      io.stdout(showReference(await loadCatalogue(opts.reference), id));
    });

  program
    .command('serve')
    .description('serve a built site on localhost')
    .requiredOption('--site <dir>', 'the site folder (e.g. <root>/site)')
    .option('--port <n>', 'port (0 = any free port)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .action(async (opts: { site: string; port: string; host: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port: expected 0-65535, got '${opts.port}'`);
      const server = await startStaticSiteServer({ root: opts.site, port, host: opts.host });
      io.stdout(`serving ${path.resolve(opts.site)} at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => void server.close().then(resolve));
        process.once('SIGTERM', () => void server.close().then(resolve));
      });
    });

  return program;
}

export function listReferences(catalogue: ReferenceCatalogue): string {
  const lines: string[] = [];
  for (const p of catalogue.populations) {
    const rows = catalogue.rows.filter((r) => r.population === p.id);
    const attributes = [...new Set(rows.map((r) => r.attribute))];
    const year = rows.find((r) => r.sourceYear !== null)?.sourceYear ?? '?';
    lines.push(`${p.id}  (${year})  ${p.title}`);
    lines.push(`  source: ${[p.publisher, p.table].filter(Boolean).join(', ') || p.file}`);
    lines.push(`  attributes: ${attributes.map((a) => `${p.id}/${a}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function showReference(catalogue: ReferenceCatalogue, id: string): string {
  const p = catalogue.populations.find((x) => x.id === id);
  if (!p) {
    throw new UsageError(
      `unknown population '${id}'; expected one of: ${catalogue.populations.map((x) => x.id).join(', ')}`,
    );
  }
  const rows = catalogue.rows.filter((r) => r.population === id);
  const lines = [`${p.id}: ${p.title}`];
  for (const [label, value] of [
    ['publisher', p.publisher],
    ['table', p.table],
    ['reference date', p.referenceDate],
    ['url', p.url],
    ['licence', p.license],
    ['notes', p.notes],
    ['file', p.file],
  ] as const) {
    if (value) lines.push(`  ${label}: ${value}`);
  }
  for (const attribute of [...new Set(rows.map((r) => r.attribute))]) {
    lines.push('');
    lines.push(`${id}/${attribute}`);
    for (const r of rows.filter((x) => x.attribute === attribute)) {
      lines.push(`  ${r.group.padEnd(28)} ${(r.share * 100).toFixed(2).padStart(6)}%  ${r.count ?? ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Where the workers of `--threads` find the range task (the pool compiles it with esbuild, cached). */
const RANGE_TASK_MODULE = new URL('../pipeline/parallel-task.ts', import.meta.url);

function engineOption(): Option {
  return new Option(
    '--engine <engine>',
    'stream: repscope reads the bytes; sql: one GROUP BY GROUPING SETS query in DuckDB',
  )
    .choices(['stream', 'sql'])
    .default('stream');
}

function threadsOption(): Option {
  return new Option('--threads <n>', 'threads that profile a big file together (1: no worker threads)')
    .argParser(parseThreads)
    .default(os.availableParallelism(), 'all cores');
}

function parseThreads(value: string): number {
  const threads = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(threads) || threads < 1) {
    throw new InvalidArgumentError(`expected a whole number of threads, 1 or more; got '${value}'`);
  }
  return threads;
}

/**
 * Runs `work` with the profile parallelism of `threads` threads, which `work` passes on to the
 * profile stage: the calling thread plus worker threads, started only when a file is big enough
 * to split, and ended once `work` has settled.
 */
async function withThreads<T>(
  threads: number,
  work: (parallel: ProfileParallelism) => Promise<T>,
): Promise<T> {
  const host = localWorkerHost<RangeTask, RangeResult, RangeProgress>({
    module: RANGE_TASK_MODULE,
    exportName: 'profileRange',
  });
  try {
    return await work({ threads, startWorkers: host.startWorkers });
  } finally {
    await host.close();
  }
}

/** A progress bar on stderr when it is a terminal (env.progress): bytes read of all, MB/s, rows/s. */
function progressReporter(env: CliEnvironment): { update: (p: ProfileProgress) => void; stop: () => void } {
  if (!env.progress) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    format:
      'profiling {bar} {percentage}% | {value_mb}/{total_mb} MB | {rate} MB/s | {rows} rows, {row_rate} rows/s',
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  const started = Date.now();
  let active = false;
  return {
    update(p) {
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      const bytes = Math.min(p.bytesRead, p.bytesTotal);
      const payload = {
        value_mb: (bytes / 1e6).toFixed(1),
        total_mb: (p.bytesTotal / 1e6).toFixed(1),
        rate: (bytes / 1e6 / seconds).toFixed(1),
        rows: p.rowsRead.toLocaleString('en'),
        row_rate: Math.round(p.rowsRead / seconds).toLocaleString('en'),
      };
      if (!active) {
        bar.start(p.bytesTotal, bytes, payload);
        active = true;
      } else bar.update(bytes, payload);
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}

/** Runs the CLI; returns the exit code. Bad input: one line on stderr, no stack trace. */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo,
  env = readEnvironment(),
): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(env, io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof RepscopeError) {
      io.stderr(`repscope: ${error.message}\n`);
      return EXIT.badInput;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`repscope: internal error: ${message.split('\n')[0]} (set REPSCOPE_DEBUG=1 for details)\n`);
    if (env.debug && error instanceof Error) io.stderr(`${error.stack}\n`);
    return EXIT.internal;
  }
}
