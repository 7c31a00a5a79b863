import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../functions/cli/local.ts';
import { lakeKeys } from '../../../functions/core/lake/layout.ts';
import { parseManifest } from '../../../functions/core/manifest/parse.ts';
import { planFingerprint } from '../../../functions/core/profile/plan.ts';
import type { ReferenceCatalogue } from '../../../functions/core/references/reference.ts';
import { REPORT_SCHEMA_ID } from '../../../functions/core/report/schema.ts';
import type { ProfiledRun } from '../../../functions/pipeline/analyse.ts';
import { sha256 } from '../../../functions/pipeline/io.ts';
import { planFor } from '../../../functions/pipeline/profile-stage.ts';
import { keptRuns, noDataReason, planRecompare } from '../../../functions/pipeline/recompare.ts';
import { dueDatasets } from '../../../functions/pipeline/rescan.ts';
import { referenceDigests } from '../../../functions/pipeline/run-inputs.ts';
import { countsSource, discoverDatasets } from '../../../functions/pipeline/run-root.ts';
import { LEADS_MANIFEST } from '../../fixtures/leads.ts';
import { memoryStore } from './memory-store.ts';

/**
 * Which datasets are registered once raw uploads expire (a manifest under `datasets/`, or a run
 * the lake keeps), which kept run stands for a dataset, and when its kept profile may be compared
 * again. The lake here is written by hand, key by key, as the pipeline leaves it.
 */
const catalogue = await loadCatalogue([]);

const manifestOf = (id: string, extra = '') => `${LEADS_MANIFEST.replace('leads-fixture', id)}${extra}`;

/** A run's kept record for a manifest, with the plan digest the profile half computes. */
function record(manifestText: string, claim?: string): ProfiledRun {
  const manifest = parseManifest(manifestText, 'test');
  return {
    manifestText,
    startedAt: '2026-11-01T06:00:00.000Z',
    version: 'v1',
    source: {
      uri: 's3://lake/datasets/x/v1/leads.csv',
      bytes: 100,
      etag: 'etag-1',
      format: 'csv',
      compression: 'none',
    },
    fileColumns: ['sex', 'age'],
    planSha256: sha256(planFingerprint(planFor(manifest, catalogue), manifest)),
    ...(claim === undefined ? {} : { claim }),
  };
}

/** The two kept files of a run (record and profile). */
function kept(dataset: string, run: string, profiled: ProfiledRun): Record<string, string> {
  return {
    [lakeKeys.profiledRun(dataset, run)]: JSON.stringify(profiled),
    [lakeKeys.profile(dataset, run)]: '{}',
  };
}

describe('registered datasets', () => {
  const scheduled = manifestOf('expired', 'schedule: rate(1 day)\n');
  const store = memoryStore({
    [lakeKeys.manifest('live')]: manifestOf('live'),
    [lakeKeys.dataFile('live', 'v1', 'leads.csv')]: 'sex\nf\n',
    ...kept('live', '20261101T060000Z', record(manifestOf('live'))),
    // Manifest and upload expired: known by its kept runs; the newest complete one stands for it.
    ...kept('expired', '20261101T060000Z', record(scheduled)),
    ...kept('expired', '20261102T060000Z-ab12', record(scheduled)),
    // A run whose profile was never written (it failed half-way) is not a kept run.
    [lakeKeys.profiledRun('expired', '20261103T060000Z')]: JSON.stringify(record(scheduled)),
    // Runs from before the record was kept: only profile.json; the dataset is gone with its manifest.
    [lakeKeys.profile('old', '20250101T000000Z')]: '{}',
    // Not a run's key, nor a valid run id.
    'lake/profiles/dataset=junk/run=latest/profiled.json': '{}',
    'lake/profiles/dataset=junk/notes.txt': 'x',
  });

  it('are those with a manifest or a kept run, each with its newest kept run', async () => {
    const entries = await discoverDatasets(store);
    expect(entries).toEqual([
      {
        id: 'expired',
        manifestKey: lakeKeys.manifest('expired'),
        version: null,
        files: [],
        kept: '20261102T060000Z-ab12',
      },
      {
        id: 'live',
        manifestKey: lakeKeys.manifest('live'),
        version: 'v1',
        files: [{ key: 'datasets/live/v1/leads.csv', name: 'datasets/live/v1/leads.csv' }],
        kept: '20261101T060000Z',
      },
    ]);
    expect(await keptRuns(store, 'expired')).toEqual(new Map([['expired', '20261102T060000Z-ab12']]));
  });

  it('are due by the schedule of the manifest their kept run used once their own expired', async () => {
    const entries = await discoverDatasets(store);
    expect((await dueDatasets(store, entries)).map((e) => e.id)).toEqual(['expired']);
    expect((await dueDatasets(store, entries, ['live'])).map((e) => e.id)).toEqual(['live']);
  });
});

