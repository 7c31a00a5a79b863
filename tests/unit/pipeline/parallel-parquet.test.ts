import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../functions/adapters/local/file-object-store.ts';
import { parseManifest } from '../../../functions/core/manifest/parse.ts';
import { buildPlan } from '../../../functions/core/profile/plan.ts';
import { profileFileInRanges, splitFile } from '../../../functions/pipeline/parallel-profile.ts';
import { tempDir } from '../../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsJsonl, skewedLeads } from '../../fixtures/leads.ts';
import { jsonlToParquet } from '../../fixtures/parquet.ts';

/** Parquet files split by row group (written by DuckDB, which rounds groups up to 2048 rows). */
let dir: string;
let cleanup: () => Promise<void>;
const plan = buildPlan(parseManifest(LEADS_MANIFEST, 'repscope.yaml'));

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('repscope-parquet-ranges-'));
  await writeFile(path.join(dir, 'leads.jsonl'), leadsJsonl(skewedLeads(12_000)));
  await jsonlToParquet(dir, 'leads.jsonl', 'leads.parquet', 'ROW_GROUP_SIZE 2048');
});

afterAll(async () => cleanup());

describe('Parquet row-group ranges', () => {
  it('split into runs of row groups, merged, give the one-pass profile with row numbers as lines', async () => {
    const store = new FileObjectStore(dir);
    const bytes = (await store.head('leads.parquet'))!.bytes;
    const file = {
      key: 'leads.parquet',
      name: 'leads.parquet',
      format: 'parquet' as const,
      compression: 'none' as const,
      bytes,
    };
    const options = { threads: 3, minRangeBytes: 1024, minSplitBytes: 0 };
    const ranges = await splitFile(store, file, plan, {}, options);
    const groups = ranges.map((r) => (r.kind === 'row-groups' ? [r.start, r.end] : []));
    expect(groups.length).toBeGreaterThan(2);
    // Consecutive runs from the first row group to the last.
    for (const [i, [start]] of groups.entries()) expect(start).toBe(i === 0 ? 0 : groups[i - 1]![1]);
    const one = await profileFileInRanges(store, file, plan, {}, { threads: 1 }, () => {});
    const three = await profileFileInRanges(store, file, plan, {}, options, () => {});
    expect(three.ranges).toBe(ranges.length);
    expect(three.profile).toEqual(one.profile);
    expect(three.profile.rows.read).toBe(12_000);
    expect(three.header).toEqual(one.header);
  });
});
