import '../helpers/promise-with-resolvers.ts';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/core/ports.ts';
import type { Report } from '../../functions/core/report/schema.ts';
import { datasetHistory } from '../../functions/pipeline/history.ts';
import { readText } from '../../functions/pipeline/io.ts';
import { LEADS_MANIFEST, leadsCsv, MY_POP_REFERENCE, skewedLeads } from '../fixtures/leads.ts';
import type { AthenaProtocolServer } from '../helpers/athena-protocol-server.ts';
import { athenaStandInEngine } from '../helpers/athena-stand-in-engine.ts';
import {
  type EmulatedCloud,
  emulatedRuntime,
  executeSteps,
  rescanEmulated,
  startEmulatedCloud,
} from '../helpers/emulated-run.ts';
import { TEST_BUCKETS } from '../helpers/handler-environment.ts';
import { motoUnavailable, requirePeers, type S3Peer } from '../helpers/s3-servers.ts';
import { synthesizedDefinition } from '../helpers/synthesized-definition.ts';

/**
 * Issue #10's expiry meets issue #11's rescan in the cloud emulation (moto_server's versioned S3,
 * the Athena stand-in, the synthesized state machine run by aws-local-stepfunctions with the
 * handlers in-process): the upload of a scheduled dataset, then its manifest, are deleted as the
 * lifecycle rule would; the rescan still reaches it when its reference is revised, through the
 * profile its run kept, entering the definition's Compare without reading data. Nothing changed:
 * a duplicate. The report's numbers equal those of a full run over the same data.
 */
const motoMissing = motoUnavailable();
if (motoMissing && requirePeers) throw new Error(`REPSCOPE_REQUIRE_PEERS=1 but ${motoMissing}`);
if (motoMissing) console.warn(`[aws-recompare] not running the AWS emulation: ${motoMissing}`);

let cloud: EmulatedCloud;
let moto: S3Peer;
let athena: AthenaProtocolServer;
let store: ObjectStore;
let today = '2026-12-01T06:00:00Z';

const definition = synthesizedDefinition();
const manifest = (id: string) =>
  `${LEADS_MANIFEST.replace('leads-fixture', id).replace('de-2023/sex', 'my-pop/sex')}schedule: rate(1 day)\n`;
const DATA = leadsCsv(skewedLeads(900, 41));
const REVISED = MY_POP_REFERENCE.replace('0.6', '0.5').replace('0.4', '0.5');

const runtime = () => emulatedRuntime(cloud, { now: () => today });
const execute = (event: unknown) => executeSteps(definition, event, runtime());

async function upload(key: string, body: string): Promise<unknown> {
  return { ...(await cloud.upload(key, body)), time: today };
}

/** Deletes a key as the lifecycle rule's expiration does in a versioned bucket (a delete marker). */
async function expire(key: string): Promise<void> {
  const client = moto.client();
  await client.send(new DeleteObjectCommand({ Bucket: TEST_BUCKETS.datasets, Key: key }));
  client.destroy();
}

/** The rescan Lambda, each execution it starts run in the local state machine. */
const rescanNow = () => rescanEmulated(definition, runtime);

const reportOf = async (dataset: string, run: string): Promise<Report> =>
  JSON.parse(await readText(store, `lake/reports/dataset=${dataset}/run=${run}/report.json`));

const describeAws = motoMissing ? describe.skip : describe;

describeAws('a scheduled dataset whose upload expired, through the cloud emulation', () => {
  beforeAll(async () => {
    cloud = await startEmulatedCloud();
    ({ moto, store, athena } = cloud);
    await store.write('references/my-pop.csv', MY_POP_REFERENCE);
    await store.write('datasets/aged/repscope.yaml', manifest('aged'));
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('is compared again from its kept profile when its reference is revised, and only then', async () => {
    expect(await execute(await upload('datasets/aged/v1/leads.csv', DATA))).toEqual([
      'Profile',
      'Compare',
      'Publish',
    ]);

    today = '2026-12-02T06:00:00Z'; // the upload expired; nothing else changed: a duplicate
    await expire('datasets/aged/v1/leads.csv');
    const unchanged = await rescanNow();
    expect(unchanged.executions).toEqual([['Profile']]);
    expect(unchanged.output.skipped).toEqual([]);
    expect(unchanged.output.started).toMatchObject([
      { dataset: 'aged', key: expect.stringMatching(/^lake\/profiles\/dataset=aged\/run=20261201T060000Z-/) },
    ]);

    today = '2026-12-03T06:00:00Z'; // the reference is revised: Compare without a data read
    await store.write('references/my-pop.csv', REVISED);
    expect((await rescanNow()).executions).toEqual([['Profile', 'Compare', 'Publish']]);

    today = '2026-12-04T06:00:00Z'; // the manifest expired too: still registered, nothing changed
    await expire('datasets/aged/repscope.yaml');
    const kept = await rescanNow();
    expect(kept.executions).toEqual([['Profile']]);
    expect(kept.output.started.map((s) => s.dataset)).toEqual(['aged']);

    const lines = await datasetHistory(store, athenaStandInEngine(athena.endpoint), 'aged');
    expect(lines.map((l) => [l.run.slice(0, 16), l.version, l.trigger])).toEqual([
      ['20261201T060000Z', 'v1', 'upload'],
      ['20261203T060000Z', 'v1', 'schedule'],
    ]);
    const first = lines[0]!.run;
    const recompared = await reportOf('aged', lines[1]!.run);
    expect(recompared.run.reason).toBe('schedule');
    expect(recompared.dataset.source).toEqual((await reportOf('aged', first)).dataset.source);
    expect(recompared.warnings.find((w) => w.code === 'recompared')?.message).toBe(
      `re-compared from the profile of run ${first} (version v1, read on 2026-12-01): its raw upload or manifest has expired since (not under datasets/ on 2026-12-03), so this run read no rows; its counts are that run's`,
    );

    // A full run over the same bytes with the revised reference gives the same numbers.
    await store.write('datasets/fresh/repscope.yaml', manifest('fresh'));
    expect(await execute(await upload('datasets/fresh/v1/leads.csv', DATA))).toEqual([
      'Profile',
      'Compare',
      'Publish',
    ]);
    const [fresh] = await datasetHistory(store, athenaStandInEngine(athena.endpoint), 'fresh');
    const full = await reportOf('fresh', fresh!.run);
    const numbers = (r: Report) => ({
      status: r.status,
      rows: r.rows,
      attributes: r.attributes,
      intersections: r.intersections,
      checks: r.checks,
      warnings: r.warnings.filter((w) => w.code !== 'recompared'),
      references: r.provenance.references,
      manifestSha256: r.provenance.manifestSha256 === '' ? '' : 'set',
    });
    expect(numbers(recompared)).toEqual(numbers(full));

    const page = await readText(store, `site/datasets/aged/runs/${lines[1]!.run}/index.html`);
    expect(page).toContain(`re-compared from the profile of run ${first}`);
  }, 240_000);
});
