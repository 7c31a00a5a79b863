import '../helpers/promise-with-resolvers.ts';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/core/ports.ts';
import { readConfig } from '../../functions/handlers/config.ts';
import { createRescanHandler } from '../../functions/handlers/rescan.ts';
import { createRuntime, type Runtime } from '../../functions/handlers/runtime.ts';
import { readText } from '../../functions/pipeline/io.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { objectCreated } from '../fixtures/events.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';
import type { AthenaProtocolServer } from '../helpers/athena-protocol-server.ts';
import {
  type EmulatedCloud,
  type EmulatedRun,
  runEmulated,
  startEmulatedCloud,
} from '../helpers/emulated-run.ts';
import { handlerEnvironment, TEST_BUCKETS } from '../helpers/handler-environment.ts';
import { motoUnavailable, requirePeers } from '../helpers/s3-servers.ts';
import { synthesizedDefinition } from '../helpers/synthesized-definition.ts';

/**
 * The AWS runtime end to end, emulated: the state machine's own definition executed by
 * aws-local-stepfunctions, each task calling the real handler in-process, against moto_server (S3
 * with versioning and conditional writes) and the Athena protocol server (SQL in DuckDB over the
 * bucket's lake). Events are real-shaped EventBridge "Object Created" events for real objects.
 */
const motoMissing = motoUnavailable();
if (motoMissing && requirePeers) throw new Error(`REPSCOPE_REQUIRE_PEERS=1 but ${motoMissing}`);
if (motoMissing) console.warn(`[aws-pipeline] not running the AWS emulation: ${motoMissing}`);

const _REPO = path.resolve(import.meta.dirname, '..', '..');
let cloud: EmulatedCloud;
let athena: AthenaProtocolServer;
let store: ObjectStore;
let local: string;
let cleanup: () => Promise<void>;

function runtime(overrides: Record<string, string> = {}): Runtime {
  return createRuntime(
    readConfig({
      ...handlerEnvironment(TEST_BUCKETS, cloud.moto.endpoint, athena.endpoint),
      REPSCOPE_CODE_VERSION: 'repscope test',
      ...overrides,
    }),
    { logger: { info: () => {}, warn: () => {}, error: () => {} } },
  );
}

// The definition the pipeline stack deploys, taken from its synthesized template.
const definition = synthesizedDefinition();

/** Runs the deployed state machine on the event; resolves with the final state, or the execution's error. */
const execute = (event: unknown, rt: Runtime): Promise<EmulatedRun> => runEmulated(definition, event, rt);

/** Uploads a body into the datasets bucket and returns the event S3 would send for it. */
const upload = (key: string, body: string | Uint8Array) => cloud.upload(key, body);

async function keys(prefix: string, s: ObjectStore = store): Promise<string[]> {
  return (await s.list(prefix)).map((o) => o.key);
}

/** A report without what differs between two runs of the same data: the run (times, id, reason), where it was read. */
function comparable(text: string): unknown {
  const report = JSON.parse(text) as Record<string, unknown> & {
    run: Record<string, unknown>;
    dataset: { source: Record<string, unknown> };
    provenance: Record<string, unknown>;
  };
  report.run = {};
  const { uri: _u, etag: _e, sha256: _s, ...source } = report.dataset.source;
  report.dataset = { ...report.dataset, source };
  report.provenance = { ...report.provenance, codeVersion: '-' };
  return report;
}

const describeAws = motoMissing ? describe.skip : describe;

