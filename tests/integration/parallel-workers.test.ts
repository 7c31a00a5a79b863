import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../functions/adapters/local/file-object-store.ts';
import { localWorkerHost, WorkerPool } from '../../functions/adapters/local/worker-pool.ts';
import { RepscopeError } from '../../functions/core/errors.ts';
import { parseManifest } from '../../functions/core/manifest/parse.ts';
import { buildPlan } from '../../functions/core/profile/plan.ts';
import {
  type ProfileParallelism,
  profileFileInRanges,
  type RangeWorkers,
  type SplitFile,
} from '../../functions/pipeline/parallel-profile.ts';
import type { RangeProgress, RangeResult, RangeTask } from '../../functions/pipeline/parallel-task.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, leadsJsonl, skewedLeads } from '../fixtures/leads.ts';

/**
 * Real worker threads: each runs the range task compiled by esbuild (ts-bundle.mjs, cached in
 * node_modules/.cache/repscope), also under vitest. Files are small, so the
 * minimum range is lowered to make them split.
 */
const TASK_MODULE = new URL('../../functions/pipeline/parallel-task.ts', import.meta.url);
let dir: string;
let cleanup: () => Promise<void>;
const plan = buildPlan(parseManifest(LEADS_MANIFEST, 'repscope.yaml'));

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('repscope-parallel-'));
  // Notes with quoted line breaks make a CSV unsplittable, so this CSV keeps them on one line.
  const leads = skewedLeads(20_000).map((l) => ({ ...l, notes: l.notes.replace('\n', ' ') }));
  await writeFile(path.join(dir, 'repscope.yaml'), LEADS_MANIFEST);
  await writeFile(path.join(dir, 'leads.csv'), leadsCsv(leads));
  await writeFile(path.join(dir, 'leads.jsonl'), leadsJsonl(leads));
  const wide = Array.from({ length: 3000 }, (_, i) =>
    JSON.stringify({ sex: 'f', age: 30, address: { state: `state ${i}` }, consent: 'yes', converted: 0 }),
  );
  await writeFile(path.join(dir, 'wide.jsonl'), `${wide.join('\n')}\n`);
});

afterAll(async () => cleanup());

/** Threads with a real worker pool; counts the tasks the workers finished. */
function withWorkers(threads: number) {
  const host = localWorkerHost<RangeTask, RangeResult, RangeProgress>({
    module: TASK_MODULE,
    exportName: 'profileRange',
  });
  const done = { byWorkers: 0 };
  const parallelism: ProfileParallelism = {
    threads,
    minRangeBytes: 32 * 1024,
    minSplitBytes: 0,
    startWorkers: (count, store) => {
      const workers = host.startWorkers(count, store);
      if (!workers) return undefined;
      const counted: RangeWorkers = {
        size: workers.size,
        drain: (next, onResult, onProgress, exhausted) =>
          workers.drain(
            next,
            (task, result) => {
              done.byWorkers++;
              onResult(task, result);
            },
            onProgress,
            exhausted,
          ),
      };
      return counted;
    },
  };
  /** Starts the threads and waits until they are up, so they take part even in a short run. */
  const warm = async (store: FileObjectStore) => host.startWorkers(threads - 1, store)?.ready();
  return { parallelism, done, warm, close: () => host.close() };
}

async function fileOf(name: string, format: 'csv' | 'jsonl'): Promise<SplitFile> {
  const store = new FileObjectStore(dir);
  return { key: name, name, format, compression: 'none', bytes: (await store.head(name))!.bytes };
}

