import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { S3ObjectStore } from '../functions/adapters/aws/s3-object-store.ts';
import type { ObjectStore } from '../functions/core/ports.ts';
import { routedStore } from '../functions/pipeline/routed-store.ts';
import { LAMBDA_HANDLERS, type LambdaName, lambdaBuildOptions } from '../infra/lambda-bundles.ts';
import { startAthenaProtocolServer } from '../tests/helpers/athena-protocol-server.ts';
import { handlerEnvironment, TEST_BUCKETS } from '../tests/helpers/handler-environment.ts';
import { startS3rver } from '../tests/helpers/s3-servers.ts';

/**
 * `npm run bench:cold-start [-- --repeat 7]`: builds each Lambda bundle as the stack does, then
 * starts a fresh Node process per measurement that imports the bundle and handles one small
 * event, against s3rver on loopback where the handler reads S3: `profile` an event it ignores
 * (no S3 call), `compare` a small profiled run and `profile-table` a small registered table (their
 * SQL in the Athena protocol stand-in, DuckDB over the buckets), `publish` a site render from a lake with one report. Prints, per handler, the
 * median and worst of: process spawn to exit (Node's own start-up included), and inside the
 * process the import and the first event, as wall time and as CPU time (which another process's load
 * on the machine inflates less; the load average is printed). Budget (issue #9): import + first
 * event under 400 ms. `--only publish` measures one handler, `--cpu-prof <dir>` writes profiles.
 * `--keep <dir>` keeps the bundles built (`<dir>/<handler>/index.mjs`); `--against <dir>` then
 * measures those kept bundles too, alternating with the fresh ones process by process, so a change
 * is compared under the same load (CPU time; the machine is often shared).
 */
const run = promisify(execFile);
const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1] ?? 7) || 7;
const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
/** `--only publish,merge`: measure these handlers only. */
const only = option('--only')?.split(',');
/** `--cpu-prof <dir>`: each child writes a V8 CPU profile there (open in Chrome DevTools). */
const cpuProfDir = option('--cpu-prof');
/** `--keep <dir>`: build the bundles there and leave them, for a later `--against <dir>`. */
const keepDir = option('--keep');
/** `--against <dir>`: bundles kept by an earlier `--keep`, measured alternately with the fresh ones. */
const againstDir = option('--against');

