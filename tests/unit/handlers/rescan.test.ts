import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../functions/cli/local.ts';
import { lakeKeys } from '../../../functions/core/lake/layout.ts';
import { parseManifest } from '../../../functions/core/manifest/parse.ts';
import type { ObjectStore } from '../../../functions/core/ports.ts';
import { trinoDialect } from '../../../functions/core/profile/grouping-sets-dialect.ts';
import { planFingerprint } from '../../../functions/core/profile/plan.ts';
import { readConfig } from '../../../functions/handlers/config.ts';
import { parseRecompareEvent } from '../../../functions/handlers/recompare-event.ts';
import { createRescanHandler } from '../../../functions/handlers/rescan.ts';
import type { Runtime } from '../../../functions/handlers/runtime.ts';
import { parseDatasetEvent, parseObjectCreated } from '../../../functions/handlers/s3-event.ts';
import { sha256 } from '../../../functions/pipeline/io.ts';
import { planFor } from '../../../functions/pipeline/profile-stage.ts';
import { noDataReason } from '../../../functions/pipeline/recompare.ts';
import { LEADS_MANIFEST } from '../../fixtures/leads.ts';
import { memoryStore } from '../pipeline/memory-store.ts';

const config = readConfig({
  REPSCOPE_DATASETS_BUCKET: 'repscope-datasets',
  REPSCOPE_LAKE_BUCKET: 'repscope-lake',
  REPSCOPE_SITE_BUCKET: 'repscope-site',
  REPSCOPE_ATHENA_WORKGROUP: 'repscope',
  REPSCOPE_GLUE_DATABASE: 'repscope_lake',
  REPSCOPE_STATE_MACHINE_ARN: 'arn:aws:states:eu-central-1:123456789012:stateMachine:repscope-run',
});

function runtimeOver(store: ObjectStore): Runtime {
  return {
    config,
    store,
    engine: { dialect: trinoDialect, rows: async () => [] },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    clock: { now: () => new Date('2026-12-06T04:00:00Z') },
    catalogue: async () => ({ populations: [], rows: [] }),
  };
}

const scheduled = `${LEADS_MANIFEST.replace('leads-fixture', 'daily')}schedule: rate(1 day)\n`;

