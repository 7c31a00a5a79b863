import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../functions/cli/local.ts';
import { QueryError } from '../../../functions/core/errors.ts';
import { lakeKeys } from '../../../functions/core/lake/layout.ts';
import type { QueryEngine } from '../../../functions/core/ports.ts';
import { duckdbDialect } from '../../../functions/core/profile/grouping-sets-dialect.ts';
import {
  type AnalyseContext,
  compareRun,
  type DatasetEntry,
  profileRun,
} from '../../../functions/pipeline/analyse.ts';
import { readText } from '../../../functions/pipeline/io.ts';
import { readProfiledRun, stageProfiledRun } from '../../../functions/pipeline/staged-run.ts';
import { streamingProfiler } from '../../../functions/pipeline/streaming-profiler.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../../fixtures/leads.ts';
import { memoryStore } from './memory-store.ts';

/**
 * The two halves of a run as the handlers run them in two Lambdas: the profile half writes the
 * profile and stages the rest, the compare half reads them back (here with an engine that fails,
 * so the hand-over and the compare half's error report are what is checked).
 */
const ID = 'leads-fixture';
const DATA = lakeKeys.dataFile(ID, 'v1', 'leads.csv');
const RUN = { id: '20261206T050000Z-abc', reason: 'upload' } as const;
const entry: DatasetEntry = {
  id: ID,
  manifestKey: lakeKeys.manifest(ID),
  version: 'v1',
  files: [{ key: DATA, name: DATA }],
};

const rejecting: QueryEngine = {
  dialect: duckdbDialect,
  rows: async () => {
    throw new QueryError("Athena rejected the statement: HIVE_BAD_DATA 'secret'", { retryable: false });
  },
};

async function context(): Promise<AnalyseContext> {
  const store = memoryStore(
    { [lakeKeys.manifest(ID)]: LEADS_MANIFEST, [DATA]: leadsCsv(skewedLeads(200)) },
    4096,
  );
  return {
    store,
    engine: rejecting,
    profiler: streamingProfiler(store),
    catalogue: await loadCatalogue([]),
    clock: { now: () => new Date('2026-12-06T05:00:00Z') },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    codeVersion: 'repscope test',
  };
}

describe('a run in two halves', () => {
  it('hands the profile and what compare needs over through the lake, exactly', async () => {
    const ctx = await context();
    const first = await profileRun(entry, ctx, RUN);
    if (!first.profiled) throw new Error(`expected the run profiled, got ${first.error?.message}`);
    expect(first.profile.rows.read).toBe(200);
    expect(JSON.parse(await readText(ctx.store, lakeKeys.profile(ID, RUN.id)))).toEqual(first.profile);
    expect(await ctx.store.head(lakeKeys.groupCounts(ID, RUN.id))).toBeDefined();
    expect(first.profiled).toMatchObject({
      manifestText: LEADS_MANIFEST,
      version: 'v1',
      startedAt: '2026-12-06T05:00:00.000Z',
    });

    await stageProfiledRun(ctx.store, ID, RUN.id, first.profiled);
    const back = await readProfiledRun(ctx.store, ID, RUN.id);
    expect(back).toEqual({ profiled: first.profiled, profile: first.profile });
  });

  it('reports a compare that fails on bad input as the run’s error report, with the profiled version', async () => {
    const ctx = await context();
    const first = await profileRun(entry, ctx, RUN);
    if (!first.profiled) throw new Error('expected the run profiled');
    const outcome = await compareRun({ ...entry, version: null }, ctx, RUN, first.profiled, first.profile);
    expect(outcome.error?.code).toBe('QUERY_FAILED');
    expect(outcome.report.status).toBe('error');
    expect(outcome.report.dataset.version).toBe('v1');
    expect(outcome.report.run.startedAt).toBe('2026-12-06T05:00:00.000Z');
    expect(JSON.parse(await readText(ctx.store, lakeKeys.report(ID, RUN.id)))).toEqual(outcome.report);
  });
});
