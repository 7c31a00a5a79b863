import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../functions/cli/local.ts';
import { InputError } from '../../../functions/core/errors.ts';
import { lakeKeys } from '../../../functions/core/lake/layout.ts';
import type { Logger, Profiler, ProfileSource, QueryEngine } from '../../../functions/core/ports.ts';
import { duckdbDialect } from '../../../functions/core/profile/grouping-sets-dialect.ts';
import { reportSchema } from '../../../functions/core/report/schema.ts';
import { type AnalyseContext, analyse, type DatasetEntry } from '../../../functions/pipeline/analyse.ts';
import { readText } from '../../../functions/pipeline/io.ts';
import { LEADS_MANIFEST } from '../../fixtures/leads.ts';
import { memoryStore } from './memory-store.ts';

const ID = 'leads-fixture';
const DATA = lakeKeys.dataFile(ID, 'v1', 'leads.csv.gz');
const RUN = { id: '20261129T110500Z', reason: 'upload' } as const;

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const noEngine: QueryEngine = {
  dialect: duckdbDialect,
  rows: async () => {
    throw new Error('the engine is not reached when profiling fails');
  },
};

async function context(profiler: Profiler) {
  const store = memoryStore({ [lakeKeys.manifest(ID)]: LEADS_MANIFEST, [DATA]: 'not gzip at all' });
  const ctx: AnalyseContext = {
    store,
    engine: noEngine,
    profiler,
    catalogue: await loadCatalogue([]),
    clock: { now: () => new Date('2026-11-29T11:05:00Z') },
    logger: silent,
    codeVersion: 'repscope test',
  };
  return { store, ctx };
}

const entry: DatasetEntry = {
  id: ID,
  manifestKey: lakeKeys.manifest(ID),
  version: 'v1',
  files: [{ key: DATA, name: DATA }],
};

describe('analyse', () => {
  it('hands each data file to the profiler, and bad input becomes an error report in the lake', async () => {
    const sources: ProfileSource[] = [];
    const { store, ctx } = await context({
      profile: async (_plan, source) => {
        sources.push(source);
        throw new InputError('GZIP_INVALID', `${source.name}: not gzip; expected a gzip stream`);
      },
    });
    const outcome = await analyse(entry, ctx, RUN);
    expect(sources).toEqual([{ key: DATA, name: DATA, format: 'csv', compression: 'gzip', bytes: 15 }]);
    expect(outcome.error?.code).toBe('GZIP_INVALID');
    expect(outcome.report.status).toBe('error');
    expect(outcome.report.run).toEqual({
      id: RUN.id,
      startedAt: '2026-11-29T11:05:00.000Z',
      finishedAt: '2026-11-29T11:05:00.000Z',
      reason: 'upload',
    });
    const stored = reportSchema.parse(JSON.parse(await readText(store, lakeKeys.report(ID, RUN.id))));
    expect(stored).toEqual(outcome.report);
    expect(stored.checks).toEqual([
      { id: 'input', status: 'fail', message: `${DATA}: not gzip; expected a gzip stream` },
    ]);
  });

  it('says which folder is missing when the dataset has no version', async () => {
    const { ctx } = await context({
      profile: async () => {
        throw new Error('no file to profile');
      },
    });
    const outcome = await analyse({ ...entry, version: null, files: [] }, ctx, RUN);
    expect(outcome.error?.code).toBe('INPUT_UNREADABLE');
    expect(outcome.error?.message).toBe(
      `datasets/${ID}/: no version folder with data files; expected datasets/${ID}/<version>/<file>`,
    );
    expect(outcome.report.dataset.source.uri).toBe(`datasets/${ID}/`);
  });

  it('lets a bug propagate instead of reporting it as bad input', async () => {
    const { ctx } = await context({
      profile: async () => {
        throw new TypeError('a bug');
      },
    });
    await expect(analyse(entry, ctx, RUN)).rejects.toThrow(TypeError);
  });
});
