import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDatasetHistory } from '../../functions/core/history/series.ts';
import { reportSchema } from '../../functions/core/report/schema.ts';
import { tempDir } from '../fixtures/cli.ts';
import { attack } from './attacker/attack.ts';
import { historyLeaks } from './attacker/history.ts';
import { field, list, str } from './attacker/json.ts';
import { attackRuns, isBoundByNeighbour, type RunsAttackResult } from './attacker/runs.ts';
import {
  changedCsv,
  type DatasetSpec,
  datasetCsv,
  RUN_CHANGES,
  type RunChange,
  type RunOutput,
  readRuns,
  runRoot,
  sampleSpecs,
  writeDatasets,
  writeVersion,
} from './generate.ts';

/**
 * Issue #17's "Two runs": an outsider holds every published run of a dataset and knows that
 * consecutive runs differ by at most d rows in any count. Generated datasets (small groups,
 * intersections, labels, weights, raking, sources, …, drawn as in published-copies-are-safe) are
 * published three times with `repscope run`: each next version differs from the last by one row
 * appended in a small group or in a big group, one row removed, or one row's values changed. The
 * attacker reads all copies of a dataset together (`attacker/runs.ts`) and every primary-hidden
 * count of every run must keep an interval at least k wide; each copy alone passes the
 * single-copy attacker (its pages include the dataset page with the history); and the history is
 * built from figures the copies publish (`attacker/history.ts`).
 */

const GENERATED = 12;
const MIN_ROWS = 20;

/**
 * Findings the joint audit does not prevent today, listed so that the test fails when one more
 * appears (or one is fixed). Both are counts under k of a few rows whose earlier value was at
 * or near k, pinned by relations the audit does not model (docs/PRIVACY.md, "Limits that
 * remain"): a source cell (k = 3) that fell from 3 to 2, narrowed further by the next run's
 * source row; and a weighted intersection cell of weight 0.5 (k = 10) bounded through the next
 * run's cells of its line.
 */
const KNOWN_GAPS = [
  'runs-gen-242-14 run 1: runs[1].sources.attributes[state].groups[Sachsen].sources[app].count [[2, 3]]',
  'runs-gen-242-14 run 2: runs[2].sources.attributes[state].groups[Sachsen].sources[app].count [[2, 4]]',
  'runs-gen-242-4 run 0: runs[0].intersections[sex|state].groups[female|Saarland].count [[0, 2.5]]',
  'runs-gen-242-4 run 0: runs[0].intersections[sex|state|segment].groups[female|Saarland|alpha].count [[0, 2.5]]',
];

interface Case {
  readonly spec: DatasetSpec;
  readonly changes: readonly [RunChange, RunChange];
}

let cases: Case[] = [];
let runs = new Map<string, RunOutput[]>();
const results = new Map<string, RunsAttackResult>();
const crashed: string[] = [];
/** Findings (`id path`) pinned by what a neighbour run published: `isBoundByNeighbour`. */
const bound = new Set<string>();
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  const made = await tempDir('repscope-runs-safe-');
  cleanup = made.cleanup;
  // At least 20 rows (see the limits in docs/PRIVACY.md: with a handful of rows every count is
  // under k, and consecutive runs pin each other through the few that are not).
  const specs = sampleSpecs(3 * GENERATED, 4242)
    .filter((spec) => spec.rows >= MIN_ROWS)
    .slice(0, GENERATED)
    .map((spec) => ({ ...spec, id: `runs-${spec.id}` }));
  cases = specs.map((spec, i) => ({
    spec,
    changes: [RUN_CHANGES[i % RUN_CHANGES.length]!, RUN_CHANGES[(i + 1 + (i >> 2)) % RUN_CHANGES.length]!],
  }));
  // Two buckets side by side (the CLI's stages wait on DuckDB and the file system).
  const buckets = ['a', 'b'].map((b) => path.join(made.dir, b));
  await Promise.all(
    buckets.map((root, b) =>
      publishThreeRuns(
        root,
        cases.filter((_, i) => i % 2 === b),
      ),
    ),
  );
  runs = new Map((await Promise.all(buckets.map(readRuns))).flatMap((m) => [...m]));
  for (const [id, outputs] of runs) {
    try {
      const result = await attackRuns(outputs);
      results.set(id, result);
      for (const f of result.findings) if (await isBoundByNeighbour(result, f)) bound.add(`${id} ${f.path}`);
    } catch (error) {
      crashed.push(`${id}: ${String(error)}`);
    }
  }
}, 900_000);
afterAll(async () => cleanup());

/** Version 1 of each case, then versions 2 and 3 (each one change on from the last), one `run` each. */
async function publishThreeRuns(root: string, bucket: readonly Case[]): Promise<void> {
  await writeDatasets(
    root,
    bucket.map((c) => c.spec),
  );
  await runRoot(root);
  const csvs = new Map(bucket.map((c) => [c.spec.id, datasetCsv(c.spec)]));
  for (const [step, version] of ['v2', 'v3'].entries()) {
    for (const c of bucket) {
      const next = changedCsv(csvs.get(c.spec.id)!, c.changes[step]!);
      csvs.set(c.spec.id, next);
      await writeVersion(root, c.spec.id, version, next);
    }
    await runRoot(root);
  }
}