describe('whether a kept profile can be compared again', () => {
  const claimKey = lakeKeys.claim('daily', '0123456789abcdef0123456789abcdef');
  const files = [{ key: 'datasets/daily/v1/leads.csv', identity: 'etag-from-the-event' }];
  const text = manifestOf('daily', 'schedule: rate(1 day)\n');

  it('is not possible without a kept run', async () => {
    expect(await planRecompare(memoryStore({}), 'daily', undefined, catalogue)).toEqual({
      reason: noDataReason('daily'),
    });
  });

  it('reuses the data part of the kept run’s claim, with today’s manifest and references', async () => {
    const store = memoryStore({
      ...kept('daily', '20261101T060000Z', record(text, claimKey)),
      [claimKey]: JSON.stringify({ run: '20261101T060000Z', inputs: { files } }),
    });
    const decision = await planRecompare(store, 'daily', '20261101T060000Z', catalogue);
    expect(decision.recompare).toMatchObject({
      dataset: 'daily',
      from: '20261101T060000Z',
      manifestText: text,
    });
    expect(decision.recompare?.inputs).toEqual({
      schema: REPORT_SCHEMA_ID,
      manifestSha256: sha256(text),
      files,
      references: referenceDigests(text, lakeKeys.manifest('daily'), catalogue),
    });
  });

  it('names the data by its provenance when the claim cannot be read', async () => {
    const store = memoryStore(kept('daily', '20261101T060000Z', record(text, 'lake/elsewhere.json')));
    const decision = await planRecompare(store, 'daily', '20261101T060000Z', catalogue);
    expect(decision.recompare?.inputs.files).toEqual([
      { key: 's3://lake/datasets/x/v1/leads.csv', identity: 'etag-1' },
    ]);
  });

  it('uses a changed manifest under datasets/ whose plan is the same (thresholds)', async () => {
    const changed = `${text}thresholds: { minRatio: 0.7 }\n`;
    const store = memoryStore({
      ...kept('daily', '20261101T060000Z', record(text)),
      [lakeKeys.manifest('daily')]: changed,
    });
    const decision = await planRecompare(store, 'daily', '20261101T060000Z', catalogue);
    expect(decision.recompare?.manifestText).toBe(changed);
    expect(decision.recompare?.inputs.manifestSha256).toBe(sha256(changed));
  });

  it('refuses, saying why, when the manifest now counts differently or is invalid', async () => {
    const rebinned = memoryStore({
      ...kept('daily', '20261101T060000Z', record(text)),
      [lakeKeys.manifest('daily')]: text.replace('bins: [0, 18,', 'bins: [0, 21,'),
    });
    expect((await planRecompare(rebinned, 'daily', '20261101T060000Z', catalogue)).reason).toBe(
      `${noDataReason('daily')}; the kept profile of run 20261101T060000Z cannot be compared again: the manifest now counts differently, or a revised reference maps values to other groups; upload the data again`,
    );
    const invalid = memoryStore({
      ...kept('daily', '20261101T060000Z', record(text)),
      [lakeKeys.manifest('daily')]: 'dataset: daily\nattributes: none\n',
    });
    expect((await planRecompare(invalid, 'daily', '20261101T060000Z', catalogue)).reason).toMatch(
      /cannot be compared again: datasets\/daily\/repscope\.yaml: attributes/,
    );
  });

  it('refuses when a revised reference maps the values to other groups', async () => {
    const store = memoryStore(kept('daily', '20261101T060000Z', record(text)));
    const revised: ReferenceCatalogue = {
      ...catalogue,
      rows: catalogue.rows.map((r) =>
        r.population === 'de-2023' && r.attribute === 'state' && r.group === 'Bayern'
          ? { ...r, group: 'Freistaat Bayern' }
          : r,
      ),
    };
    expect((await planRecompare(store, 'daily', '20261101T060000Z', revised)).reason).toMatch(
      /maps values to other groups/,
    );
  });
});

describe('how a run gets a dataset’s counts', () => {
  const text = manifestOf('daily', 'schedule: rate(1 day)\n');
  const data = lakeKeys.dataFile('daily', 'v2', 'leads.csv');
  const entry = {
    id: 'daily',
    manifestKey: lakeKeys.manifest('daily'),
    version: 'v2',
    files: [{ key: data, name: data }],
    kept: '20261101T060000Z',
  };
  const load = async () => catalogue;

  it('reads the data while its manifest is there', async () => {
    const store = memoryStore({
      ...kept('daily', '20261101T060000Z', record(text)),
      [entry.manifestKey]: text,
      [data]: 'x',
    });
    expect(await countsSource(store, entry, load)).toEqual({ kind: 'read', table: false });
  });

  it('compares the kept profile again when the manifest expired before the data', async () => {
    const store = memoryStore({ ...kept('daily', '20261101T060000Z', record(text)), [data]: 'x' });
    const source = await countsSource(store, entry, load);
    expect(source.kind).toBe('recompare');
  });

  it('has nothing to run without data and without a kept run, and says whether a manifest is there', async () => {
    const store = memoryStore({ [entry.manifestKey]: text });
    expect(await countsSource(store, { ...entry, files: [], kept: undefined }, load)).toEqual({
      kind: 'none',
      reason: noDataReason('daily'),
      manifest: true,
    });
  });
});
