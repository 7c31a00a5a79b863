import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FileObjectStore } from '../adapters/local/file-object-store.ts';
import { startStaticSiteServer } from '../adapters/local/static-site-server.ts';
import { localWorkerHost } from '../adapters/local/worker-pool.ts';
import { RepscopeError, UsageError } from '../core/errors.ts';
import type { ObjectStore, QueryEngine } from '../core/ports.ts';
import type { ReferenceCatalogue } from '../core/references/reference.ts';
import { referenceProvenanceSchema } from '../core/references/user-reference.ts';
import { type ReferenceKind, referenceKindSchema } from '../core/report/schema.ts';
import type { ProfileParallelism } from '../pipeline/parallel-profile.ts';
import type { RangeProgress, RangeResult, RangeTask } from '../pipeline/parallel-task.ts';
import { checkFile, loadManifest, type ProfileEngine, profileFile } from './analyse-file.ts';
import { type CliEnvironment, readEnvironment } from './env.ts';
import { formatHistory, type HistoryFormat } from './format-history.ts';
import { formatReport } from './format-report.ts';
import { BUILT_IN_REFERENCES, loadCatalogue, systemClock } from './local.ts';
import { profileProgress } from './progress.ts';
import { type CliIo, EXIT, type LakeRunOptions, printRunResult, withLocalPipeline } from './run-command.ts';
import { watchRoot } from './watch-command.ts';

export { type CliIo, EXIT };

import type { UploadCommandOptions } from './upload.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

interface RunOptions extends LakeRunOptions {
  watch?: boolean;
}

