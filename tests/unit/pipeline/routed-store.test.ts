import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../functions/core/errors.ts';
import { bucketOfKey, lakeKeys } from '../../../functions/core/lake/layout.ts';
import { routedStore } from '../../../functions/pipeline/routed-store.ts';
import { memoryStore } from './memory-store.ts';

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += new TextDecoder().decode(chunk);
  return out;
}

function threeBuckets() {
  const buckets = { datasets: memoryStore({}), lake: memoryStore({}), site: memoryStore({}) };
  return { buckets, store: routedStore(buckets) };
}

describe('bucketOfKey', () => {
  it('puts uploads, the lake and the pages in their buckets, and nothing else anywhere', () => {
    expect(bucketOfKey(lakeKeys.dataFile('leads', 'v1', 'a.csv'))).toBe('datasets');
    expect(bucketOfKey(lakeKeys.manifest('leads'))).toBe('datasets');
    expect(bucketOfKey(lakeKeys.referenceTable('de-2023'))).toBe('lake');
    expect(bucketOfKey(lakeKeys.tableFolder('t'))).toBe('lake');
    expect(bucketOfKey(lakeKeys.report('leads', 'r'))).toBe('lake');
    expect(bucketOfKey(lakeKeys.staging('leads', 'r', 'task.json'))).toBe('lake');
    expect(bucketOfKey(`${lakeKeys.site}index.html`)).toBe('site');
    for (const key of ['', 'datasets', 'lakes/x', 'query-results/x', '/datasets/x']) {
      expect(bucketOfKey(key), key).toBeUndefined();
    }
  });
});

describe('routedStore', () => {
  it('writes each key under its full name into the bucket of its prefix, and reads it back there', async () => {
    const { buckets, store } = threeBuckets();
    await store.write('datasets/leads/v1/a.csv', 'data');
    await store.write('references/mine.csv', 'ref');
    await store.write('lake/reports/dataset=leads/run=r/report.json', '{}');
    await store.write('tables/t/part.parquet', 'pq');
    await store.write('site/index.html', '<html>');
    expect((await buckets.datasets.list('')).map((o) => o.key)).toEqual(['datasets/leads/v1/a.csv']);
    expect((await buckets.lake.list('')).map((o) => o.key).sort()).toEqual([
      'lake/reports/dataset=leads/run=r/report.json',
      'references/mine.csv',
      'tables/t/part.parquet',
    ]);
    expect((await buckets.site.list('')).map((o) => o.key)).toEqual(['site/index.html']);
    expect(await text(store.read('datasets/leads/v1/a.csv', { start: 1, end: 3 }))).toBe('at');
    expect(await store.head('site/index.html')).toMatchObject({ key: 'site/index.html', bytes: 6 });
    expect(await store.head('site/missing.html')).toBeUndefined();
  });

  it('routes conditional writes and URIs to the bucket of the key', async () => {
    const { buckets, store } = threeBuckets();
    expect(await store.writeIf('lake/claims/dataset=a/x.json', '1', { ifAbsent: true })).toBe(true);
    expect(await store.writeIf('lake/claims/dataset=a/x.json', '2', { ifAbsent: true })).toBe(false);
    expect(await buckets.lake.head('lake/claims/dataset=a/x.json')).toBeDefined();
    expect(store.uri('datasets/a/v1/x.csv')).toBe('memory://datasets/a/v1/x.csv');
    const uris = routedStore({
      datasets: { ...buckets.datasets, uri: (k) => `s3://d/${k}` },
      lake: { ...buckets.lake, uri: (k) => `s3://l/${k}` },
      site: { ...buckets.site, uri: (k) => `s3://s/${k}` },
    });
    expect(uris.uri('datasets/a/v1/x.csv')).toBe('s3://d/datasets/a/v1/x.csv');
    expect(uris.uri('references/x.csv')).toBe('s3://l/references/x.csv');
    expect(uris.uri('site/index.html')).toBe('s3://s/site/index.html');
  });

  it('lists one bucket for a prefix inside an area, and merges the buckets in key order for one spanning areas', async () => {
    const { buckets, store } = threeBuckets();
    await buckets.site.write('site/b.html', 'x');
    await buckets.datasets.write('datasets/a/repscope.yaml', 'x');
    await buckets.lake.write('lake/r.json', 'x');
    await buckets.lake.write('references/p.csv', 'x');
    // Not the lake's: a key of the same bucket outside every area (Athena's results) stays unlisted.
    await buckets.lake.write('query-results/q.csv', 'x');
    expect((await store.list('lake/')).map((o) => o.key)).toEqual(['lake/r.json']);
    expect((await store.list('')).map((o) => o.key)).toEqual([
      'datasets/a/repscope.yaml',
      'lake/r.json',
      'references/p.csv',
      'site/b.html',
    ]);
    expect((await store.list('s')).map((o) => o.key)).toEqual(['site/b.html']);
    expect(await store.list('nothing/')).toEqual([]);
  });

  it('refuses a key outside the layout, naming it and the prefixes it expected', async () => {
    const { store } = threeBuckets();
    await expect(store.write('query-results/x.csv', 'x')).rejects.toBeInstanceOf(StoreError);
    await expect(store.head('other/x')).rejects.toThrow(
      "no bucket holds the key 'other/x': expected a key under datasets/, references/, tables/, lake/, site/",
    );
    await expect(text(store.read('x'))).rejects.toBeInstanceOf(StoreError);
    await expect(store.writeIf('', 'x', { ifAbsent: true })).rejects.toBeInstanceOf(StoreError);
    expect(() => store.uri('x')).toThrow(StoreError);
  });
});
