import '../helpers/promise-with-resolvers.ts';
import path from 'node:path';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/core/ports.ts';
import type { Runtime } from '../../functions/handlers/runtime.ts';
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
import { motoUnavailable, requirePeers, type S3Peer } from '../helpers/s3-servers.ts';
import { synthesizedDefinition } from '../helpers/synthesized-definition.ts';

/**
 * Issue #11's scenario once through the cloud emulation: the state machine's definition run by
 * aws-local-stepfunctions with the handlers in-process, moto_server's S3 (versioned) and SNS, and
 * the Athena protocol stand-in. Uploads and scheduled rescans over simulated days (the runtime's
 * clock and the events' times), a reference revised in between: duplicates add nothing, a revised
 * reference and a drifting upload add runs, the drift alert reaches the SNS topic, history reads
 * through Athena, and the dataset page in the bucket has its trend charts.
 */
const motoMissing = motoUnavailable();
if (motoMissing && requirePeers) throw new Error(`REPSCOPE_REQUIRE_PEERS=1 but ${motoMissing}`);
if (motoMissing) console.warn(`[aws-history] not running the AWS emulation: ${motoMissing}`);

const DATASET = 'daily';
const _REPO = path.resolve(import.meta.dirname, '..', '..');
let cloud: EmulatedCloud;
let moto: S3Peer;
let athena: AthenaProtocolServer;
let store: ObjectStore;
let topicArn: string;
let today = '2026-12-01T06:00:00Z';

// The definition the pipeline stack deploys, taken from its synthesized template.
const definition = synthesizedDefinition();

function runtime(): Runtime {
  return emulatedRuntime(cloud, {
    now: () => today,
    env: { REPSCOPE_SNS_ENDPOINT: moto.endpoint, REPSCOPE_ALERT_TOPIC_ARN: topicArn },
  });
}

/** Runs the deployed state machine on an event; resolves with the steps it took. */
const execute = (event: unknown) => executeSteps(definition, event, runtime());

/** Uploads a body into the datasets bucket and returns the event S3 would send for it, at today's time. */
async function upload(key: string, body: string): Promise<unknown> {
  return { ...(await cloud.upload(key, body)), time: today };
}

/** The rescan Lambda, starting each execution in the local state machine. */
const rescanNow = async () => (await rescanEmulated(definition, runtime)).executions;

async function alertsSent(): Promise<Record<string, unknown>[]> {
  const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
    sns: { Topic: { arn: string; sent_notifications: [string, string][] }[] };
  };
  const topic = data.sns.Topic.find((t) => t.arn === topicArn);
  return (topic?.sent_notifications ?? []).map(
    ([, message]) => JSON.parse(message) as Record<string, unknown>,
  );
}

const femaleHeavy = (n: number, seed: number) =>
  skewedLeads(n, seed).map((l, i) => ({ ...l, sex: i % 6 === 0 ? 'male' : 'female' }));

const describeAws = motoMissing ? describe.skip : describe;

describeAws('history, drift and alerts through the cloud emulation', () => {
  beforeAll(async () => {
    cloud = await startEmulatedCloud();
    ({ moto, store, athena } = cloud);
    const sns = new SNSClient({ endpoint: moto.endpoint, region: 'eu-central-1' });
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'repscope-alerts' }))).TopicArn!;
    sns.destroy();
    await store.write('references/my-pop.csv', MY_POP_REFERENCE);
    await store.write(
      `datasets/${DATASET}/repscope.yaml`,
      `${LEADS_MANIFEST.replace('leads-fixture', DATASET).replace('de-2023/sex', 'my-pop/sex')}schedule: rate(1 day)\nthresholds: { maxDriftTvd: 0.08 }\n`,
    );
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('adds runs for new inputs only, alerts on drift over SNS, and reads history through Athena', async () => {
    today = '2026-12-01T06:00:00Z';
    const first = await upload(`datasets/${DATASET}/v1/leads.csv`, leadsCsv(skewedLeads(1200, 31)));
    expect(await execute(first)).toEqual(['Profile', 'Compare', 'Publish']);

    today = '2026-12-02T06:00:00Z'; // the schedule, nothing changed: the run is a duplicate
    expect(await rescanNow()).toEqual([['Profile']]);

    today = '2026-12-03T06:00:00Z'; // the reference is revised: the schedule re-compares
    await store.write('references/my-pop.csv', MY_POP_REFERENCE.replace('0.6', '0.5').replace('0.4', '0.5'));
    expect(await rescanNow()).toEqual([['Profile', 'Compare', 'Publish']]);

    today = '2026-12-04T06:00:00Z'; // an upload that drifts
    const drifted = await upload(`datasets/${DATASET}/v2/leads.csv`, leadsCsv(femaleHeavy(1200, 32)));
    expect(await execute(drifted)).toEqual(['Profile', 'Compare', 'Publish']);
    expect(await execute(drifted)).toEqual(['Profile']); // the same event again

    const alerts = await alertsSent();
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => String(a['run']).startsWith('20261204T060000Z-'))).toBe(true);
    const drift = alerts.find((a) => a['kind'] === 'drift' && a['attribute'] === 'sex')!;
    expect(drift).toMatchObject({
      source: 'repscope',
      dataset: DATASET,
      against: 'previous',
      threshold: 0.08,
    });
    // No row data: the message holds ids, verdicts, the attribute and published figures only.
    expect(Object.keys(drift).sort()).toEqual(
      [
        'against',
        'attribute',
        'dataset',
        'from',
        'kind',
        'message',
        'run',
        'source',
        'statusAfter',
        'statusBefore',
        'threshold',
        'tvd',
      ].sort(),
    );

    const engine = athenaStandInEngine(athena.endpoint);
    const lines = await datasetHistory(store, engine, DATASET);
    expect(lines.map((l) => [l.run.slice(0, 16), l.version, l.trigger])).toEqual([
      ['20261201T060000Z', 'v1', 'upload'],
      ['20261203T060000Z', 'v1', 'schedule'],
      ['20261204T060000Z', 'v2', 'upload'],
    ]);

    const page = await readText(store, `site/datasets/${DATASET}/index.html`);
    expect(page).toContain(`${DATASET}: distance from the reference over time`);
    expect(page).toContain('Alerts of the latest run');
    expect(page).toContain('sex drifted by TVD');
  }, 240_000);
});
