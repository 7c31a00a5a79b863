import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../functions/core/report/schema.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, MY_POP_REFERENCE, skewedLeads } from '../fixtures/leads.ts';

/**
 * Issue #10's expiry against issue #11's promise, locally: a scheduled dataset's upload expires
 * (deleted from the bucket folder), then its manifest too; a revised reference still reaches it
 * through the profile its last run kept, and the report equals the one a full run with that
 * reference gives (modulo run id, times, the data's provenance and the note saying where the counts
 * came from). Unchanged inputs stay a duplicate; what cannot be compared again is skipped, saying why.
 */
let root: string;
let control: string;
const cleanups: (() => Promise<void>)[] = [];

const put = async (at: string, key: string, body: string) => {
  const file = path.join(at, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
};
const remove = (at: string, key: string) => rm(path.join(at, ...key.split('/')));

const MANIFEST = `${LEADS_MANIFEST.replace('leads-fixture', 'kept').replace('de-2023/sex', 'my-pop/sex')}schedule: rate(1 day)\n`;
const DATA = leadsCsv(skewedLeads(1200, 21));
const REVISED = MY_POP_REFERENCE.replace('0.6', '0.5').replace('0.4', '0.5');
const REVISED_AGAIN = MY_POP_REFERENCE.replace('0.4', '0.45').replace('0.6', '0.55');

beforeAll(async () => {
  const made = [await tempDir('repscope-recompare-'), await tempDir('repscope-recompare-control-')];
  cleanups.push(...made.map((m) => m.cleanup));
  [root, control] = made.map((m) => m.dir) as [string, string];
  for (const at of [root, control]) {
    await put(at, 'datasets/kept/repscope.yaml', MANIFEST);
    await put(at, 'datasets/kept/v1/leads.csv', DATA);
    await put(at, 'references/my-pop.csv', MY_POP_REFERENCE);
  }
});
afterAll(async () => {
  for (const c of cleanups) await c();
});

const history = async (at: string, dataset = 'kept') =>
  JSON.parse((await runCli(['history', dataset, '--root', at, '--format', 'json'])).stdout) as {
    run: string;
    trigger: string;
    version: string;
  }[];

const report = async (at: string, run: string): Promise<Report> =>
  JSON.parse(await readFile(path.join(at, `lake/reports/dataset=kept/run=${run}/report.json`), 'utf8'));

/** A report without what differs between two runs of the same counts: ids, times, the data's identity, the note. */
const comparable = (r: Report) => ({
  ...r,
  run: { reason: r.run.reason },
  dataset: { ...r.dataset, source: { format: r.dataset.source.format } },
  warnings: r.warnings.filter((w) => w.code !== 'recompared'),
});

describe('a scheduled dataset whose upload expired', () => {
  it('keeps, with each run, the manifest and provenance a re-compare needs, and no rows', async () => {
    expect((await runCli(['rescan', '--root', root])).code).not.toBe(2);
    const [first] = await history(root);
    const record = JSON.parse(
      await readFile(path.join(root, `lake/profiles/dataset=kept/run=${first!.run}/profiled.json`), 'utf8'),
    );
    expect(record).toMatchObject({ manifestText: MANIFEST, version: 'v1' });
    expect(Object.keys(record).sort()).toEqual(
      ['claim', 'fileColumns', 'manifestText', 'planSha256', 'source', 'startedAt', 'version'].sort(),
    );
    // Column names and the data's identity, never a value of a row.
    expect(JSON.stringify(record)).not.toMatch(/Bayern|Berlin|female,/);
  });

  it('is a duplicate while nothing but the data changed', async () => {
    await remove(root, 'datasets/kept/v1/leads.csv');
    const r = await runCli(['rescan', '--root', root]);
    expect(r.stdout).toMatch(/^SAME +kept +inputs unchanged since run \S+ \(\w+\); no new run$/m);
    expect(await history(root)).toHaveLength(1);
  });

  it('is re-compared from its kept profile when its reference is revised, as a full run would be', async () => {
    const [first] = await history(root);
    await put(root, 'references/my-pop.csv', REVISED);
    const r = await runCli(['rescan', '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +kept /m);
    expect(r.stdout).toContain(`re-compared from the profile of run ${first!.run} (version v1`);
    const lines = await history(root);
    expect(lines.map((l) => [l.trigger, l.version])).toEqual([
      ['schedule', 'v1'],
      ['schedule', 'v1'],
    ]);
    const recompared = await report(root, lines[1]!.run);
    expect(recompared.run.reason).toBe('schedule');
    expect(recompared.warnings.find((w) => w.code === 'recompared')?.message).toMatch(
      new RegExp(
        `^re-compared from the profile of run ${first!.run} \\(version v1, read on \\d{4}-\\d{2}-\\d{2}\\): its raw upload or manifest has expired since \\(not under datasets/ on`,
      ),
    );
    // Its own copies, so it can itself be compared again or pruned independently.
    for (const file of ['profile.json', 'profiled.json']) {
      await readFile(path.join(root, `lake/profiles/dataset=kept/run=${lines[1]!.run}/${file}`));
    }
    await readFile(path.join(root, `lake/group_counts/dataset=kept/run=${lines[1]!.run}/part-00000.jsonl`));

    // The same data and the revised reference, profiled in full.
    await put(control, 'references/my-pop.csv', REVISED);
    expect((await runCli(['rescan', '--root', control])).code).not.toBe(2);
    const [full] = await history(control);
    expect(comparable(recompared)).toEqual(comparable(await report(control, full!.run)));
    expect(recompared.warnings.filter((w) => w.code === 'recompared')).toHaveLength(1);
  });

  it('stays registered by the kept manifest after its manifest expired too', async () => {
    await remove(root, 'datasets/kept/repscope.yaml');
    const same = await runCli(['rescan', '--root', root]);
    expect(same.stdout).toMatch(/^SAME +kept /m);
    await put(root, 'references/my-pop.csv', REVISED_AGAIN);
    const r = await runCli(['rescan', '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +kept /m);
    const lines = await history(root);
    expect(lines).toHaveLength(3);
    // Still named from the run that read the data, not from the re-compare in between.
    const [first] = lines;
    expect(
      (await report(root, lines[2]!.run)).warnings.find((w) => w.code === 'recompared')?.message,
    ).toContain(`profile of run ${first!.run} `);
    // Named explicitly, it is found although no manifest is under datasets/.
    expect((await runCli(['rescan', 'kept', '--root', root])).stdout).toMatch(/^SAME +kept /m);
  });
});

describe('a due dataset that cannot be re-compared', () => {
  it('is skipped with its reason when it has no data and no kept run', async () => {
    await put(root, 'datasets/gone/repscope.yaml', MANIFEST.replace('dataset: kept', 'dataset: gone'));
    const r = await runCli(['rescan', '--root', root]);
    // Skipping is no bad input (exit 2): the other dataset's fail verdict decides the code.
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /^SKIP +gone +no data file under datasets\/gone\/<version>\/ \(expired or never uploaded\) and no table in its manifest$/m,
    );
  });

  it('is skipped when its manifest now counts differently, and re-compared when only thresholds changed', async () => {
    await put(root, 'datasets/kept/repscope.yaml', MANIFEST.replace('bins: [0, 18, 25', 'bins: [0, 21, 25'));
    const skipped = await runCli(['rescan', 'kept', '--root', root]);
    expect(skipped.stdout).toMatch(
      /^SKIP +kept +.*the kept profile of run \S+ cannot be compared again: the manifest now counts differently/m,
    );
    expect(await history(root)).toHaveLength(3);
    await put(root, 'datasets/kept/repscope.yaml', `${MANIFEST}thresholds: { minRatio: 0.7 }\n`);
    const r = await runCli(['rescan', 'kept', '--root', root]);
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +kept /m);
    const lines = await history(root);
    expect(lines).toHaveLength(4);
    expect((await report(root, lines[3]!.run)).thresholds.minRatio).toBe(0.7);
  });
});
