import { describe, expect, it } from 'vitest';
import { eachBounded } from '../../../functions/pipeline/each-bounded.ts';

const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

describe('eachBounded', () => {
  it('runs every item once with at most `limit` at a time', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await eachBounded([...Array(20).keys()], 3, async (i) => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
      done.push(i);
    });
    expect(most).toBe(3);
    expect([...done].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });

  it('starts nothing after a failure and throws the first error once the running ones settle', async () => {
    const started: number[] = [];
    let settled = 0;
    const attempt = eachBounded([...Array(10).keys()], 3, async (i) => {
      started.push(i);
      // 1 fails first, while 0 and 2 are still running.
      await tick(i === 1 ? 1 : 20);
      settled++;
      if (i === 1) throw new Error('write 1 failed');
      if (i === 2) throw new Error('write 2 failed');
    });
    await expect(attempt).rejects.toThrow('write 1 failed');
    expect(started).toEqual([0, 1, 2]);
    expect(settled).toBe(3);
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await eachBounded([], 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });
});
