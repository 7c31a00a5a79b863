import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../functions/adapters/local/file-object-store.ts';
import { lakeKeys } from '../../functions/core/lake/layout.ts';
import { publishSite, type SiteRenderer } from '../../functions/pipeline/publish-stage.ts';
import { renderSite } from '../../web/site.tsx';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';
import { sampleReport } from '../fixtures/reports.ts';

async function put(root: string, key: string, body: string): Promise<void> {
  const file = path.join(root, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

async function files(root: string, under: string): Promise<string[]> {
  try {
    const entries = await readdir(path.join(root, under), { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
  } catch {
    return [];
  }
}

describe('repscope prune', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let runs: string[];
  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
    const manifest = LEADS_MANIFEST.replace('leads-fixture', 'pruned');
    await put(root, 'datasets/pruned/v1/leads.csv', leadsCsv(skewedLeads(600, 8)));
    // Three runs: each edit of the manifest is a new input.
    for (const edit of ['', '# second\n', '# third\n']) {
      await put(root, 'datasets/pruned/repscope.yaml', `${manifest}${edit}`);
      expect((await runCli(['run', '--root', root])).code).toBeLessThan(2);
    }
    runs = JSON.parse((await runCli(['history', 'pruned', '--root', root, '--format', 'json'])).stdout).map(
      (l: { run: string }) => l.run,
    );
    expect(runs).toHaveLength(3);
    expect((await runCli(['baseline', 'set', 'pruned', runs[0]!, '--root', root])).code).toBe(0);
  }, 120_000);
  afterAll(async () => cleanup());

  it('keeps the newest runs and the baseline, and removes the others from the lake, the site and the claims', async () => {
    const r = await runCli(['prune', '--root', root, '--keep', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^pruned pruned: 1 runs \\(${runs[1]}\\)$`, 'm'));
    const lake = await files(root, 'lake');
    // `run=<id>/`: run ids made in one second differ by a suffix, so one may be the start of another.
    expect(lake.some((f) => f.includes(`run=${runs[1]}/`))).toBe(false);
    for (const kept of [runs[0]!, runs[2]!]) {
      for (const table of ['reports', 'group_counts', 'group_metrics', 'runs', 'profiles']) {
        expect(
          lake.some((f) => f.startsWith(`lake/${table}/dataset=pruned/run=${kept}/`)),
          `${table} ${kept}`,
        ).toBe(true);
      }
    }
    const claims = await Promise.all(
      lake
        .filter((f) => f.startsWith('lake/claims/'))
        .map(async (f) => JSON.parse(await readFile(path.join(root, f), 'utf8')).run),
    );
    expect(claims.sort()).toEqual([runs[0], runs[2]]);
    const site = await files(root, 'site');
    expect(site.some((f) => f.includes(`/runs/${runs[1]}/`))).toBe(false);
    const page = await readFile(path.join(root, 'site/datasets/pruned/index.html'), 'utf8');
    expect(page).not.toContain(`runs/${runs[1]}/`);
    expect(page).toContain(`runs/${runs[2]}/`);
    const history = JSON.parse(
      (await runCli(['history', 'pruned', '--root', root, '--format', 'json'])).stdout,
    );
    expect(history.map((l: { run: string }) => l.run)).toEqual([runs[0], runs[2]]);
  });

  it('refuses a --keep that is not a whole number above 0', async () => {
    const r = await runCli(['prune', '--root', root, '--keep', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected a whole number of runs, 1 or more; got '0'/);
  });
});

describe('two publishes at once', () => {
  it('leave an index and dataset history that hold both runs: the publish that lost the index renders again', async () => {
    const { dir: root, cleanup } = await tempDir();
    try {
      const store = new FileObjectStore(root);
      const report = (run: string, startedAt: string) => {
        const r = sampleReport();
        return { ...r, run: { ...r.run, id: run, startedAt, finishedAt: startedAt } };
      };
      await store.write(
        lakeKeys.report('marketing-leads', '20261201T000000Z'),
        JSON.stringify(report('20261201T000000Z', '2026-12-01T00:00:00.000Z')),
      );
      let slowRenders = 0;
      let secondWritten: () => void = () => {};
      const written = new Promise<void>((resolve) => {
        secondWritten = resolve;
      });
      // The slow publish read the lake before the second run's report existed and renders slowly.
      const slow: SiteRenderer = async (input) => {
        slowRenders++;
        if (slowRenders === 1) await written;
        return renderSite(input);
      };
      const clock = { now: () => new Date('2026-12-02T00:00:00Z') };
      const first = publishSite({ store, clock, renderSite: slow });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await store.write(
        lakeKeys.report('marketing-leads', '20261202T000000Z'),
        JSON.stringify(report('20261202T000000Z', '2026-12-02T00:00:00.000Z')),
      );
      const second = await publishSite({ store, clock, renderSite });
      secondWritten();
      const firstResult = await first;
      expect(slowRenders).toBe(2);
      expect(second.histories[0]!.points).toHaveLength(2);
      expect(firstResult.histories[0]!.points).toHaveLength(2);
      const index = await readFile(path.join(root, 'site/index.html'), 'utf8');
      expect(index).toContain('20261202T000000Z');
      const page = await readFile(path.join(root, 'site/datasets/marketing-leads/index.html'), 'utf8');
      expect(page).toContain('runs/20261201T000000Z/index.html');
      expect(page).toContain('runs/20261202T000000Z/index.html');
    } finally {
      await cleanup();
    }
  });
});
