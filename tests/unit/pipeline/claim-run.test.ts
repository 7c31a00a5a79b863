import { describe, expect, it } from 'vitest';
import { lakeKeys, RUN_ID_PATTERN } from '../../../functions/core/lake/layout.ts';
import type { ReferenceCatalogue } from '../../../functions/core/references/reference.ts';
import {
  claimKey,
  claimRun,
  claimUploadRun,
  objectRunKey,
  readClaim,
} from '../../../functions/pipeline/claim-run.ts';
import type { RunInputs } from '../../../functions/pipeline/run-inputs.ts';
import { memoryStore } from './memory-store.ts';

const inputs: RunInputs = {
  schema: 'repscope/report@1',
  manifestSha256: 'a'.repeat(64),
  files: [{ key: 'datasets/leads/v1/leads.csv', identity: '9b2cf535f27731c974343645a3985328' }],
  references: [{ reference: 'de-2023/sex', sha256: 'b'.repeat(64) }],
};
const subject = { dataset: 'leads', inputs };

describe('claimRun', () => {
  it('claims a fresh run once; the same inputs again get the same run back, not a new one', async () => {
    const store = memoryStore({});
    const first = await claimRun(store, subject, new Date('2026-12-06T01:02:03Z'));
    expect(first.fresh).toBe(true);
    expect(first.run).toMatch(RUN_ID_PATTERN);
    expect(first.run.startsWith('20261206T010203Z-')).toBe(true);
    const again = await claimRun(store, subject, new Date('2026-12-06T05:00:00Z'));
    expect(again).toEqual({ ...first, fresh: false });
  });

  it('gives a new version of the object, a changed manifest or a changed reference a run of its own', async () => {
    const store = memoryStore({});
    const at = new Date('2026-12-06T01:02:03Z');
    const a = await claimRun(store, subject, at);
    const changed: RunInputs[] = [
      { ...inputs, files: [{ key: inputs.files[0]!.key, identity: 'version-2' }] },
      { ...inputs, manifestSha256: 'c'.repeat(64) },
      { ...inputs, references: [{ reference: 'de-2023/sex', sha256: 'd'.repeat(64) }] },
      { ...inputs, schema: 'repscope/report@2' },
    ];
    const runs = new Set([a.run]);
    for (const other of changed) {
      const b = await claimRun(store, { dataset: 'leads', inputs: other }, at);
      expect(b.fresh).toBe(true);
      runs.add(b.run);
    }
    expect(runs.size).toBe(5);
    expect(claimKey(subject)).toMatch(/^lake\/claims\/dataset=leads\/inputs\/[0-9a-f]{32}\.json$/);
  });

  it('lets exactly one of several simultaneous claims of the same inputs win', async () => {
    const store = memoryStore({});
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => claimRun(store, subject, new Date('2026-12-06T01:02:03Z'))),
    );
    expect(claims.filter((c) => c.fresh)).toHaveLength(1);
    expect(new Set(claims.map((c) => c.run)).size).toBe(1);
  });

  it('lets the execution that owns the claim retry its step, and no other', async () => {
    const store = memoryStore({});
    const at = new Date('2026-12-06T01:02:03Z');
    const first = await claimRun(store, subject, at, { owner: 'execution-1' });
    expect(first.fresh).toBe(true);
    expect(await claimRun(store, subject, at, { owner: 'execution-1' })).toEqual(first);
    expect((await claimRun(store, subject, at, { owner: 'execution-2' })).fresh).toBe(false);
    expect((await claimRun(store, subject, at)).fresh).toBe(false);
  });

  it('claims with the run id it is given (the CLI keeps its time-only ids)', async () => {
    const store = memoryStore({});
    const claim = await claimRun(store, subject, new Date(), { run: '20261206T010203Z' });
    expect(claim.run).toBe('20261206T010203Z');
    expect(await readClaim(store, claim.claimKey)).toEqual({ run: '20261206T010203Z', owner: null });
  });
});

describe('claimUploadRun', () => {
  const catalogue: ReferenceCatalogue = {
    populations: [{ id: 'de-2023', title: 'Germany', file: 'de.csv' }],
    rows: [
      { population: 'de-2023', attribute: 'sex', group: 'female', count: 51, share: 0.51, sourceYear: 2023 },
      { population: 'de-2023', attribute: 'sex', group: 'male', count: 49, share: 0.49, sourceYear: 2023 },
    ],
  };
  const manifest = `dataset: leads
attributes:
  - name: sex
    column: sex
    reference: de-2023/sex
`;
  const upload = {
    dataset: 'leads',
    key: 'datasets/leads/v1/leads.csv',
    identity: 'version-1',
    etag: '9b2cf535f27731c974343645a3985328',
  };

  it('records the run at the object version, so a re-upload of the same bytes is a duplicate', async () => {
    const store = memoryStore({ [lakeKeys.manifest('leads')]: manifest });
    const at = new Date('2026-12-06T01:02:03Z');
    const first = await claimUploadRun(store, catalogue, upload, at);
    expect(first.fresh).toBe(true);
    expect(objectRunKey(upload)).toMatch(/^lake\/claims\/dataset=leads\/[0-9a-f]{32}\.json$/);
    expect((await readClaim(store, objectRunKey(upload))).run).toBe(first.run);
    // Versioned bucket: the same bytes again are a new version with the same ETag.
    const again = { ...upload, identity: 'version-2' };
    const second = await claimUploadRun(store, catalogue, again, at);
    expect(second).toEqual({ ...first, fresh: false });
    expect((await readClaim(store, objectRunKey(again))).run).toBe(first.run);
  });

  it('makes a new run when the reference the manifest uses is revised', async () => {
    const store = memoryStore({ [lakeKeys.manifest('leads')]: manifest });
    const at = new Date('2026-12-06T01:02:03Z');
    const first = await claimUploadRun(store, catalogue, upload, at);
    const revised: ReferenceCatalogue = {
      ...catalogue,
      rows: catalogue.rows.map((r) => ({ ...r, share: r.group === 'female' ? 0.52 : 0.48 })),
    };
    const second = await claimUploadRun(store, revised, upload, at);
    expect(second.fresh).toBe(true);
    expect(second.run).not.toBe(first.run);
    // A reference the manifest does not use changes nothing.
    const unrelated: ReferenceCatalogue = {
      ...revised,
      rows: [
        ...revised.rows,
        { population: 'de-2023', attribute: 'state', group: 'Berlin', count: 1, share: 1, sourceYear: 2023 },
      ],
    };
    expect((await claimUploadRun(store, unrelated, upload, at)).fresh).toBe(false);
  });
});
