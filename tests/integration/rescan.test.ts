import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, MY_POP_REFERENCE, skewedLeads } from '../fixtures/leads.ts';

/**
 * `repscope rescan`, `baseline set` and `--fail-on-alert` over a bucket folder: a scheduled dataset
 * against a user reference and an unscheduled one; the reference is revised in between.
 */
let root: string;
let cleanup: () => Promise<void>;

async function put(key: string, body: string): Promise<void> {
  const file = path.join(root, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

const scheduled = `${LEADS_MANIFEST.replace('leads-fixture', 'sched').replace('de-2023/sex', 'my-pop/sex')}schedule: rate(1 day)
thresholds: { maxDriftTvd: 0.05 }
`;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await put('datasets/sched/repscope.yaml', scheduled);
  await put('datasets/sched/v1/leads.csv', leadsCsv(skewedLeads(1200, 3)));
  await put('datasets/plain/repscope.yaml', LEADS_MANIFEST.replace('leads-fixture', 'plain'));
  await put('datasets/plain/v1/leads.csv', leadsCsv(skewedLeads(1200, 4)));
  await put('references/my-pop.csv', MY_POP_REFERENCE);
});
afterAll(async () => cleanup());

const history = async (dataset: string) =>
  JSON.parse((await runCli(['history', dataset, '--root', root, '--format', 'json'])).stdout) as {
    run: string;
    trigger: string;
    version: string;
  }[];

describe('repscope rescan', () => {
  it('re-profiles only the datasets with a schedule, as scheduled runs', async () => {
    const r = await runCli(['rescan', '--root', root]);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +sched /m);
    expect(r.stdout).not.toMatch(/plain/);
    expect((await history('sched')).map((l) => l.trigger)).toEqual(['schedule']);
  });

  it('adds no run while nothing changed, and says so', async () => {
    const r = await runCli(['rescan', '--root', root]);
    expect(r.stdout).toMatch(/^SAME +sched +inputs unchanged since run \S+ \(\w+\); no new run$/m);
    expect(await history('sched')).toHaveLength(1);
  });

  it('re-compares when the reference it uses is revised', async () => {
    await put('references/my-pop.csv', MY_POP_REFERENCE.replace('0.6', '0.55').replace('0.4', '0.45'));
    const r = await runCli(['rescan', '--root', root]);
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +sched /m);
    const lines = await history('sched');
    expect(lines).toHaveLength(2);
    expect(lines[1]!.version).toBe('v1');
  });

  it('rescans a dataset without a schedule when it is named, and refuses an unknown name', async () => {
    const r = await runCli(['rescan', 'plain', '--root', root]);
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +plain /m);
    expect(r.stdout).not.toMatch(/sched/);
    const unknown = await runCli(['rescan', 'nope', '--root', root]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^repscope: no dataset 'nope' in the lake; expected one of: plain, sched$/m,
    );
  });
});

describe('alerts', () => {
  it('prints an ALERT line for drift above maxDriftTvd, and --fail-on-alert exits 1', async () => {
    const skewed = skewedLeads(1200, 5).map((l, i) => ({ ...l, sex: i % 5 === 0 ? 'male' : 'female' }));
    await put('datasets/sched/v2/leads.csv', leadsCsv(skewed));
    const r = await runCli(['run', '--root', root, '--fail-on-alert']);
    expect(r.stdout).toMatch(
      /^ALERT sched: sex drifted by TVD 0\.\d{3} \(above 0\.05\) since the previous run \S+$/m,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^SAME +plain /m);
  });

  it('shows the alert on the dataset page and the index', async () => {
    const page = await readFile(path.join(root, 'site/datasets/sched/index.html'), 'utf8');
    expect(page).toContain('sex drifted by TVD');
    const index = await readFile(path.join(root, 'site/index.html'), 'utf8');
    expect(index).toContain('Alerts on the latest runs');
    expect(index).toContain('sex drifted by TVD');
  });
});

describe('repscope baseline set', () => {
  it('pins a run of the dataset and refuses one it does not have', async () => {
    const [first] = await history('sched');
    const r = await runCli(['baseline', 'set', 'sched', first!.run, '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `baseline of sched: run ${first!.run} (the site shows it after the next run or rescan)\n`,
    );
    const stored = JSON.parse(
      await readFile(path.join(root, 'lake/baselines/dataset=sched/baseline.json'), 'utf8'),
    );
    expect(stored.run).toBe(first!.run);
    const bad = await runCli(['baseline', 'set', 'sched', '20000101T000000Z', '--root', root]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /dataset 'sched' has no run '20000101T000000Z'; expected a report at lake\/reports/,
    );
  });
});
