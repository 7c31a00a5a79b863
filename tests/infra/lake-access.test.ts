import '../helpers/promise-with-resolvers.ts';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../functions/adapters/local/duckdb-query-engine.ts';
import { FileObjectStore } from '../../functions/adapters/local/file-object-store.ts';
import type { LakeBucket } from '../../functions/core/lake/layout.ts';
import { LAKE_TABLES } from '../../functions/core/lake/tables.ts';
import type { ObjectStore, QueryEngine } from '../../functions/core/ports.ts';
import { mergeCatalogues } from '../../functions/core/references/reference.ts';
import { createCompareHandler } from '../../functions/handlers/compare.ts';
import { readConfig } from '../../functions/handlers/config.ts';
import { createMergeHandler } from '../../functions/handlers/merge.ts';
import { createProfileHandler } from '../../functions/handlers/profile.ts';
import { createProfileRangeHandler } from '../../functions/handlers/profile-range.ts';
import { createProfileTableHandler } from '../../functions/handlers/profile-table.ts';
import { createPublishHandler } from '../../functions/handlers/publish.ts';
import { createRescanHandler } from '../../functions/handlers/rescan.ts';
import { BUILT_IN_REFERENCES_PREFIX, type Runtime } from '../../functions/handlers/runtime.ts';
import { prefixedStore } from '../../functions/pipeline/prefixed-store.ts';
import { loadBuiltInReferences, loadDroppedReferences } from '../../functions/pipeline/references.ts';
import { routedStore } from '../../functions/pipeline/routed-store.ts';
import { bucketAccess, LAKE_ACCESS, reaches } from '../../infra/lake-access.ts';
import type { LambdaName } from '../../infra/lambda-bundles.ts';
import { tempDir } from '../fixtures/cli.ts';
import { objectCreated } from '../fixtures/events.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';
import { seedBuiltInReferences } from '../helpers/emulated-run.ts';
import { TEST_BUCKETS } from '../helpers/handler-environment.ts';
import { noRetryWaits } from '../helpers/no-retry-waits.ts';
import { synthesizedDefinition } from '../helpers/synthesized-definition.ts';

/**
 * The grants are enough, and no wider than the runtime needs: the deployed definition runs with
 * the real handlers (aws-local-stepfunctions), each task on the three buckets of the lake, each of
 * which refuses every key outside its function's LAKE_ACCESS patterns for that bucket (and every
 * listing of a bucket it has none in), as its IAM role would, and records the refusal. The small,
 * fan-out, duplicate, bad-input and failed-step paths must each finish as they do in AWS with no
 * refusal, and the compare SQL may name only the tables the roles' Glue grants name. Each bucket
 * is a folder and DuckDB (over the lake bucket's folder) stands in for Athena, so this runs
 * everywhere.
 */
const _REPO = path.resolve(import.meta.dirname, '..', '..');
const definition = synthesizedDefinition();
let root: string;
let cleanup: () => Promise<void>;
/** Each bucket as a folder of its own. */
let buckets: Record<LakeBucket, FileObjectStore>;
/** The three buckets as the runtime sees them, with no role's limits: for the tests' own writes. */
let lake: ObjectStore;
let engine: DuckDbQueryEngine;
const refused: string[] = [];
const statements: { name: LambdaName; sql: string }[] = [];

/** One bucket as the function's role sees it: keys outside its patterns for it are refused (and recorded). */
function bucketAsRole(name: LambdaName, bucket: LakeBucket, store: ObjectStore): ObjectStore {
  const granted = bucketAccess(LAKE_ACCESS[name])[bucket];
  const read = granted?.read ?? [];
  const write = granted?.write ?? [];
  const refuse = (what: string, key: string) => {
    refused.push(`${name} may not ${what} ${key}`);
    throw new Error(`AccessDenied: ${name} ${what} ${key} in the ${bucket} bucket`);
  };
  const check = (patterns: readonly string[], what: string, key: string) => {
    if (!reaches(patterns, key)) refuse(what, key);
  };
  return {
    read: (key, range) => {
      check(read, 'read', key);
      return store.read(key, range);
    },
    head: async (key) => {
      check(read, 'read', key);
      return store.head(key);
    },
    write: async (key, body, contentType) => {
      check(write, 'write', key);
      return store.write(key, body, contentType);
    },
    writeIf: async (key, body, condition, contentType) => {
      check(write, 'write', key);
      return store.writeIf(key, body, condition, contentType);
    },
    // ListBucket is granted on each bucket the role has patterns in (key names only).
    list: async (prefix) => {
      if (!granted) refuse('list', prefix);
      return store.list(prefix);
    },
    uri: (key) => store.uri(key),
  };
}