/** CPU time (user + system, every thread: V8's compiler and collector threads too), in ms. */
const CHILD = `
const cpuMs = (from) => { const u = process.cpuUsage(from); return (u.user + u.system) / 1000; };
const c0 = process.cpuUsage();
const t0 = performance.now();
const m = await import(process.env.BUNDLE);
const t1 = performance.now();
const importCpuMs = cpuMs(c0);
const c1 = process.cpuUsage();
await m.handler(JSON.parse(process.env.INPUT));
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, firstEventMs: t2 - t1, importCpuMs, firstEventCpuMs: cpuMs(c1) }));
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'repscope-cold-'));
  const s3 = await startS3rver();
  const store = routedStore({
    datasets: new S3ObjectStore({ bucket: TEST_BUCKETS.datasets, client: s3.client() }),
    lake: new S3ObjectStore({ bucket: TEST_BUCKETS.lake, client: s3.client() }),
    site: new S3ObjectStore({ bucket: TEST_BUCKETS.site, client: s3.client() }),
  });
  const athena = await startAthenaProtocolServer(store);
  try {
    for (const bucket of Object.values(TEST_BUCKETS)) await s3.createBucket(bucket);
    const { sampleReport } = await import('../tests/fixtures/reports.ts');
    const report = sampleReport();
    await store.write(
      `lake/reports/dataset=${report.dataset.id}/run=${report.run.id}/report.json`,
      JSON.stringify(report),
    );
    const inputs: Partial<Record<LambdaName, unknown>> = {
      profile: {
        event: {
          source: 'aws.s3',
          'detail-type': 'Object Created',
          detail: { bucket: { name: TEST_BUCKETS.datasets }, object: { key: 'elsewhere/x', etag: 'e' } },
        },
      },
      compare: { job: await profiledJob(store, s3.endpoint, athena.endpoint) },
      'profile-table': { job: await tableRunJob(store) },
      publish: { job: { dataset: report.dataset.id, run: report.run.id }, verdict: report.status },
    };
    console.log(
      `cold start, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, Node ${process.version}, ${repeat} runs each`,
    );
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      'handler        bundle: entry/all   spawn→exit (median / worst)   import   first event   import+event (budget 400 ms)   CPU: import / import+event',
    );
    const env = handlerEnvironment(TEST_BUCKETS, s3.endpoint, athena.endpoint);
    for (const name of Object.keys(LAMBDA_HANDLERS) as LambdaName[]) {
      if (only && !only.includes(name)) continue;
      const file = path.join(keepDir ?? dir, name, 'index.mjs');
      // With --cpu-prof the bundle keeps its names (not minified), so the profile is readable.
      await build({ ...lambdaBuildOptions(name, file), ...(cpuProfDir ? { minify: false } : {}) });
      const input = inputs[name];
      const against = againstDir ? path.join(againstDir, name, 'index.mjs') : undefined;
      const fresh: Measurement[] = [];
      const kept: Measurement[] = [];
      for (let i = 0; i < repeat; i++) {
        fresh.push(await measure(file, input, env));
        if (against) kept.push(await measure(against, input, env));
      }
      if (against) console.log(summary(`${name} (kept)`, await sizes(against), kept, input));
      console.log(summary(name, await sizes(file), fresh, input));
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await athena.stop();
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Measurement {
  /** Spawn to exit. */
  readonly wallMs: number;
  readonly importMs: number;
  readonly firstEventMs: number;
  readonly importCpuMs: number;
  readonly cpuMs: number;
}

/** One fresh Node process that imports the bundle and, given an input, handles it once. */
async function measure(file: string, input: unknown, env: Record<string, string>): Promise<Measurement> {
  const started = performance.now();
  const { stdout } = await run(
    process.execPath,
    [
      ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : []),
      '--input-type=module',
      '-e',
      input ? CHILD : CHILD.replace(/await m\.handler[^\n]*/, ''),
    ],
    { env: { ...process.env, BUNDLE: file, INPUT: JSON.stringify(input ?? {}), ...env } },
  );
  const wallMs = performance.now() - started;
  const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    importMs: number;
    firstEventMs?: number;
    importCpuMs: number;
    firstEventCpuMs?: number;
  };
  return {
    wallMs,
    importMs: last.importMs,
    firstEventMs: last.firstEventMs ?? 0,
    importCpuMs: last.importCpuMs,
    cpuMs: last.importCpuMs + (last.firstEventCpuMs ?? 0),
  };
}

/** One line of the table: medians (and worsts) of a handler's measurements. */
/** The entry module's size and that of all modules beside it (its chunks, loaded on demand), in MB. */
async function sizes(entry: string): Promise<string> {
  const dir = path.dirname(entry);
  let all = 0;
  for (const f of await readdir(dir)) if (f.endsWith('.mjs')) all += (await stat(path.join(dir, f))).size;
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
  return `${mb((await stat(entry)).size)}/${mb(all)}`;
}

function summary(name: string, size: string, runs: readonly Measurement[], input: unknown): string {
  const of = (f: (m: Measurement) => number) => runs.map(f);
  const wall = of((m) => m.wallMs);
  const both = of((m) => m.importMs + m.firstEventMs);
  return (
    `${name.padEnd(14)} ${size} MB  ${median(wall).toFixed(0).padStart(5)} / ${Math.max(...wall)
      .toFixed(0)
      .padStart(4)} ms` +
    `           ${median(of((m) => m.importMs))
      .toFixed(0)
      .padStart(4)} ms  ${
      input
        ? `${median(of((m) => m.firstEventMs))
            .toFixed(0)
            .padStart(6)} ms`
        : '     (none)'
    }` +
    `     ${median(both).toFixed(0).padStart(4)} ms (worst ${Math.max(...both).toFixed(0)})` +
    `     ${median(of((m) => m.importCpuMs)).toFixed(0)} / ${median(of((m) => m.cpuMs)).toFixed(0)} ms`
  );
}

/**
 * A run of the leads fixture profiled in this process (the references, the data and the staged
 * profile written to the bucket), for the compare handler's first event.
 */
async function profiledJob(store: ObjectStore, s3Endpoint: string, athenaEndpoint: string): Promise<unknown> {
  const { readdir, readFile } = await import('node:fs/promises');
  const { LEADS_MANIFEST, leadsCsv, skewedLeads } = await import('../tests/fixtures/leads.ts');
  const { readConfig } = await import('../functions/handlers/config.ts');
  const { BUILT_IN_REFERENCES_PREFIX, createRuntime } = await import('../functions/handlers/runtime.ts');
  const { profileJob } = await import('../functions/handlers/run-job.ts');
  const { streamingProfiler } = await import('../functions/pipeline/streaming-profiler.ts');
  const references = path.join(import.meta.dirname, '..', 'references');
  for (const file of await readdir(references)) {
    if (file.endsWith('.csv') || file === 'populations.json') {
      await store.write(`${BUILT_IN_REFERENCES_PREFIX}${file}`, await readFile(path.join(references, file)));
    }
  }
  const job = {
    dataset: 'leads-fixture',
    version: 'v1',
    run: '20261206T000000Z-bench',
    reason: 'upload',
    manifestKey: 'datasets/leads-fixture/repscope.yaml',
    fileKey: 'datasets/leads-fixture/v1/leads.csv',
    etag: null,
  } as const;
  // This process's own clients take the SDK chain's region and credentials, as the children do.
  process.env['AWS_REGION'] ??= 'eu-central-1';
  process.env['AWS_ACCESS_KEY_ID'] ??= 'S3RVER';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'S3RVER';
  await store.write(job.manifestKey, LEADS_MANIFEST);
  await store.write(job.fileKey, leadsCsv(skewedLeads(500)));
  const rt = createRuntime(readConfig(handlerEnvironment(TEST_BUCKETS, s3Endpoint, athenaEndpoint)), {
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  });
  const profiled = await profileJob(rt, job, streamingProfiler(rt.store));
  if (profiled.status !== 'profiled') throw new Error(`the bench's run was not profiled: ${profiled.status}`);
  return job;
}

/** A small registered table (`tables/leads_rows/`) and its run's job, for profile-table's first event. */
async function tableRunJob(store: ObjectStore): Promise<unknown> {
  const { LEADS_MANIFEST, leadsCsv, skewedLeads } = await import('../tests/fixtures/leads.ts');
  const { tableJob } = await import('../functions/handlers/run-job.ts');
  const job = tableJob('leads-table', '20261206T000000Z-table', 'upload', 'leads_rows');
  await store.write(
    job.manifestKey,
    `${LEADS_MANIFEST.replace('leads-fixture', 'leads-table')}table: { name: leads_rows }\n`,
  );
  await store.write('tables/leads_rows/part-0.csv', leadsCsv(skewedLeads(500)));
  return job;
}

await main();
