import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3ObjectStore } from '../../functions/adapters/aws/s3-object-store.ts';
import { loadCatalogue } from '../../functions/cli/local.ts';
import { lakeKeys } from '../../functions/core/lake/layout.ts';
import type { Report } from '../../functions/core/report/schema.ts';
import { parseObjectCreated } from '../../functions/handlers/s3-event.ts';
import { claimUploadRun } from '../../functions/pipeline/claim-run.ts';
import { routedStore } from '../../functions/pipeline/routed-store.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { objectCreated } from '../fixtures/events.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';
import { sampleReport } from '../fixtures/reports.ts';
import { motoUnavailable, requirePeers, type S3Peer, startMoto, startS3rver } from '../helpers/s3-servers.ts';

/**
 * `repscope upload` against real S3 protocol servers on loopback (s3rver, and moto_server with
 * versioned buckets), with the deployment's datasets and lake buckets. `--wait` meets a fake pipeline: the test does what the deployed profile
 * handler does on the upload's S3 event (claims the run by the object's version id or ETag), then
 * writes the run's report, after delays.
 */
const motoMissing = motoUnavailable();
if (motoMissing && requirePeers) throw new Error(`REPSCOPE_REQUIRE_PEERS=1 but ${motoMissing}`);
if (motoMissing) console.warn(`[upload] not running the moto_server cases: ${motoMissing}`);

const peers: [string, () => Promise<S3Peer>][] = [
  ['s3rver', startS3rver],
  ...(motoMissing ? [] : ([['moto', startMoto]] as [string, () => Promise<S3Peer>][])),
];

const DATASET = 'leads-fixture';
const REPO = path.resolve(import.meta.dirname, '..', '..');
const BUILT_IN_INDEX = `${lakeKeys.builtInReferences}populations.json`;
const MIB = 1024 * 1024;