/** The lake as the function's role sees it: the three buckets, each within the role's grants on it. */
function asRole(name: LambdaName): ObjectStore {
  return routedStore({
    datasets: bucketAsRole(name, 'datasets', buckets.datasets),
    lake: bucketAsRole(name, 'lake', buckets.lake),
    site: bucketAsRole(name, 'site', buckets.site),
  });
}

/** The SQL each function sends, kept to check which tables it names. */
function recorded(name: LambdaName, inner: QueryEngine): QueryEngine {
  return {
    dialect: inner.dialect,
    rows: (sql, params) => {
      statements.push({ name, sql });
      return inner.rows(sql, params);
    },
  };
}

function runtimeOf(name: LambdaName, overrides: Record<string, string>): Runtime {
  const store = asRole(name);
  return {
    config: readConfig({
      REPSCOPE_DATASETS_BUCKET: TEST_BUCKETS.datasets,
      REPSCOPE_LAKE_BUCKET: TEST_BUCKETS.lake,
      REPSCOPE_SITE_BUCKET: TEST_BUCKETS.site,
      REPSCOPE_ATHENA_WORKGROUP: 'repscope',
      REPSCOPE_GLUE_DATABASE: 'repscope_lake',
      REPSCOPE_CODE_VERSION: 'repscope test',
      ...overrides,
    }),
    store,
    engine: recorded(name, engine),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    clock: { now: () => new Date() },
    // As createRuntime does, through this role's view of the lake.
    catalogue: async () =>
      mergeCatalogues([
        await loadBuiltInReferences(prefixedStore(store, BUILT_IN_REFERENCES_PREFIX)),
        ...(await loadDroppedReferences(store)),
      ]),
  };
}

/** Runs the deployed definition on an event; each task gets its own function's view of the lake. */
async function execute(event: unknown, overrides: Record<string, string> = {}) {
  const steps: string[] = [];
  const task =
    <I, O>(step: string, handler: (input: I) => Promise<O>) =>
    async (input: unknown) => {
      steps.push(step);
      return handler(input as I) as never;
    };
  const rt = (name: LambdaName) => () => runtimeOf(name, overrides);
  const publish = createPublishHandler(rt('publish'));
  const execution = new StateMachine(structuredClone(definition) as never).run(event as never, {
    context: {
      Execution: { Id: `arn:aws:states:eu-central-1:123456789012:execution:run:${Date.now()}` },
    } as never,
    overrides: {
      taskResourceLocalHandlers: {
        Profile: task('Profile', createProfileHandler(rt('profile'))),
        ProfileRange: task('ProfileRange', createProfileRangeHandler(rt('profile-range'))),
        Merge: task('Merge', createMergeHandler(rt('merge'))),
        ProfileTable: task('ProfileTable', createProfileTableHandler(rt('profile-table'))),
        Compare: task('Compare', createCompareHandler(rt('compare'))),
        Publish: task('Publish', publish),
        PublishFailure: task('PublishFailure', publish),
      } as never,
      retryIntervalOverrides: noRetryWaits(definition),
    },
  });
  try {
    return { output: (await execution.result) as unknown, steps };
  } catch (error) {
    return { error: error as Error, steps };
  }
}

/** The rescan handler in its role, each execution it starts run by {@link execute}; `runs` gets their steps. */
function rescanInRoles(runs: string[][]) {
  return createRescanHandler(
    () =>
      runtimeOf('rescan', {
        REPSCOPE_STATE_MACHINE_ARN: 'arn:aws:states:eu-central-1:123456789012:stateMachine:repscope-run',
      }),
    () => async (input) => {
      const result = await execute(JSON.parse(input));
      expect(result.error).toBeUndefined();
      runs.push(result.steps);
      return `arn:aws:states:eu-central-1:123456789012:execution:repscope-run:${runs.length}`;
    },
  );
}

/** Writes an object as a user's upload would and returns S3's event for it. */
async function upload(key: string, body: string): Promise<unknown> {
  await lake.write(key, body);
  const head = await lake.head(key);
  return objectCreated(key, { size: head!.bytes, etag: head!.etag });
}

const keys = async (prefix: string) => (await lake.list(prefix)).map((o) => o.key);

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('repscope-lake-access-'));
  const folder = (bucket: LakeBucket) => path.join(root, bucket);
  buckets = {
    datasets: new FileObjectStore(folder('datasets')),
    lake: new FileObjectStore(folder('lake')),
    site: new FileObjectStore(folder('site')),
  };
  lake = routedStore(buckets);
  // Athena reads the lake bucket's tables (references/, lake/, tables/) and nothing else.
  engine = new DuckDbQueryEngine(folder('lake'), { threads: 1 });
  await seedBuiltInReferences(lake);
}, 60_000);

afterAll(async () => {
  engine?.close();
  await cleanup?.();
});