export function buildProgram(env: CliEnvironment, io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('repscope')
    .description('Does a training dataset represent the people it is meant to represent?')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (t, write) => write(t) })
    .showHelpAfterError('(run repscope --help for usage)');

  const progress = () => profileProgress(env);

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
    .option(
      '--fail-on-alert',
      'exit 1 when a new run raises an alert (a worse verdict, or drift above maxDriftTvd)',
    )
    .option('--watch', 'then keep watching datasets/ and process new uploads as they arrive (Ctrl-C ends)')
    .action(async (opts: RunOptions) => {
      const { runRoot } = await import('../pipeline/run-root.ts');
      await withLocalPipeline(opts, env, withThreads, async (context) => {
        const first = await runRoot(await context());
        const code = printRunResult(first, opts.root, io, Boolean(opts.failOnAlert));
        if (first.outcomes.length === 0 && !opts.watch) return setExit(EXIT.badInput);
        if (!opts.watch) return setExit(code);
        setExit(await watchRoot(opts, io, async () => runRoot(await context(), 'upload')));
      });
    });

  program
    .command('rescan')
    .description(
      're-profile the latest version of every dataset with a schedule (or the ones named) as a scheduled run',
    )
    .argument('[datasets...]', 'dataset ids (default: every dataset whose manifest has a schedule)')
    .requiredOption('--root <dir>', 'the bucket folder: datasets/, references/, lake/, site/')
    .option('--reference <file.csv>', 'a reference population CSV (repeatable)', collect, [])
    .option('-v, --verbose', 'log each stage to stderr')
    .option('--fail-on-alert', 'exit 1 when a new run raises an alert')
    .addOption(threadsOption())
    .addOption(engineOption())
    .action(async (named: string[], opts: RunOptions) => {
      const { rescan } = await import('../pipeline/rescan.ts');
      await withLocalPipeline(opts, env, withThreads, async (context) => {
        const result = await rescan(await context(), named);
        const code = printRunResult(
          result,
          opts.root,
          io,
          Boolean(opts.failOnAlert),
          'datasets with a schedule',
        );
        setExit(result.outcomes.length === 0 ? EXIT.ok : code);
      });
    });

  program
    .command('prune')
    .description(
      "keep each dataset's newest runs (and its baseline); remove the others' lake files and pages",
    )
    .requiredOption('--root <dir>', 'the bucket folder: datasets/, references/, lake/, site/')
    .requiredOption('--keep <n>', 'runs to keep per dataset (1 or more)', parseKeep)
    .action(async (opts: { root: string; keep: number }) => {
      const { pruneRuns } = await import('../pipeline/prune.ts');
      const { publishStage } = await import('../pipeline/publish-stage.ts');
      const { renderSite } = await import('../../web/site.tsx');
      const store = new FileObjectStore(opts.root);
      const result = await pruneRuns(store, opts.keep);
      for (const r of result.removed)
        io.stdout(`pruned ${r.dataset}: ${r.runs.length} runs (${r.runs.join(', ')})\n`);
      const pages = await publishStage({ store, clock: systemClock, renderSite });
      io.stdout(`removed ${result.files} files; site: ${pages} files\n`);
    });

  const baseline = program.command('baseline').description('the run later runs are compared with for drift');
  baseline
    .command('set')
    .description('pin a run as the baseline of a dataset (drift is then reported against it too)')
    .argument('<dataset>', 'a dataset id')
    .argument('<run>', 'a run id (repscope history <dataset> lists them)')
    .requiredOption('--root <dir>', 'the bucket folder: datasets/, references/, lake/, site/')
    .action(async (dataset: string, run: string, opts: { root: string }) => {
      const { setBaseline } = await import('../pipeline/baseline.ts');
      await setBaseline(new FileObjectStore(opts.root), dataset, run, systemClock.now());
      io.stdout(`baseline of ${dataset}: run ${run} (the site shows it after the next run or rescan)\n`);
    });

  program
    .command('history')
    .description('one line per run of a dataset: time, version, trigger, rows, status, worst group')
    .argument('<dataset>', 'a dataset id')
    .requiredOption('--root <dir>', 'the bucket folder: datasets/, references/, lake/, site/')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'csv']).default('text'),
    )
    .action(async (dataset: string, opts: { root: string; format: HistoryFormat }) => {
      await withLocalLake(opts.root, async (store, engine) => {
        const { datasetHistory } = await import('../pipeline/history.ts');
        io.stdout(formatHistory(await datasetHistory(store, engine, dataset), opts.format));
      });
    });

  program
    .command('upload')
    .summary('validate a data file and upload it to the deployed pipeline; --wait: exit by its verdict')
    .description(
      'validate a data file against its manifest (reading only its head), upload both to the datasets bucket, ' +
        'say where the report will appear; --wait: exit by its verdict (0 pass/warn, 1 fail, 2 error or timeout)',
    )
    .argument('<data-file>', 'CSV, JSON Lines or Parquet, optionally .gz')
    .option('-m, --manifest <file>', 'the manifest (default: repscope.yaml next to the data file)')
    .requiredOption(
      '--datasets-bucket <name>',
      "the deployment's datasets bucket, where uploads go (RepscopeStateful output DatasetsBucketName)",
    )
    .requiredOption(
      '--lake-bucket <name>',
      "the deployment's lake bucket: references, run claims, reports (RepscopeStateful output LakeBucketName)",
    )
    .option(
      '--dataset-version <v>',
      'the version folder: datasets/<id>/<v>/<file> (default: the UTC time, such as 2026-12-06T031500Z)',
    )
    .option('--wait', "poll for the run's report and exit by its status")
    .addOption(
      new Option('--timeout-sec <n>', 'with --wait: give up (exit 2) after this many seconds')
        .argParser(parseSeconds)
        .default(900),
    )
    .option('--endpoint <url>', 'an S3-compatible endpoint (path-style addressing)')
    .addHelpText(
      'after',
      '\nCredentials and region come from the AWS SDK chain (AWS_PROFILE, AWS_REGION, environment, SSO, …).',
    )
    .action(async (dataFile: string, opts: UploadCommandOptions) => {
      const { uploadCommand } = await import('./upload.ts');
      setExit(await uploadCommand(dataFile, opts, io, env));
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

  references
    .command('add')
    .description("check a shares or counts CSV and store it in the bucket's references with its provenance")
    .argument('<file.csv>', 'columns attribute,group and share or count (population, source_year optional)')
    .option('--root <dir>', 'a local bucket folder: datasets/, references/, lake/, site/')
    .option('--datasets-bucket <name>', "or the deployment's datasets bucket (its manifests name the groups)")
    .option(
      '--lake-bucket <name>',
      'and its lake bucket, where references/ is (the reference is stored there)',
    )
    .option('--endpoint <url>', 'an S3-compatible endpoint (path-style addressing)')
    .requiredOption('--name <id>', 'the population id manifests will name, e.g. market-2026')
    .requiredOption('--source <url or words>', 'where the numbers come from')
    .requiredOption('--year <year>', 'the year the numbers describe')
    .addOption(new Option('--kind <kind>', 'what the population is').choices(REFERENCE_KINDS))
    .option('--title <text>', 'a title for reports (default: the id and the source)')
    .option('--replace', 'replace a reference added before under this id', false)
    .action(async (file: string, opts: AddReferenceOptions) => {
      io.stdout(await addReferenceCommand(file, opts));
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

const REFERENCE_KINDS = referenceKindSchema.options;

interface AddReferenceOptions {
  root?: string;
  datasetsBucket?: string;
  lakeBucket?: string;
  endpoint?: string;
  name: string;
  source: string;
  year: string;
  kind?: ReferenceKind;
  title?: string;
  replace: boolean;
}

/** `references add`: the file checked and stored with its provenance; one line says what was added. */
async function addReferenceCommand(file: string, opts: AddReferenceOptions): Promise<string> {
  const year = Number(opts.year);
  const provenance = referenceProvenanceSchema.safeParse({
    id: opts.name,
    title: opts.title ?? `${opts.name} (${opts.source})`,
    source: opts.source,
    year,
    ...(opts.kind === undefined ? {} : { kind: opts.kind }),
  });
  if (!provenance.success) {
    const issue = provenance.error.issues[0]!;
    const option = { id: '--name', title: '--title', source: '--source', year: '--year' }[
      String(issue.path[0])
    ];
    throw new UsageError(`${option ?? String(issue.path[0])}: ${issue.message}`);
  }
  const { readFile } = await import('node:fs/promises');
  const { loadBuiltInReferences } = await import('../pipeline/references.ts');
  const { addReference } = await import('../pipeline/add-reference.ts');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UsageError(
      `${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const { store, close } = await referenceStore(opts);
  const added = await addReference({
    store,
    bytes,
    fileName: file,
    provenance: provenance.data,
    builtIn: await loadBuiltInReferences(new FileObjectStore(BUILT_IN_REFERENCES)),
    replace: opts.replace,
  }).finally(close);
  return `added ${opts.name}: ${added.rows} groups of ${added.attributes.map((a) => `${opts.name}/${a}`).join(', ')} in ${store.uri(added.key)} (provenance: ${store.uri(added.provenanceKey)})\n`;
}

/**
 * Where `references add` reads the manifests and stores the reference: a local bucket folder
 * (`--root`), or the deployment's datasets and lake buckets (the site bucket is never touched).
 */
async function referenceStore(opts: AddReferenceOptions): Promise<{ store: ObjectStore; close: () => void }> {
  const s3 = opts.datasetsBucket !== undefined || opts.lakeBucket !== undefined;
  if (opts.root !== undefined && !s3) return { store: new FileObjectStore(opts.root), close: () => {} };
  if (opts.root !== undefined || opts.datasetsBucket === undefined || opts.lakeBucket === undefined) {
    throw new UsageError(
      'expected either --root <dir> (a local bucket folder) or both --datasets-bucket and --lake-bucket (a deployment)',
    );
  }
  const [{ S3Client }, { S3ObjectStore }, { routedStore }, { refuseUnlessLake }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../adapters/aws/s3-object-store.ts'),
    import('../pipeline/routed-store.ts'),
    import('./upload.ts'),
  ]);
  const client = new S3Client(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {});
  const lake = new S3ObjectStore({ bucket: opts.lakeBucket, client });
  await refuseUnlessLake(lake);
  const notSite = (): never => {
    throw new UsageError('references add never reads or writes the site bucket');
  };
  const site: ObjectStore = {
    read: notSite,
    head: notSite,
    write: notSite,
    writeIf: notSite,
    list: notSite,
    uri: notSite,
  };
  const datasets = new S3ObjectStore({ bucket: opts.datasetsBucket, client });
  return { store: routedStore({ datasets, lake, site }), close: () => client.destroy() };
}

export function listReferences(catalogue: ReferenceCatalogue): string {
  const lines: string[] = [];
  for (const p of catalogue.populations) {
    const rows = catalogue.rows.filter((r) => r.population === p.id);
    const attributes = [...new Set(rows.map((r) => r.attribute))];
    const year = rows.find((r) => r.sourceYear !== null)?.sourceYear ?? '?';
    lines.push(`${p.id}  (${year})  ${p.title}${p.kind ? `  [${p.kind}]` : ''}`);
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
    ['kind', p.kind],
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

/** Runs `work` with the lake of a bucket folder and a DuckDB engine over it, closed afterwards. */
async function withLocalLake<T>(
  root: string,
  work: (store: FileObjectStore, engine: QueryEngine) => Promise<T>,
): Promise<T> {
  const store = new FileObjectStore(root);
  const { DuckDbQueryEngine } = await import('../adapters/local/duckdb-query-engine.ts');
  const engine = new DuckDbQueryEngine(store.root);
  try {
    return await work(store, engine);
  } finally {
    engine.close();
  }
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

function parseKeep(value: string): number {
  const keep = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(keep) || keep < 1) {
    throw new InvalidArgumentError(`expected a whole number of runs, 1 or more; got '${value}'`);
  }
  return keep;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(seconds > 0)) {
    throw new InvalidArgumentError(`expected a number of seconds above 0; got '${value}'`);
  }
  return seconds;
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