let dir: string;
let cleanup: () => Promise<void>;
let dataFile: string;
let bigFile: string;
let manifestFile: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('repscope-upload-'));
  dataFile = path.join(dir, 'leads.csv');
  bigFile = path.join(dir, 'big leads.csv');
  manifestFile = path.join(dir, 'repscope.yaml');
  await writeFile(dataFile, leadsCsv(skewedLeads(400)));
  await writeFile(bigFile, leadsCsv(skewedLeads(150_000)));
  await writeFile(manifestFile, LEADS_MANIFEST);
  await writeFile(
    path.join(dir, 'unknown-column.yaml'),
    LEADS_MANIFEST.replace('column: sex', 'column: gender'),
  );
  await writeFile(
    path.join(dir, 'unknown-reference.yaml'),
    LEADS_MANIFEST.replace('de-2023/sex', 'de-2023/gender'),
  );
  await writeFile(
    path.join(dir, 'invalid.yaml'),
    LEADS_MANIFEST.replace('dataset: leads-fixture', 'dataset: Leads!'),
  );
  // Credentials and region reach the SDK's default chain through the environment, as in CI.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
  vi.stubEnv('AWS_REGION', 'eu-central-1');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await cleanup();
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(peers)('repscope upload against %s', (name, start) => {
  let server: S3Peer;
  const clients: { destroy(): void }[] = [];

  beforeAll(async () => {
    server = await start();
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.stop();
  });

  async function bucket(options: { versioned?: boolean } = {}): Promise<S3ObjectStore> {
    const bucketName = `up-${name}-${randomBytes(4).toString('hex')}`;
    await server.createBucket(bucketName, options);
    const client = server.client();
    clients.push(client);
    return new S3ObjectStore({ bucket: bucketName, client });
  }

  /** The deployment's datasets and lake buckets (the site bucket plays no part in an upload). */
  interface Deployment {
    readonly datasets: S3ObjectStore;
    readonly lake: S3ObjectStore;
  }

  /** A lake bucket holds the built-in references' index, as the stateful stack deploys it. */
  async function lakeBucket(options: { versioned?: boolean } = {}): Promise<S3ObjectStore> {
    const lake = await bucket(options);
    await lake.write(BUILT_IN_INDEX, await readFile(path.join(REPO, 'references', 'populations.json')));
    return lake;
  }

  async function deployment(options: { versioned?: boolean } = {}): Promise<Deployment> {
    return { datasets: await bucket(options), lake: await lakeBucket(options) };
  }

  const upload = (d: Deployment, file: string, ...args: string[]) =>
    runCli([
      'upload',
      file,
      '--datasets-bucket',
      d.datasets.bucket,
      '--lake-bucket',
      d.lake.bucket,
      '--endpoint',
      server.endpoint,
      ...args,
    ]);

  async function bytesOf(store: S3ObjectStore, key: string): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of store.read(key)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /**
   * The deployed pipeline, faked: once the data file is in the bucket, claims its run as the
   * profile handler does for the S3 event (after `claimAfterMs`), then writes the run's report.
   */
  async function fakePipeline(
    d: Deployment,
    key: string,
    report: (run: string) => Report,
    claimAfterMs = 300,
  ): Promise<string> {
    const client = server.client();
    clients.push(client);
    let head: { ETag?: string; VersionId?: string; ContentLength?: number } | undefined;
    while (head === undefined) {
      head = await client
        .send(new HeadObjectCommand({ Bucket: d.datasets.bucket, Key: key }))
        .catch(() => undefined);
      if (head === undefined) await delay(50);
    }
    await delay(claimAfterMs);
    const trigger = parseObjectCreated(
      objectCreated(key.split('/').map(encodeURIComponent).join('/'), {
        size: head.ContentLength,
        etag: head.ETag?.replaceAll('"', ''),
        ...(head.VersionId ? { 'version-id': head.VersionId } : {}),
      }),
    );
    if (trigger.kind !== 'upload') throw new Error(`the fake pipeline ignored the upload: ${trigger.reason}`);
    // The handler's store: uploads read from the datasets bucket, the claim written to the lake bucket.
    const store = routedStore({ datasets: d.datasets, lake: d.lake, site: d.lake });
    const claim = await claimUploadRun(store, await loadCatalogue([]), trigger.upload, new Date());
    await delay(300);
    await d.lake.write(lakeKeys.report(DATASET, claim.run), JSON.stringify(report(claim.run)));
    return claim.run;
  }

  const reportWith = (status: Report['status'], checks: Report['checks']) => (run: string) => {
    const report = sampleReport();
    return {
      ...report,
      dataset: { ...report.dataset, id: DATASET },
      run: { ...report.run, id: run },
      status,
      checks,
    };
  };

  it('puts the manifest and the data at their lake keys, byte for byte, and says where the report will appear', async () => {
    const d = await deployment();
    const store = d.datasets;
    const result = await upload(d, dataFile, '--manifest', manifestFile, '--dataset-version', 'v1');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const dataKey = `datasets/${DATASET}/v1/leads.csv`;
    expect((await store.list('')).map((o) => o.key)).toEqual([`datasets/${DATASET}/repscope.yaml`, dataKey]);
    // Uploads go to the datasets bucket only; the lake bucket is the pipeline's to write.
    expect((await d.lake.list('')).map((o) => o.key)).toEqual([BUILT_IN_INDEX]);
    expect(await bytesOf(store, dataKey)).toEqual(await readFile(dataFile));
    expect((await bytesOf(store, lakeKeys.manifest(DATASET))).toString()).toBe(LEADS_MANIFEST);
    expect(result.stdout).toContain(`uploaded s3://${store.bucket}/${dataKey} (`);
    expect(result.stdout).toContain(
      `s3://${d.lake.bucket}/lake/reports/dataset=${DATASET}/run=<run>/report.json`,
    );
    expect(result.stdout).toContain(`site/datasets/${DATASET}/runs/<run>/index.html`);
    expect(result.stdout).toMatch(
      new RegExp(`s3://${d.lake.bucket}/lake/claims/dataset=${DATASET}/[0-9a-f]{32}\\.json`),
    );
  });

  it('uploads a file above 8 MiB in parts, into a version folder named by the UTC time', async () => {
    const bytes = await readFile(bigFile);
    expect(bytes.length).toBeGreaterThan(8 * MIB);
    const d = await deployment();
    const store = d.datasets;
    const result = await upload(d, bigFile);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const data = (await store.list('datasets/')).find((o) => o.key.endsWith('/big leads.csv'));
    expect(data?.key).toMatch(
      new RegExp(`^datasets/${DATASET}/\\d{4}-\\d\\d-\\d\\dT\\d{6}Z/big leads\\.csv$`),
    );
    // A multipart upload's ETag ends in the number of its parts (s3rver gives the MD5 of the whole).
    if (name === 'moto') expect(data?.etag).toMatch(/-2"$/);
    expect((await bytesOf(store, data!.key)).equals(bytes)).toBe(true);
  });

  it('S3ObjectStore.upload streams a file in parts, reports progress, returns the ETag and version id', async () => {
    const store = await bucket({ versioned: name === 'moto' });
    const client = server.client();
    clients.push(client);
    const small = new S3ObjectStore({ bucket: store.bucket, client, multipartThresholdBytes: 5 * MIB });
    const sent: number[] = [];
    const size = (await readFile(bigFile)).length;
    const stored = await small.upload('datasets/x/v/big.csv', createReadStream(bigFile), {
      onProgress: (bytes) => sent.push(bytes),
    });
    expect(sent.at(-1)).toBe(size);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect([...sent].sort((a, b) => a - b)).toEqual(sent);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: store.bucket, Key: 'datasets/x/v/big.csv' }),
    );
    expect(stored.etag).toBe(head.ETag);
    expect(stored.versionId).toBe(head.VersionId);
    if (name === 'moto') expect(stored.versionId).toMatch(/\S/);
  });

  it('refuses a bad manifest, an unknown column or reference before anything is uploaded, with check’s message', async () => {
    const d = await deployment();
    for (const manifest of ['invalid.yaml', 'unknown-column.yaml', 'unknown-reference.yaml']) {
      const m = path.join(dir, manifest);
      const result = await upload(d, dataFile, '-m', m);
      const checked = await runCli(['check', dataFile, '-m', m, '--threads', '1']);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toBe(checked.stderr);
      expect(checked.code).toBe(2);
    }
    expect(await d.datasets.list('')).toEqual([]);
    expect((await d.lake.list('')).map((o) => o.key)).toEqual([BUILT_IN_INDEX]);
  });

  it('--wait exits 0 on pass or warn, 1 on fail, printing the verdict and the run page', async () => {
    const cases = [
      ['pass', 0, []],
      ['warn', 0, [{ id: 'sex', status: 'warn', message: 'diverse: too few rows to conclude' }]],
      ['fail', 1, [{ id: 'age_band', status: 'fail', message: '18-24 under-represented' }]],
    ] as const;
    const d = await deployment({ versioned: name === 'moto' });
    for (const [status, code, checks] of cases) {
      const key = lakeKeys.dataFile(DATASET, status, 'leads.csv');
      const [result, run] = await Promise.all([
        upload(d, dataFile, '--dataset-version', status, '--wait', '--timeout-sec', '30'),
        fakePipeline(d, key, reportWith(status, [...checks])),
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(code);
      expect(result.stdout).toContain(
        `run ${run}: waiting for s3://${d.lake.bucket}/${lakeKeys.report(DATASET, run)}`,
      );
      expect(result.stdout).toContain(
        `${status.toUpperCase().padEnd(5)} ${DATASET}  site/datasets/${DATASET}/runs/${run}/index.html\n`,
      );
      for (const c of checks) expect(result.stdout).toContain(c.message);
    }
  });

  it('--wait exits 2 on an error report, with its first failed check in one line', async () => {
    const d = await deployment();
    const key = lakeKeys.dataFile(DATASET, 'broken', 'leads.csv');
    const checks = [
      { id: 'input', status: 'fail', message: "leads.csv: column 'sex' not found" },
      { id: 'other', status: 'fail', message: 'second' },
    ] as const;
    const [result, run] = await Promise.all([
      upload(d, dataFile, '--dataset-version', 'broken', '--wait'),
      fakePipeline(d, key, reportWith('error', [...checks])),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `repscope: run ${run} of ${DATASET} ended in error: leads.csv: column 'sex' not found\n`,
    );
  });

  it('--wait gives up with exit 2, saying what it waited for', async () => {
    const d = await deployment();
    const result = await upload(d, dataFile, '--dataset-version', 'v1', '--wait', '--timeout-sec', '1');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^repscope: timed out after 1 s waiting for the pipeline to claim a run for s3://${d.datasets.bucket}/datasets/${DATASET}/v1/leads\\.csv; ` +
          `s3://${d.lake.bucket}/lake/claims/dataset=${DATASET}/[0-9a-f]{32}\\.json did not appear\\n$`,
      ),
    );
  });

  it('names the bucket in one line when it does not exist', async () => {
    const missing = (datasets: string, lake: string) =>
      runCli([
        'upload',
        dataFile,
        '--datasets-bucket',
        datasets,
        '--lake-bucket',
        lake,
        '--endpoint',
        server.endpoint,
      ]);
    const noLake = await missing('no-such-uploads', 'no-such-bucket');
    expect(noLake.code).toBe(2);
    expect(noLake.stderr).toMatch(
      /^repscope: cannot \w+ s3:\/\/no-such-bucket\/\S*: NoSuchBucket \(HTTP 404\)\n$/,
    );
    const noDatasets = await missing('no-such-uploads', (await lakeBucket()).bucket);
    expect(noDatasets.code).toBe(2);
    expect(noDatasets.stderr).toMatch(
      /^repscope: cannot \w+ s3:\/\/no-such-uploads\/\S*: NoSuchBucket \(HTTP 404\)\n$/,
    );
  });

  it('refuses, before uploading, a lake bucket without the built-in references: swapped or mistyped names', async () => {
    const d = await deployment();
    const swapped = await upload({ datasets: d.lake, lake: d.datasets }, dataFile, '--dataset-version', 'v1');
    expect(swapped).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `repscope: --lake-bucket ${d.datasets.bucket}: s3://${d.datasets.bucket}/${BUILT_IN_INDEX} does not exist; ` +
        "expected the deployment's lake bucket (the RepscopeStateful stack's output LakeBucketName), where it puts the built-in references\n",
    });
    expect(await d.datasets.list('')).toEqual([]);
    expect((await d.lake.list('')).map((o) => o.key)).toEqual([BUILT_IN_INDEX]);
  });
});

describe('repscope upload without a server', () => {
  it('names the bucket and the endpoint problem in one line, exit 2', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const result = await runCli([
      'upload',
      dataFile,
      '--datasets-bucket',
      'uploads',
      '--lake-bucket',
      'lake',
      '--endpoint',
      `http://127.0.0.1:${port}`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^repscope: cannot \w+ s3:\/\/lake\/.*ECONNREFUSED.*\n$/);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });
});