describe("the handlers within their roles' prefixes", () => {
  it('analyse and publish an upload in one pass', async () => {
    await lake.write('datasets/leads/repscope.yaml', LEADS_MANIFEST.replace('leads-fixture', 'leads'));
    const result = await execute(await upload('datasets/leads/v1/leads.csv', leadsCsv(skewedLeads(600))));
    expect(result.error).toBeUndefined();
    expect(result.steps).toEqual(['Profile', 'Compare', 'Publish']);
    expect(await keys('lake/reports/dataset=leads/')).toHaveLength(1);
    expect(await keys('site/datasets/leads/')).not.toEqual([]);
    expect(refused).toEqual([]);
    // Each area in its own bucket: the upload, the run's lake files and the pages.
    expect((await buckets.datasets.list('')).map((o) => o.key)).toEqual([
      'datasets/leads/repscope.yaml',
      'datasets/leads/v1/leads.csv',
    ]);
    expect(await buckets.lake.list('lake/reports/dataset=leads/')).toHaveLength(1);
    expect(await buckets.lake.list('site/')).toEqual([]);
    expect(await buckets.site.list('site/datasets/leads/')).not.toEqual([]);
    expect(await buckets.site.list('lake/')).toEqual([]);
  }, 60_000);

  it('stop at a duplicated event', async () => {
    const event = await upload('datasets/leads/v2/leads.csv', leadsCsv(skewedLeads(300, 2)));
    expect((await execute(event)).steps).toEqual(['Profile', 'Compare', 'Publish']);
    const again = await execute(event);
    expect(again.output).toMatchObject({ profile: { status: 'duplicate' } });
    expect(refused).toEqual([]);
  }, 60_000);

  it('fan a big object out over ranges, merge and publish, with a reference CSV the user dropped', async () => {
    await lake.write(
      'references/team-panel.csv',
      'population,attribute,group,count,share,source_year\nteam-panel,sex,female,50,0.5,2026\nteam-panel,sex,male,50,0.5,2026\n',
    );
    await lake.write(
      'datasets/wide/repscope.yaml',
      `dataset: wide
label: { column: converted, positive: ["1"] }
attributes:
  - { name: sex, column: sex, reference: team-panel/sex, groups: { female: [female], male: [male] } }
  - { name: state, column: state, reference: de-2023/state }
`,
    );
    const lines = ['sex,state,converted'];
    const states = ['Bayern', 'Berlin', 'Hessen', 'Sachsen', 'Bremen'];
    for (let i = 0; i < 20_000; i++)
      lines.push(`${i % 3 ? 'female' : 'male'},${states[(i * 11) % 5]},${i % 4 ? 0 : 1}`);
    const event = await upload('datasets/wide/v1/wide.csv', `${lines.join('\n')}\n`);
    const result = await execute(event, {
      REPSCOPE_FAN_OUT_THRESHOLD_BYTES: String(64 * 1024),
      REPSCOPE_RANGE_BYTES: String(16 * 1024),
    });
    expect(result.error).toBeUndefined();
    expect(result.steps.filter((s) => s === 'ProfileRange').length).toBeGreaterThan(2);
    expect(result.steps.filter((s) => s !== 'ProfileRange')).toEqual([
      'Profile',
      'Merge',
      'Compare',
      'Publish',
    ]);
    expect(await keys('lake/staging/dataset=wide/')).not.toEqual([]);
    const [report] = await keys('lake/reports/dataset=wide/');
    expect(JSON.parse(await readFile(path.join(root, 'lake', report!), 'utf8')).status).not.toBe('error');
    expect(refused).toEqual([]);
  }, 120_000);

  it('count a registered table in the query engine, compare and publish', async () => {
    await lake.write('tables/leads_rows/part-0.csv', leadsCsv(skewedLeads(500, 13)));
    const manifest = `${LEADS_MANIFEST.replace('leads-fixture', 'leads-table')}table: { name: leads_rows }\n`;
    // The manifest's upload is what starts a table's run.
    const result = await execute(await upload('datasets/leads-table/repscope.yaml', manifest));
    expect(result.error).toBeUndefined();
    expect(result.steps).toEqual(['Profile', 'ProfileTable', 'Compare', 'Publish']);
    expect(
      statements.some(({ name, sql }) => name === 'profile-table' && sql.includes('GROUPING SETS')),
    ).toBe(true);
    expect(refused).toEqual([]);
  }, 60_000);

  it('publish an error report for bad input, and one through the catch when a step fails', async () => {
    await lake.write(
      'datasets/broken/repscope.yaml',
      'dataset: broken\nattributes:\n  - { name: sex, column: no_such_column, reference: de-2023/sex }\n',
    );
    const bad = await execute(await upload('datasets/broken/v1/data.csv', 'sex\nfemale\nmale\n'));
    expect(bad.steps).toEqual(['Profile', 'Publish']);
    expect(bad.error?.message).toMatch(/RunFailed|The run failed/);
    await lake.write('datasets/badman/repscope.yaml', 'dataset: badman\nattributes: not-a-list\n');
    // Fanned out from one byte, so the manifest is read (and refused) before the analyse step.
    const caught = await execute(await upload('datasets/badman/v1/data.csv', 'sex\nfemale\n'), {
      REPSCOPE_FAN_OUT_THRESHOLD_BYTES: '1',
    });
    expect(caught.steps).toEqual(['Profile', 'PublishFailure']);
    expect(await keys('lake/reports/dataset=badman/')).toHaveLength(1);
    expect(refused).toEqual([]);
  }, 60_000);

  it('rescan a scheduled dataset: the rescan reads manifests and heads objects, the run it starts stays in its roles', async () => {
    await lake.write(
      'datasets/daily/repscope.yaml',
      `${LEADS_MANIFEST.replace('leads-fixture', 'daily')}schedule: rate(1 day)\n`,
    );
    await lake.write('datasets/daily/v1/leads.csv', leadsCsv(skewedLeads(300, 5)));
    const runs: string[][] = [];
    const rescan = rescanInRoles(runs);
    // Only the scheduled dataset is due; its first rescan is a run, the second a duplicate.
    expect((await rescan({})).started.map((s) => s.dataset)).toEqual(['daily']);
    expect((await rescan({})).started.map((s) => s.dataset)).toEqual(['daily']);
    expect(runs).toEqual([['Profile', 'Compare', 'Publish'], ['Profile']]);
    expect(refused).toEqual([]);
  }, 60_000);

  it('rescan a dataset whose upload and manifest expired: its kept profile is compared again within the roles', async () => {
    const panel = (female: number) =>
      `population,attribute,group,count,share,source_year\nteam-panel,sex,female,${female * 100},${female},2026\nteam-panel,sex,male,${100 - female * 100},${1 - female},2026\n`;
    await lake.write('references/team-panel.csv', panel(0.5));
    await lake.write(
      'datasets/aged/repscope.yaml',
      `${LEADS_MANIFEST.replace('leads-fixture', 'aged').replace('de-2023/sex', 'team-panel/sex')}schedule: rate(1 day)\n`,
    );
    const first = await execute(await upload('datasets/aged/v1/leads.csv', leadsCsv(skewedLeads(300, 9))));
    expect(first.steps).toEqual(['Profile', 'Compare', 'Publish']);
    // The lifecycle rule expires the upload and the manifest; the lake keeps the run's profile and record.
    await rm(path.join(root, 'datasets', 'datasets/aged'), { recursive: true });
    await lake.write('references/team-panel.csv', panel(0.6));
    const runs: string[][] = [];
    const rescan = rescanInRoles(runs);
    expect((await rescan({ datasets: ['aged'] })).started.map((s) => s.dataset)).toEqual(['aged']);
    expect((await rescan({ datasets: ['aged'] })).skipped).toEqual([]);
    expect(runs).toEqual([['Profile', 'Compare', 'Publish'], ['Profile']]);
    expect(await keys('lake/reports/dataset=aged/')).toHaveLength(2);
    expect(refused).toEqual([]);
  }, 60_000);

  it('query only the lake tables their Glue grants name', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const { name, sql } of statements) {
      const granted = LAKE_ACCESS[name].athena;
      expect(granted.length, `${name} sends SQL`).toBeGreaterThan(0);
      if (granted.includes('*')) continue;
      const named = LAKE_TABLES.map((t) => t.name).filter((t) => new RegExp(`\\b${t}\\b`).test(sql));
      expect(named.length).toBeGreaterThan(0);
      for (const table of named) expect(granted, `${name} queries ${table}`).toContain(table);
    }
  });

  it('would be refused outside the patterns (the guard itself)', async () => {
    const before = refused.length;
    await expect(runtimeOf('publish', {}).store.head('datasets/leads/v1/leads.csv')).rejects.toThrow(
      /AccessDenied/,
    );
    await expect(runtimeOf('profile-range', {}).store.write('site/index.html', 'x')).rejects.toThrow(
      /AccessDenied/,
    );
    // A bucket the role has no grant in cannot even be listed.
    await expect(runtimeOf('profile-range', {}).store.list('site/')).rejects.toThrow(
      /AccessDenied: profile-range list site\/ in the site bucket/,
    );
    expect(refused.splice(before)).toEqual([
      'publish may not read datasets/leads/v1/leads.csv',
      'profile-range may not write site/index.html',
      'profile-range may not list site/',
    ]);
  });
});