describe('profiling ranges on worker threads', () => {
  for (const [name, format] of [
    ['leads.csv', 'csv'],
    ['leads.jsonl', 'jsonl'],
  ] as const) {
    it(`gives ${name} the one-pass profile, with work done by the workers`, async () => {
      const store = new FileObjectStore(dir);
      const file = await fileOf(name, format);
      const one = await profileFileInRanges(store, file, plan, {}, { threads: 1 }, () => {});
      const pool = withWorkers(3);
      let rows = 0;
      try {
        await pool.warm(store);
        const three = await profileFileInRanges(store, file, plan, {}, pool.parallelism, (p) => {
          rows += p.rows;
        });
        expect(three.ranges).toBeGreaterThan(4);
        expect(three.profile).toEqual(one.profile);
        expect(three.header).toEqual(one.header);
        expect(rows).toBe(20_000);
        expect(pool.done.byWorkers).toBeGreaterThan(0);
      } finally {
        await pool.close();
      }
    });
  }

  it('refuses a file whose ranges together pass the group limit, as one pass would', async () => {
    const store = new FileObjectStore(dir);
    const file = await fileOf('wide.jsonl', 'jsonl');
    const pool = withWorkers(2);
    try {
      const error = await profileFileInRanges(store, file, plan, {}, pool.parallelism, () => {}).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RepscopeError);
      expect((error as RepscopeError).code).toBe('TOO_MANY_GROUPS');
      expect((error as Error).message).toMatch(
        /column 'address.state' \(attribute state\) has more than 1000/,
      );
    } finally {
      await pool.close();
    }
  });
});

describe('WorkerPool', () => {
  const echo = () =>
    new WorkerPool<
      { value: number; fail?: 'input' | 'plain' },
      { value: number; uri: string },
      { step: number }
    >({
      size: 2,
      module: new URL('../unit/pipeline/worker-task-fixture.ts', import.meta.url),
      exportName: 'echoTask',
      storeRoot: dir,
    });

  it('runs every task on its threads, passing progress on', async () => {
    const pool = echo();
    try {
      const inputs = [1, 2, 3, 4, 5].map((value) => ({ value }));
      const outputs = new Map<number, number>();
      const steps: number[] = [];
      await pool.drain(
        () => inputs.shift(),
        (input, output) => {
          outputs.set(input.value, output.value);
          expect(output.uri).toBe(new FileObjectStore(dir).uri('x'));
        },
        (p) => steps.push(p.step),
      );
      expect([...outputs.entries()].sort((a, b) => a[0] - b[0])).toEqual([
        [1, 2],
        [2, 4],
        [3, 6],
        [4, 8],
        [5, 10],
      ]);
      expect(steps.length).toBe(10);
    } finally {
      await pool.close();
    }
  });

  it('rebuilds a task’s RepscopeError with its code, and stops handing out tasks', async () => {
    const pool = echo();
    try {
      const inputs: { value: number; fail?: 'input' | 'plain' }[] = [
        { value: 1, fail: 'input' },
        ...Array.from({ length: 50 }, (_, i) => ({ value: i })),
      ];
      const error = await pool
        .drain(
          () => inputs.shift(),
          () => {},
          () => {},
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RepscopeError);
      expect(error).toMatchObject({
        code: 'COLUMN_NOT_FOUND',
        name: 'InputError',
        message: 'value 1: no such column',
      });
      expect(inputs.length).toBeGreaterThan(40);
      const plain = await pool
        .drain(
          (() => {
            const queue = [{ value: 2, fail: 'plain' as const }];
            return () => queue.shift();
          })(),
          () => {},
          () => {},
        )
        .catch((e: unknown) => e);
      expect(plain).not.toBeInstanceOf(RepscopeError);
      expect(plain).toMatchObject({ name: 'TypeError', message: 'plain failure' });
    } finally {
      await pool.close();
    }
  });
});

describe('repscope --threads', () => {
  it('profiles the same with one thread and with several', async () => {
    const one = await runCli(['profile', path.join(dir, 'leads.csv'), '--threads', '1']);
    const four = await runCli(['profile', path.join(dir, 'leads.csv'), '--threads', '4']);
    expect(one.code).toBe(0);
    expect(four.stdout).toBe(one.stdout);
  });

  it.each(['0', '-1', 'two', '1.5'])('refuses --threads %s with exit 2', async (threads) => {
    const result = await runCli(['profile', path.join(dir, 'leads.csv'), '--threads', threads]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected a whole number of threads, 1 or more');
  });
});