describe('the rescan handler', () => {
  const store = memoryStore({
    'datasets/daily/repscope.yaml': scheduled,
    'datasets/daily/2026-12-01/leads.csv': 'old version\n',
    'datasets/daily/2026-12-05/part a.csv': 'newest version, first part\n',
    'datasets/daily/2026-12-05/part b.csv': 'newest version, last part\n',
    'datasets/plain/repscope.yaml': LEADS_MANIFEST.replace('leads-fixture', 'plain'),
    'datasets/plain/v1/leads.csv': 'not scheduled\n',
  });

  it('starts one execution per scheduled dataset with an Object Created event for its newest object', async () => {
    const inputs: string[] = [];
    const handler = createRescanHandler(
      () => runtimeOver(store),
      () => async (input) => {
        inputs.push(input);
        return `arn:aws:states:eu-central-1:123456789012:execution:repscope-run:${inputs.length}`;
      },
    );
    const out = await handler({});
    expect(out.skipped).toEqual([]);
    expect(out.started).toEqual([
      {
        dataset: 'daily',
        key: 'datasets/daily/2026-12-05/part b.csv',
        execution: 'arn:aws:states:eu-central-1:123456789012:execution:repscope-run:1',
      },
    ]);
    const event = JSON.parse(inputs[0]!);
    expect(event.detail.object.key).toBe('datasets/daily/2026-12-05/part+b.csv');
    const trigger = parseObjectCreated(event);
    expect(trigger.kind).toBe('upload');
    if (trigger.kind !== 'upload') return;
    // The datasets bucket, where the profile handler takes uploads from (not the lake bucket).
    expect(trigger.upload).toMatchObject({
      bucket: 'repscope-datasets',
      key: 'datasets/daily/2026-12-05/part b.csv',
      dataset: 'daily',
      version: '2026-12-05',
      trigger: 'schedule',
      createdAt: '2026-12-06T04:00:00.000Z',
    });
  });

  it('rescans the datasets it is given, scheduled or not', async () => {
    const inputs: string[] = [];
    const handler = createRescanHandler(
      () => runtimeOver(store),
      () => async (input) => {
        inputs.push(input);
        return 'arn';
      },
    );
    const out = await handler({ datasets: ['plain'] });
    expect(out.started.map((s) => s.dataset)).toEqual(['plain']);
    await expect(handler({ datasets: ['nope'] })).rejects.toThrow(/^\[USAGE\] no dataset 'nope' in the lake/);
  });

  it('says which due datasets it skips, and why: their uploads expired', async () => {
    const expired = memoryStore({ 'datasets/gone/repscope.yaml': scheduled.replace('daily', 'gone') });
    const warnings: unknown[] = [];
    const handler = createRescanHandler(
      () => ({
        ...runtimeOver(expired),
        logger: { info: () => {}, warn: (...a) => warnings.push(a), error: () => {} },
      }),
      () => async () => 'arn',
    );
    const out = await handler({});
    expect(out.started).toEqual([]);
    expect(out.skipped).toEqual([
      {
        dataset: 'gone',
        reason:
          'no data file under datasets/gone/<version>/ (expired or never uploaded) and no table in its manifest',
      },
    ]);
    expect(warnings).toEqual([['rescan skipped', { dataset: 'gone', reason: out.skipped[0]!.reason }]]);
  });

  it('announces a dataset registered as a table by its manifest, as a scheduled manifest event', async () => {
    const tables = memoryStore({
      'datasets/rows/repscope.yaml': `${scheduled.replace('daily', 'rows')}table: { name: leads_rows }\n`,
      // A sample uploaded beside the table is not the dataset: the table is counted again.
      'datasets/rows/sample/leads.csv': 'a sample\n',
    });
    const inputs: string[] = [];
    const handler = createRescanHandler(
      () => runtimeOver(tables),
      () => async (input) => {
        inputs.push(input);
        return 'arn';
      },
    );
    expect((await handler({})).started.map((s) => s.key)).toEqual(['datasets/rows/repscope.yaml']);
    const trigger = parseDatasetEvent(JSON.parse(inputs[0]!));
    expect(trigger.kind).toBe('manifest');
    if (trigger.kind !== 'manifest') return;
    expect(trigger.manifest).toMatchObject({ dataset: 'rows', trigger: 'schedule' });
  });

  it('starts a compare of the kept profile for a due dataset whose uploads expired, and skips one it cannot', async () => {
    const catalogue = await loadCatalogue([]);
    const manifestText = scheduled.replace('daily', 'aged');
    const manifest = parseManifest(manifestText, 'test');
    const profiled = {
      manifestText,
      startedAt: '2026-11-01T06:00:00.000Z',
      version: 'v1',
      source: {
        uri: 's3://repscope-datasets/datasets/aged/v1/leads.csv',
        bytes: 10,
        etag: 'e',
        format: 'csv',
        compression: 'none',
      },
      fileColumns: [],
      planSha256: sha256(planFingerprint(planFor(manifest, catalogue), manifest)),
    };
    const kept = memoryStore({
      [lakeKeys.profiledRun('aged', '20261101T060000Z')]: JSON.stringify(profiled),
      [lakeKeys.profile('aged', '20261101T060000Z')]: '{}',
      // Its plan is not the one the profile was counted with: nothing to compare again.
      [lakeKeys.profiledRun('rebinned', '20261101T060000Z')]: JSON.stringify({
        ...profiled,
        manifestText: manifestText.replace('dataset: aged', 'dataset: rebinned'),
        planSha256: 'another plan',
      }),
      [lakeKeys.profile('rebinned', '20261101T060000Z')]: '{}',
    });
    const inputs: string[] = [];
    const handler = createRescanHandler(
      () => ({ ...runtimeOver(kept), catalogue: async () => catalogue }),
      () => async (input) => {
        inputs.push(input);
        return 'arn';
      },
    );
    const out = await handler({});
    expect(out.started).toEqual([
      {
        dataset: 'aged',
        key: lakeKeys.profile('aged', '20261101T060000Z'),
        execution: 'arn',
        from: '20261101T060000Z',
      },
    ]);
    expect(out.skipped).toEqual([
      {
        dataset: 'rebinned',
        reason: `${noDataReason('rebinned')}; the kept profile of run 20261101T060000Z cannot be compared again: the manifest now counts differently, or a revised reference maps values to other groups; upload the data again`,
      },
    ]);
    const event = JSON.parse(inputs[0]!);
    expect(parseRecompareEvent(event)).toEqual({
      bucket: 'repscope-datasets',
      dataset: 'aged',
      from: '20261101T060000Z',
      time: '2026-12-06T04:00:00.000Z',
    });
    // Not an S3 event: the profile step's S3 reading ignores it; only the recompare path takes it.
    expect(parseDatasetEvent(event).kind).toBe('ignored');
    expect(parseRecompareEvent({ ...event, detail: { ...event.detail, from: '../x' } })).toBeUndefined();
    expect(parseRecompareEvent({ ...event, detail: { ...event.detail, dataset: 'Bad Id' } })).toBeUndefined();
  });
});
