import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../functions/adapters/aws/s3-object-store.ts';
import { DEMO_MARKET_REFERENCE_CSV, DEMO_TWO_REFERENCES_MANIFEST } from '../../functions/cli/demo-data.ts';
import type { ObjectStore } from '../../functions/core/ports.ts';
import { readText } from '../../functions/pipeline/io.ts';
import { routedStore } from '../../functions/pipeline/routed-store.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { seedBuiltInReferences } from '../helpers/emulated-run.ts';
import { TEST_BUCKETS } from '../helpers/handler-environment.ts';
import { type S3Peer, startS3rver } from '../helpers/s3-servers.ts';

/**
 * `repscope references add` against a deployment (issue #18): the CSV is checked against the
 * groups of the manifests in the datasets bucket and stored with its provenance under
 * `references/` of the lake bucket, where the handlers load users' references; the site bucket is
 * never touched. On s3rver, through the same S3 adapter the handlers use.
 */
let s3: S3Peer;
let dir: string;
let cleanup: () => Promise<void>;
let lake: ObjectStore;

beforeAll(async () => {
  process.env['AWS_ACCESS_KEY_ID'] = 'S3RVER';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'S3RVER';
  process.env['AWS_REGION'] = 'eu-central-1';
  ({ dir, cleanup } = await tempDir());
  s3 = await startS3rver();
  await s3.createBucket(TEST_BUCKETS.datasets);
  await s3.createBucket(TEST_BUCKETS.lake);
  const client = s3.client();
  const store = (bucket: string) => new S3ObjectStore({ bucket, client });
  lake = routedStore({
    datasets: store(TEST_BUCKETS.datasets),
    lake: store(TEST_BUCKETS.lake),
    site: store(TEST_BUCKETS.lake),
  });
  await seedBuiltInReferences(lake);
  await lake.write(
    'datasets/leads/repscope.yaml',
    DEMO_TWO_REFERENCES_MANIFEST.replace('marketing-leads', 'leads'),
  );
  await writeFile(path.join(dir, 'market.csv'), DEMO_MARKET_REFERENCE_CSV);
}, 60_000);

afterAll(async () => {
  await s3?.stop();
  await cleanup?.();
});

const add = (file: string, ...extra: string[]) =>
  runCli([
    'references',
    'add',
    path.join(dir, file),
    '--name',
    'market-2026',
    '--source',
    'https://example.com/market-study',
    '--year',
    '2026',
    '--kind',
    'market',
    '--endpoint',
    s3.endpoint,
    ...extra,
  ]);

describe('references add against the deployment buckets', () => {
  it('stores the checked reference and its provenance in the lake bucket', async () => {
    const r = await add(
      'market.csv',
      '--datasets-bucket',
      TEST_BUCKETS.datasets,
      '--lake-bucket',
      TEST_BUCKETS.lake,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^added market-2026: \\d+ groups of market-2026/sex, market-2026/age_band in s3://${TEST_BUCKETS.lake}/references/market-2026\\.csv \\(provenance: s3://${TEST_BUCKETS.lake}/references/market-2026\\.json\\)\\n$`,
      ),
    );
    expect(await readText(lake, 'references/market-2026.csv')).toMatch(
      /^population,attribute,group,count,share,source_year\n/,
    );
    expect(JSON.parse(await readText(lake, 'references/market-2026.json'))).toMatchObject({
      id: 'market-2026',
      source: 'https://example.com/market-study',
      year: 2026,
      kind: 'market',
    });
  });

  it('refuses what the local form refuses, and a bucket that is not the lake', async () => {
    await writeFile(path.join(dir, 'bad.csv'), 'attribute,group,share\nsex,female,0.7\nsex,male,0.7\n');
    const bad = await add(
      'bad.csv',
      '--datasets-bucket',
      TEST_BUCKETS.datasets,
      '--lake-bucket',
      TEST_BUCKETS.lake,
      '--replace',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.csv: shares of sex add up to 1\.40+; expected 1/);
    const swapped = await add(
      'market.csv',
      '--datasets-bucket',
      TEST_BUCKETS.lake,
      '--lake-bucket',
      TEST_BUCKETS.datasets,
    );
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toMatch(
      /--lake-bucket repscope-datasets: .* does not exist; expected the deployment's lake bucket/,
    );
    const both = await add('market.csv', '--root', dir, '--lake-bucket', TEST_BUCKETS.lake);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      'repscope: expected either --root <dir> (a local bucket folder) or both --datasets-bucket and --lake-bucket (a deployment)\n',
    );
  });
});
