import { describe, expect, it } from 'vitest';
import { RUN_ID_PATTERN } from '../../../functions/core/lake/layout.ts';
import { claimKey, claimRun } from '../../../functions/pipeline/claim-run.ts';
import { memoryStore } from './memory-store.ts';

const upload = {
  dataset: 'leads',
  key: 'datasets/leads/v1/leads.csv',
  identity: '"9b2cf535f27731c974343645a3985328"',
};

describe('claimRun', () => {
  it('claims a fresh run once; a duplicated event gets the same run back, not a new one', async () => {
    const store = memoryStore({});
    const first = await claimRun(store, upload, new Date('2026-12-06T01:02:03Z'));
    expect(first.fresh).toBe(true);
    expect(first.run).toMatch(RUN_ID_PATTERN);
    expect(first.run.startsWith('20261206T010203Z-')).toBe(true);
    const again = await claimRun(store, upload, new Date('2026-12-06T05:00:00Z'));
    expect(again).toEqual({ ...first, fresh: false });
  });

  it('gives a new version of the same key its own run', async () => {
    const store = memoryStore({});
    const a = await claimRun(store, upload, new Date('2026-12-06T01:02:03Z'));
    const b = await claimRun(store, { ...upload, identity: 'version-2' }, new Date('2026-12-06T01:02:03Z'));
    expect(b.fresh).toBe(true);
    expect(b.run).not.toBe(a.run);
    expect(claimKey(upload)).toMatch(/^lake\/claims\/dataset=leads\/[0-9a-f]{32}\.json$/);
  });

  it('lets exactly one of several simultaneous events claim the run', async () => {
    const store = memoryStore({});
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => claimRun(store, upload, new Date('2026-12-06T01:02:03Z'))),
    );
    expect(claims.filter((c) => c.fresh)).toHaveLength(1);
    expect(new Set(claims.map((c) => c.run)).size).toBe(1);
  });

  it('lets the execution that owns the claim retry its step, and no other', async () => {
    const store = memoryStore({});
    const at = new Date('2026-12-06T01:02:03Z');
    const first = await claimRun(store, upload, at, 'execution-1');
    expect(first.fresh).toBe(true);
    expect(await claimRun(store, upload, at, 'execution-1')).toEqual(first);
    expect((await claimRun(store, upload, at, 'execution-2')).fresh).toBe(false);
    expect((await claimRun(store, upload, at)).fresh).toBe(false);
  });
});
