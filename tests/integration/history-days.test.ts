import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../functions/adapters/local/duckdb-query-engine.ts';
import { FileObjectStore } from '../../functions/adapters/local/file-object-store.ts';
import { loadCatalogue } from '../../functions/cli/local.ts';
import { mergeCatalogues } from '../../functions/core/references/reference.ts';
import { setBaseline } from '../../functions/pipeline/baseline.ts';
import { datasetHistory } from '../../functions/pipeline/history.ts';
import { loadDroppedReferences } from '../../functions/pipeline/references.ts';
import { rescan } from '../../functions/pipeline/rescan.ts';
import { type RunRootContext, type RunRootResult, runRoot } from '../../functions/pipeline/run-root.ts';
import { streamingProfiler } from '../../functions/pipeline/streaming-profiler.ts';
import { renderSite } from '../../web/site.tsx';
import { tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, MY_POP_REFERENCE, skewedLeads } from '../fixtures/leads.ts';

/**
 * Issue #11's scenario over simulated days on the local pipeline, with an injected clock: uploads,
 * scheduled rescans, a reference revised in between, a pinned baseline. Checks idempotency, the
 * history through SQL, drift findings, alerts and the dataset page's trend charts.
 */
let root: string;
let cleanup: () => Promise<void>;
let store: FileObjectStore;
let engine: DuckDbQueryEngine;
let today = new Date('2026-12-01T06:00:00Z');
const DATASET = 'daily-leads';

const manifest = `${LEADS_MANIFEST.replace('leads-fixture', DATASET).replace('de-2023/sex', 'my-pop/sex')}schedule: rate(1 day)
thresholds: { maxDriftTvd: 0.08 }
`;

async function put(key: string, body: string): Promise<void> {
  const file = path.join(root, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

async function context(): Promise<RunRootContext> {
  return {
    store,
    engine,
    profiler: streamingProfiler(store),
    catalogue: mergeCatalogues([await loadCatalogue([]), ...(await loadDroppedReferences(store))]),
    clock: { now: () => new Date(today) },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    codeVersion: 'repscope test',
    renderSite,
  };
}

const day = (n: number) => {
  today = new Date(Date.UTC(2026, 11, n, 6, 0, 0));
};
const fresh = (r: RunRootResult) => r.outcomes.filter((o) => !o.duplicate);
/** Leads whose sex column is mostly female: a drift from the first upload. */
const femaleHeavy = (n: number, seed: number) =>
  skewedLeads(n, seed).map((l, i) => ({ ...l, sex: i % 6 === 0 ? 'male' : 'female' }));

const results: Record<string, RunRootResult> = {};

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  store = new FileObjectStore(root);
  engine = new DuckDbQueryEngine(root);
  await put(`datasets/${DATASET}/repscope.yaml`, manifest);
  await put('references/my-pop.csv', MY_POP_REFERENCE);

  day(1); // an upload
  await put(`datasets/${DATASET}/v1/leads.csv`, leadsCsv(skewedLeads(1500, 11)));
  results['day1'] = await runRoot(await context(), 'upload');
  day(2); // the schedule: nothing changed
  results['day2'] = await rescan(await context());
  day(3); // the reference is revised, then the schedule
  await put('references/my-pop.csv', MY_POP_REFERENCE.replace('0.6', '0.5').replace('0.4', '0.5'));
  results['day3'] = await rescan(await context());
  day(4); // a new upload that drifts
  await put(`datasets/${DATASET}/v2/leads.csv`, leadsCsv(femaleHeavy(1500, 12)));
  results['day4'] = await runRoot(await context(), 'upload');
  day(5); // the schedule again: nothing changed
  results['day5'] = await rescan(await context());
  day(6); // the first run becomes the baseline; an upload back to the first make-up
  await setBaseline(store, DATASET, results['day1'].outcomes[0]!.report.run.id, today);
  await put(`datasets/${DATASET}/v3/leads.csv`, leadsCsv(skewedLeads(1500, 13)));
  results['day6'] = await runRoot(await context(), 'upload');
}, 180_000);
afterAll(async () => {
  engine?.close();
  await cleanup();
});

describe('six simulated days', () => {
  it('adds a run only when an input changed (idempotency)', () => {
    expect(fresh(results['day1']!)).toHaveLength(1);
    expect(results['day2']!.outcomes.map((o) => o.duplicate)).toEqual([true]);
    expect(fresh(results['day3']!)).toHaveLength(1);
    expect(fresh(results['day4']!)).toHaveLength(1);
    expect(results['day5']!.outcomes.map((o) => o.duplicate)).toEqual([true]);
    expect(fresh(results['day6']!)).toHaveLength(1);
  });

  it('reads the history with SQL: one line per run, its day, version and trigger', async () => {
    const lines = await datasetHistory(store, engine, DATASET);
    expect(lines.map((l) => [l.run, l.version, l.trigger])).toEqual([
      ['20261201T060000Z', 'v1', 'upload'],
      ['20261203T060000Z', 'v1', 'schedule'],
      ['20261204T060000Z', 'v2', 'upload'],
      ['20261206T060000Z', 'v3', 'upload'],
    ]);
    expect(lines.every((l) => l.rowsRead === 1500 && l.worst !== null)).toBe(true);
  });

  it('finds no drift in the data when only the reference changed', () => {
    const history = results['day3']!;
    expect(history.alerts.filter((a) => a.kind === 'drift')).toEqual([]);
  });

  it('alerts on the drifted upload, with the share changes that are more than chance', () => {
    const alerts = results['day4']!.alerts;
    const drift = alerts.find((a) => a.kind === 'drift' && a.attribute === 'sex');
    expect(drift).toMatchObject({
      dataset: DATASET,
      run: '20261204T060000Z',
      against: 'previous',
      threshold: 0.08,
    });
    expect(drift!.tvd).toBeGreaterThan(0.08);
    expect(alerts.every((a) => a.run === '20261204T060000Z')).toBe(true);
  });

  it('compares the last run with the previous run and the pinned baseline', async () => {
    const page = await readFile(path.join(root, `site/datasets/${DATASET}/index.html`), 'utf8');
    expect(page).toContain('drift is also measured against the baseline run 20261201T060000Z');
    expect(page).toContain('20261201T060000Z</a><span class="muted"> (baseline)</span>');
    expect(page).toMatch(/Run 20261206T060000Z against the previous run 20261204T060000Z/);
    expect(page).toMatch(/Run 20261206T060000Z against the baseline run 20261201T060000Z/);
    // Back to the first make-up: drift against the previous run alerts, against the baseline it does not.
    const last = results['day6']!.alerts.filter((a) => a.kind === 'drift');
    expect(last.map((a) => a.against)).toEqual(['previous']);
  });

  it("draws the dataset page's trend charts and links every run", async () => {
    const page = await readFile(path.join(root, `site/datasets/${DATASET}/index.html`), 'utf8');
    expect(page).toContain(`${DATASET}: distance from the reference over time`);
    expect(page).toContain(`${DATASET}: worst group ratio over time`);
    expect(page.match(/<svg/g)?.length).toBe(2);
    for (const run of ['20261201T060000Z', '20261203T060000Z', '20261204T060000Z', '20261206T060000Z']) {
      expect(page).toContain(`runs/${run}/index.html`);
    }
    const runPage = await readFile(
      path.join(root, `site/datasets/${DATASET}/runs/20261204T060000Z/index.html`),
      'utf8',
    );
    expect(runPage).toContain('Alerts of this run');
    expect(runPage).toContain('sex drifted by TVD');
  });
});
