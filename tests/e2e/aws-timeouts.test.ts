import '../helpers/promise-with-resolvers.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/core/ports.ts';
import type { Report } from '../../functions/core/report/schema.ts';
import type { Runtime } from '../../functions/handlers/runtime.ts';
import { readText } from '../../functions/pipeline/io.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';
import {
  type EmulatedCloud,
  emulatedRuntime,
  runEmulated,
  startEmulatedCloud,
} from '../helpers/emulated-run.ts';
import { motoUnavailable, requirePeers } from '../helpers/s3-servers.ts';
import { synthesizedDefinition } from '../helpers/synthesized-definition.ts';

/**
 * Issue #13: a Lambda cut short by its timeout, simulated by aborting a stage in the middle of its
 * writes (the lake then holds what it wrote before), in the cloud emulation with the deployed
 * definition. Step Functions retries the task (a timeout is `Lambda.Unknown` / `Sandbox.Timedout`);
 * the retry gives the same run id and the same report as an execution nobody interrupted, and the
 * runs table has one row per run.
 */
const motoMissing = motoUnavailable();
if (motoMissing && requirePeers) throw new Error(`REPSCOPE_REQUIRE_PEERS=1 but ${motoMissing}`);
if (motoMissing) console.warn(`[aws-timeouts] not running the AWS emulation: ${motoMissing}`);

const definition = synthesizedDefinition();
const DATA = leadsCsv(skewedLeads(700, 23));
const manifest = (id: string) => LEADS_MANIFEST.replace('leads-fixture', id);
let cloud: EmulatedCloud;

/** A timeout as Step Functions reports it for a function that ran out of time. */
class LambdaTimeout extends Error {
  constructor() {
    super('Task timed out after 60.00 seconds');
    this.name = 'Sandbox.Timedout';
  }
}

/**
 * The lake as a function sees it until its time runs out: after `after` writes under `prefix`, the
 * next write under it throws once (and nothing more is written by that call), as a container
 * stopped mid-stage would leave it.
 */
function cutShort(
  store: ObjectStore,
  prefix: string,
  after: number,
): { store: ObjectStore; fired: () => boolean } {
  let seen = 0;
  let fired = false;
  const guard = (key: string) => {
    if (fired || !key.startsWith(prefix)) return;
    if (seen++ === after) {
      fired = true;
      throw new LambdaTimeout();
    }
  };
  return {
    fired: () => fired,
    store: {
      ...store,
      read: (key, range) => store.read(key, range),
      head: (key) => store.head(key),
      list: (prefix2) => store.list(prefix2),
      uri: (key) => store.uri(key),
      write: async (key, body, contentType) => {
        guard(key);
        return store.write(key, body, contentType);
      },
      writeIf: async (key, body, condition, contentType) => {
        guard(key);
        return store.writeIf(key, body, condition, contentType);
      },
    },
  };
}

function runtime(store?: ObjectStore): Runtime {
  const rt = emulatedRuntime(cloud);
  return store ? { ...rt, store } : rt;
}

async function runsOf(dataset: string): Promise<string[]> {
  return (await cloud.store.list(`lake/reports/dataset=${dataset}/`)).map((o) => o.key);
}

/** A report with what differs between two datasets of the same data left out: ids, times, the manifest's digest. */
function comparable(report: Report): unknown {
  return {
    ...report,
    dataset: { ...report.dataset, id: '<id>', source: { ...report.dataset.source, uri: '<uri>' } },
    run: { ...report.run, id: '<run>', startedAt: '<t>', finishedAt: '<t>' },
    // The manifests differ in their dataset id only.
    provenance: { ...report.provenance, manifestSha256: '<sha>' },
  };
}

const describeAws = motoMissing ? describe.skip : describe;

describeAws('a Lambda cut short by its timeout is retried to the same run and report', () => {
  let calm: Report;

  beforeAll(async () => {
    cloud = await startEmulatedCloud();
    await cloud.store.write('datasets/calm/repscope.yaml', manifest('calm'));
    const { error, steps } = await runEmulated(
      definition,
      await cloud.upload('datasets/calm/v1/leads.csv', DATA),
      runtime(),
    );
    if (error) throw error;
    expect(steps).toEqual(['Profile', 'Compare', 'Publish']);
    const [key] = await runsOf('calm');
    calm = JSON.parse(await readText(cloud.store, key!.replace(/[^/]*$/, 'report.json')));
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  for (const [stage, prefix, after] of [
    ['Profile', 'lake/profiles/', 1],
    ['Compare', 'lake/reports/', 0],
    ['Publish', 'site/', 3],
  ] as const) {
    it(`${stage}, stopped after ${after} of its writes under ${prefix}`, async () => {
      const id = `cut-${stage.toLowerCase()}`;
      await cloud.store.write(`datasets/${id}/repscope.yaml`, manifest(id));
      const cut = cutShort(cloud.store, prefix, after);
      const { error, steps } = await runEmulated(
        definition,
        await cloud.upload(`datasets/${id}/v1/leads.csv`, DATA),
        runtime(cut.store),
      );
      expect(error).toBeUndefined();
      expect(cut.fired()).toBe(true);
      // The cut stage ran twice (its retry), and the execution went on to publish, not to its error report.
      expect(steps.filter((s) => s === stage)).toHaveLength(2);
      expect(steps).not.toContain('PublishFailure');
      const reports = await runsOf(id);
      expect(reports).toHaveLength(1);
      const report = JSON.parse(await readText(cloud.store, reports[0]!)) as Report;
      expect(report.status).not.toBe('error');
      expect(comparable(report)).toEqual(comparable(calm));
      // One row of the runs table for the run, and the site lists the dataset.
      expect(await cloud.store.list(`lake/runs/dataset=${id}/`)).toHaveLength(1);
      expect(await readText(cloud.store, 'site/index.html')).toContain(id);
    }, 120_000);
  }
});