describe('published runs read together keep each hidden count at least k wide', () => {
  it('covers every kind of change, with and without intersections, labels and weights', () => {
    expect([...runs.keys()].sort()).toEqual(cases.map((c) => c.spec.id).sort());
    for (const outputs of runs.values()) expect(outputs).toHaveLength(3);
    const kinds = new Set(cases.flatMap((c) => c.changes));
    expect([...kinds].sort()).toEqual([...RUN_CHANGES].sort());
    const has = (p: (s: DatasetSpec) => boolean) => cases.filter((c) => p(c.spec)).length;
    for (const p of [
      (s: DatasetSpec) => s.intersections.length > 0,
      (s: DatasetSpec) => s.label,
      (s: DatasetSpec) => s.weight,
      (s: DatasetSpec) => s.smallGroups.length > 0,
    ]) {
      expect(has(p)).toBeGreaterThan(2);
      expect(has((s) => !p(s))).toBeGreaterThan(2);
    }
  });

  it('the attacker is sound on these runs (its relations and differences hold on the private values)', () => {
    expect(crashed).toEqual([]);
    const failures = [...results].flatMap(([id, r]) =>
      r.relationFailures.map((f) => `${id}: ${f.relation.family} ${f.relation.path}`),
    );
    expect(failures).toEqual([]);
    // One changed row moves a count by 1 (the weight of a row with weights): d is small.
    const unweighted = cases.filter((c) => !c.spec.weight).map((c) => results.get(c.spec.id)!);
    expect(unweighted.flatMap((r) => r.changes.slice(1)).every((d) => d <= 2)).toBe(true);
  });

  it('no primary-hidden count of any run is narrower than k when the runs are differenced (but the known gaps)', () => {
    const findings = [...results].flatMap(([id, r]) =>
      r.findings
        .filter((f) => !bound.has(`${id} ${f.path}`))
        .map(
          (f) =>
            `${id} run ${f.run}: ${f.path} [${f.detail.replace(/^.*feasible interval /, '').replace(/ over .*$/, '')}]`,
        ),
    );
    expect(findings).toEqual(KNOWN_GAPS);
    const hidden = [...results.values()].reduce((n, r) => n + r.intervals.length, 0);
    expect(hidden).toBeGreaterThan(20);
  });

  it('a count pinned by a neighbour run (fell under k, or emptied) is said to be recoverable', () => {
    const silent = [...results].flatMap(([id, r]) =>
      r.findings
        .filter((f) => bound.has(`${id} ${f.path}`))
        .filter((f) => {
          // Said by a copy published knowing it: this run's, the next one's, or an earlier one's.
          const copies = runs.get(id)!.slice(0, f.run + 2);
          return !copies.some((o) =>
            list(field(o.published, 'privacy'), 'withheld').some(
              (w) => str(w, 'reason') === 'recoverable-cell',
            ),
          );
        })
        .map((f) => `${id} run ${f.run}: ${f.path}`),
    );
    expect(silent).toEqual([]);
  });

  it('each run alone still passes the single-copy attacker, its page included', async () => {
    const findings: string[] = [];
    for (const [id, outputs] of runs)
      for (const o of outputs) {
        // The run's own page: the dataset page shows every run's figures (checked below).
        const pages = o.pages.filter((p) => p.file.includes('/runs/'));
        const result = await attack({ ...o, pages });
        findings.push(...result.findings.map((f) => `${id}: ${f.part} ${f.path} — ${f.detail}`));
      }
    expect(findings).toEqual([]);
  });

  it('the history shows only figures the published copies show (no third differencing channel)', () => {
    const leaks: string[] = [];
    let drifts = 0;
    for (const [id, outputs] of runs) {
      const copies = outputs.map((o) => reportSchema.parse(o.published));
      const history = buildDatasetHistory(id, copies, copies[0]!.run.id);
      drifts += history.drifts.length;
      leaks.push(
        ...historyLeaks(
          outputs.map((o) => o.published),
          history,
        ).map((l) => `${id}: ${l}`),
      );
    }
    expect(drifts).toBeGreaterThanOrEqual(2 * runs.size);
    expect(leaks).toEqual([]);
  });

  it('the history check catches drift figures built from the private reports', () => {
    const leaks = [...runs].flatMap(([id, outputs]) => {
      const privateRuns = outputs.map((o) => reportSchema.parse(o.privateReport));
      return historyLeaks(
        outputs.map((o) => o.published),
        buildDatasetHistory(id, privateRuns, null),
      );
    });
    expect(leaks.some((l) => /of a group hidden in a copy|over a hidden group/.test(l))).toBe(true);
  });
});
