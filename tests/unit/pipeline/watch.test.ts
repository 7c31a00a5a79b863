import { describe, expect, it } from 'vitest';
import { watchUploads } from '../../../functions/pipeline/watch.ts';
import { memoryStore } from './memory-store.ts';

describe('watchUploads', () => {
  it('runs once per settled change of datasets/, ignores other keys, and ends when aborted', async () => {
    const store = memoryStore({ 'datasets/a/repscope.yaml': 'dataset: a\n' });
    const controller = new AbortController();
    const passes: string[][] = [];
    // Each sleep is one tick of a scripted clock: the script changes the store between ticks.
    const script: (() => Promise<void>)[] = [
      async () => {}, // tick 1: nothing new
      async () => store.write('datasets/a/v1/a.csv', 'x\n'), // tick 2: an upload starts
      async () => store.write('datasets/a/v1/b.csv', 'y\n'), // debounce: still changing
      async () => {}, // debounce: settled -> one pass
      async () => store.write('lake/reports/dataset=a/run=1/report.json', '{}'), // not an upload
      async () => store.write('datasets/a/v2/a.csv', 'zz\n'), // tick: another upload
      async () => {}, // debounce: settled -> second pass
      async () => controller.abort(),
    ];
    let tick = 0;
    await watchUploads(
      store,
      async () => {
        passes.push((await store.list('datasets/')).map((o) => o.key));
      },
      {
        intervalMs: 1000,
        debounceMs: 500,
        signal: controller.signal,
        sleep: async () => {
          await script[tick++]?.();
        },
      },
    );
    expect(passes).toEqual([
      ['datasets/a/repscope.yaml', 'datasets/a/v1/a.csv', 'datasets/a/v1/b.csv'],
      ['datasets/a/repscope.yaml', 'datasets/a/v1/a.csv', 'datasets/a/v1/b.csv', 'datasets/a/v2/a.csv'],
    ]);
    expect(tick).toBe(script.length);
  });
});