describeAws('the AWS pipeline, emulated', () => {
  beforeAll(async () => {
    cloud = await startEmulatedCloud();
    ({ store, athena } = cloud);
    ({ dir: local, cleanup } = await tempDir());
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
    await cleanup?.();
  });

  it('analyses an upload and publishes the same report as the local CLI', async () => {
    const manifest = LEADS_MANIFEST.replace('leads-fixture', 'leads');
    const csv = leadsCsv(skewedLeads(1500));
    await store.write('datasets/leads/repscope.yaml', manifest);
    const event = await upload('datasets/leads/v1/leads.csv', csv);
    const result = await execute(event, runtime());
    expect(result.error).toBeUndefined();
    expect(result.steps).toEqual(['Profile', 'Compare', 'Publish']);

    const reports = await keys('lake/reports/dataset=leads/');
    expect(reports).toHaveLength(1);
    const site = await keys('site/datasets/leads/runs/');
    expect(site.some((k) => k.endsWith('/report.json'))).toBe(true);
    expect(await store.head('site/index.html')).toBeDefined();
    // Each area in its own bucket: the pages in the site bucket, the reports in the lake bucket.
    expect(await cloud.buckets.site.head('site/index.html')).toBeDefined();
    expect(await cloud.buckets.lake.list('site/')).toEqual([]);
    expect(await cloud.buckets.lake.head(reports[0]!)).toBeDefined();
    expect(await cloud.buckets.datasets.list('lake/')).toEqual([]);

    // The same data through `repscope run --root` on this machine.
    await mkdir(path.join(local, 'datasets', 'leads', 'v1'), { recursive: true });
    await writeFile(path.join(local, 'datasets', 'leads', 'repscope.yaml'), manifest);
    await writeFile(path.join(local, 'datasets', 'leads', 'v1', 'leads.csv'), csv);
    expect((await runCli(['run', '--root', local])).code).toBeLessThan(2);
    const localRuns = await readdir(path.join(local, 'site', 'datasets', 'leads', 'runs'));
    const localPublished = await readFile(
      path.join(local, 'site', 'datasets', 'leads', 'runs', localRuns[0]!, 'report.json'),
      'utf8',
    );
    const awsPublished = await readText(store, site.find((k) => k.endsWith('/report.json'))!);
    expect(JSON.parse(awsPublished).run.reason).toBe('upload');
    expect(comparable(awsPublished)).toEqual(comparable(localPublished));
    const localLake = await readFile(
      path.join(local, 'lake', 'reports', 'dataset=leads', `run=${localRuns[0]}`, 'report.json'),
      'utf8',
    );
    expect(comparable(await readText(store, reports[0]!))).toEqual(comparable(localLake));
  }, 120_000);

  it('does nothing more for a duplicated event', async () => {
    const event = await upload('datasets/leads/v2/leads.csv', leadsCsv(skewedLeads(400, 3)));
    const first = await execute(event, runtime());
    expect(first.steps).toEqual(['Profile', 'Compare', 'Publish']);
    const before = await keys('lake/');
    const again = await execute(event, runtime());
    expect(again.error).toBeUndefined();
    expect(again.steps).toEqual(['Profile']);
    expect(again.output).toMatchObject({ profile: { status: 'duplicate' } });
    expect(await keys('lake/')).toEqual(before);
  }, 120_000);

  it('ignores objects that are not dataset files, with no run', async () => {
    for (const key of ['notes/readme.txt', 'datasets/leads/repscope.yaml', 'datasets/nomanifest/v1/x.csv']) {
      const event = await upload(key, 'x');
      const result = await execute(event, runtime());
      expect(result.steps).toEqual(['Profile']);
      expect(result.output).toMatchObject({ profile: { status: 'ignored' } });
    }
    expect(await keys('lake/reports/dataset=nomanifest/')).toEqual([]);
  }, 60_000);

  it('ignores an event from another bucket than the datasets bucket, saying so, and runs nothing', async () => {
    await store.write(
      'datasets/elsewhere/repscope.yaml',
      LEADS_MANIFEST.replace('leads-fixture', 'elsewhere'),
    );
    const uploaded = await upload('datasets/elsewhere/v1/leads.csv', leadsCsv(skewedLeads(100, 8)));
    // The same key and version, announced as if the lake bucket held it.
    const event = objectCreated(uploaded.detail.object.key, uploaded.detail.object, TEST_BUCKETS.lake);
    const warnings: string[] = [];
    const rt = createRuntime(
      readConfig(handlerEnvironment(TEST_BUCKETS, cloud.moto.endpoint, athena.endpoint)),
      {
        logger: { info: () => {}, warn: (m, f) => warnings.push(`${m}: ${f?.['reason']}`), error: () => {} },
      },
    );
    const result = await execute(event, rt);
    expect(result.steps).toEqual(['Profile']);
    const reason = `the object is in bucket ${TEST_BUCKETS.lake}, not in the datasets bucket ${TEST_BUCKETS.datasets}`;
    expect(result.output).toMatchObject({ profile: { status: 'ignored', reason } });
    expect(warnings).toEqual([`event ignored: ${reason}`]);
    expect(await keys('lake/claims/dataset=elsewhere/')).toEqual([]);
  }, 60_000);

  it('fans a 2 M-row CSV out over ranges and counts what the CLI counts', async () => {
    const rows = 2_000_000;
    const lines = ['sex,age,state,converted'];
    const sexes = ['female', 'male', 'diverse', ''];
    const states = ['Bayern', 'Berlin', 'Hessen', 'Sachsen', 'Bremen'];
    for (let i = 0; i < rows; i++) {
      lines.push(
        `${sexes[(i * 7) % 4]},${18 + ((i * 13) % 60)},${states[(i * 11) % 5]},${i % 3 === 0 ? 1 : 0}`,
      );
    }
    const csv = `${lines.join('\n')}\n`;
    const manifest = `dataset: big
label: { column: converted, positive: ["1"] }
attributes:
  - { name: sex, column: sex, reference: de-2023/sex, groups: { female: [female], male: [male], diverse: [diverse] } }
  - { name: age_band, column: age, bins: [0, 18, 25, 35, 45, 55, 65, 75], reference: de-2023/age_band }
  - { name: state, column: state, reference: de-2023/state }
intersections: [[sex, age_band]]
`;
    await store.write('datasets/big/repscope.yaml', manifest);
    const event = await upload('datasets/big/v1/big.csv', csv);
    const rt = runtime({
      REPSCOPE_FAN_OUT_THRESHOLD_BYTES: String(1024 * 1024),
      REPSCOPE_RANGE_BYTES: String(256 * 1024),
    });
    const result = await execute(event, rt);
    expect(result.error).toBeUndefined();
    // The state stays small however many ranges there are (Step Functions allows 256 KB).
    expect(JSON.stringify(result.output).length).toBeLessThan(4096);
    const ranges = result.steps.filter((s) => s === 'ProfileRange').length;
    expect(ranges).toBeGreaterThan(8);
    expect(result.steps.filter((s) => s !== 'ProfileRange')).toEqual([
      'Profile',
      'Merge',
      'Compare',
      'Publish',
    ]);

    const [profileKey] = await keys('lake/profiles/dataset=big/');
    const aws = JSON.parse(await readText(store, profileKey!)) as {
      rows: unknown;
      attributes: unknown;
      intersections: unknown;
    };
    const file = path.join(local, 'big.csv');
    await writeFile(file, csv);
    await writeFile(path.join(local, 'big.yaml'), manifest);
    const cli = await runCli(['profile', file, '--manifest', path.join(local, 'big.yaml')]);
    expect(cli.code).toBe(0);
    const expected = JSON.parse(cli.stdout) as typeof aws;
    expect(aws.rows).toEqual(expected.rows);
    expect(aws.attributes).toEqual(expected.attributes);
    expect(aws.intersections).toEqual(expected.intersections);
  }, 180_000);

  it('profiles a dataset registered as a table with one query in Athena, and publishes the CLI’s report', async () => {
    const manifest = `${LEADS_MANIFEST.replace('leads-fixture', 'leads-table')}table: { name: leads_rows }\n`;
    const leads = skewedLeads(900, 13);
    const parts = { 'part-0.csv': leadsCsv(leads.slice(0, 400)), 'part-1.csv': leadsCsv(leads.slice(400)) };
    for (const [file, body] of Object.entries(parts)) await store.write(`tables/leads_rows/${file}`, body);
    // The manifest's upload is what starts a table's run.
    const event = await upload('datasets/leads-table/repscope.yaml', manifest);
    const sentBefore = athena.statements.length;
    const result = await execute(event, runtime());
    expect(result.error).toBeUndefined();
    expect(result.steps).toEqual(['Profile', 'ProfileTable', 'Compare', 'Publish']);

    // Athena counted the table with one GROUPING SETS statement; every statement is Trino's.
    const sent = athena.statements.slice(sentBefore);
    const counting = sent.filter((sql) => sql.includes('GROUP BY GROUPING SETS'));
    expect(counting).toHaveLength(1);
    expect(counting[0]).toContain('FROM "leads_rows" AS t');
    expect(counting[0]).toContain('regexp_like(');
    const trino = new TrinoSQL();
    for (const sql of sent) expect(trino.validate(sql)).toEqual([]);

    const [lakeReport] = await keys('lake/reports/dataset=leads-table/');
    const published = (await keys('site/datasets/leads-table/runs/')).find((k) => k.endsWith('/report.json'));
    const awsPublished = await readText(store, published!);
    expect(JSON.parse(awsPublished)).toMatchObject({
      status: expect.stringMatching(/^(pass|warn|fail)$/),
      dataset: { version: 'leads_rows', source: { uri: 'table:leads_rows' } },
    });

    // The same table through `repscope run --root` on this machine: tables/leads_rows/ read by DuckDB.
    const { dir, cleanup: done } = await tempDir();
    try {
      await mkdir(path.join(dir, 'datasets', 'leads-table'), { recursive: true });
      await mkdir(path.join(dir, 'tables', 'leads_rows'), { recursive: true });
      await writeFile(path.join(dir, 'datasets', 'leads-table', 'repscope.yaml'), manifest);
      for (const [file, body] of Object.entries(parts)) {
        await writeFile(path.join(dir, 'tables', 'leads_rows', file), body);
      }
      expect((await runCli(['run', '--root', dir])).code).toBeLessThan(2);
      const [run] = await readdir(path.join(dir, 'site', 'datasets', 'leads-table', 'runs'));
      const localPublished = await readFile(
        path.join(dir, 'site', 'datasets', 'leads-table', 'runs', run!, 'report.json'),
        'utf8',
      );
      expect(comparable(awsPublished)).toEqual(comparable(localPublished));
      const localLake = await readFile(
        path.join(dir, 'lake', 'reports', 'dataset=leads-table', `run=${run}`, 'report.json'),
        'utf8',
      );
      expect(comparable(await readText(store, lakeReport!))).toEqual(comparable(localLake));
    } finally {
      await done();
    }

    // The same manifest event again starts nothing.
    const again = await execute(event, runtime());
    expect(again.steps).toEqual(['Profile']);
    expect(again.output).toMatchObject({ profile: { status: 'duplicate' } });

    // A rescan counts the table again: nothing says whether its rows changed, so it is a new run.
    const rescans: string[][] = [];
    const rescan = createRescanHandler(runtime, () => async (input) => {
      const run = await execute(JSON.parse(input), runtime());
      expect(run.error).toBeUndefined();
      rescans.push(run.steps);
      return 'arn:aws:states:eu-central-1:123456789012:execution:repscope-run:rescan';
    });
    expect((await rescan({ datasets: ['leads-table'] })).started.map((s) => s.key)).toEqual([
      'datasets/leads-table/repscope.yaml',
    ]);
    expect(rescans).toEqual([['Profile', 'ProfileTable', 'Compare', 'Publish']]);
    const reports = await keys('lake/reports/dataset=leads-table/');
    expect(reports).toHaveLength(2);
    const latest = JSON.parse(await readText(store, reports.sort().at(-1)!)) as { run: { reason: string } };
    expect(latest.run.reason).toBe('schedule');
  }, 120_000);

  it('publishes the error report of a table Athena cannot find, naming the table', async () => {
    const manifest = `${LEADS_MANIFEST.replace('leads-fixture', 'ghost-table')}table: { name: no_such_table }\n`;
    const event = await upload('datasets/ghost-table/repscope.yaml', manifest);
    const result = await execute(event, runtime());
    expect(result.error?.message).toMatch(/RunFailed|The run failed/);
    expect(result.steps).toEqual(['Profile', 'ProfileTable', 'Publish']);
    const [key] = await keys('lake/reports/dataset=ghost-table/');
    const report = JSON.parse(await readText(store, key!)) as {
      status: string;
      checks: { message: string }[];
    };
    expect(report.status).toBe('error');
    expect(report.checks[0]?.message).toMatch(/^table no_such_table: the query engine could not count it/);
  }, 60_000);

  it('publishes an error report for bad input and fails the execution', async () => {
    await store.write(
      'datasets/broken/repscope.yaml',
      'dataset: broken\nattributes:\n  - { name: sex, column: no_such_column, reference: de-2023/sex }\n',
    );
    const event = await upload('datasets/broken/v1/data.csv', 'sex\nfemale\nmale\n');
    const result = await execute(event, runtime());
    expect(result.error?.message).toMatch(/RunFailed|The run failed/);
    expect(result.steps).toEqual(['Profile', 'Publish']);
    const [key] = await keys('lake/reports/dataset=broken/');
    const report = JSON.parse(await readText(store, key!)) as {
      status: string;
      checks: { message: string }[];
    };
    expect(report.status).toBe('error');
    expect(report.checks[0]?.message).toMatch(/no_such_column/);
    const page = (await keys('site/datasets/broken/runs/')).find((k) => k.endsWith('index.html'));
    expect(await readText(store, page!)).toMatch(/no_such_column/);
  }, 60_000);

  it('writes an error report through the catch when a step fails for good', async () => {
    await store.write('datasets/badman/repscope.yaml', 'dataset: badman\nattributes: not-a-list\n');
    const event = await upload('datasets/badman/v1/data.csv', 'sex\nfemale\n');
    // Fan out from one byte, so the manifest is read (and refused) before the profile half of the run.
    const result = await execute(event, runtime({ REPSCOPE_FAN_OUT_THRESHOLD_BYTES: '1' }));
    expect(result.error).toBeDefined();
    expect(result.steps).toEqual(['Profile', 'PublishFailure']);
    const [key] = await keys('lake/reports/dataset=badman/');
    const report = JSON.parse(await readText(store, key!)) as {
      status: string;
      warnings: { code: string; message: string }[];
    };
    expect(report.status).toBe('error');
    expect(report.warnings[0]?.code).toBe('manifest-invalid');
    expect(report.warnings[0]?.message).toMatch(/attributes/);
    expect(report.warnings[0]?.message).not.toMatch(/at .*\.ts:\d+|node_modules/);
    expect((await keys('site/datasets/badman/runs/')).length).toBeGreaterThan(0);
  }, 60_000);

  it('retries the compare step alone when Athena failed on the way, and publishes the run, not an error', async () => {
    await store.write('datasets/retry/repscope.yaml', LEADS_MANIFEST.replace('leads-fixture', 'retry'));
    const event = await upload('datasets/retry/v1/leads.csv', leadsCsv(skewedLeads(300, 5)));
    athena.faults = { failNext: { state: 'FAILED', reason: 'Athena had a hiccup', retryable: true } };
    const result = await execute(event, runtime());
    athena.faults = {};
    expect(result.error).toBeUndefined();
    // The object is not read again: only compare is retried.
    expect(result.steps).toEqual(['Profile', 'Compare', 'Compare', 'Publish']);
    const [key] = await keys('lake/reports/dataset=retry/');
    expect((JSON.parse(await readText(store, key!)) as { status: string }).status).not.toBe('error');
  }, 60_000);

  it('reports a query Athena rejects without retrying it, and without its words', async () => {
    await store.write('datasets/rejected/repscope.yaml', LEADS_MANIFEST.replace('leads-fixture', 'rejected'));
    const event = await upload('datasets/rejected/v1/leads.csv', leadsCsv(skewedLeads(300, 6)));
    athena.faults = { failNext: { state: 'FAILED', reason: "HIVE_BAD_DATA: field value 'secret-value'" } };
    const result = await execute(event, runtime());
    athena.faults = {};
    expect(result.steps).toEqual(['Profile', 'Compare', 'Publish']);
    const [key] = await keys('lake/reports/dataset=rejected/');
    const text = await readText(store, key!);
    expect((JSON.parse(text) as { status: string }).status).toBe('error');
    expect(text).not.toContain('secret-value');
  }, 60_000);
});
