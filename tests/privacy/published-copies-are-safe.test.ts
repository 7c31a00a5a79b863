import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MANIFEST, demoLeadsCsv } from '../../functions/cli/demo-data.ts';
import { tempDir } from '../fixtures/cli.ts';
import { leadsBucket } from '../fixtures/leads.ts';
import { hostileNamesReport, labelledReport, sampleReport } from '../fixtures/reports.ts';
import { smallCellsCsv, smallCellsManifest } from '../fixtures/small-cells.ts';
import { type AttackResult, attack, type FindingPart } from './attacker/attack.ts';
import { type RunOutput, readOutputs, runRoot, sampleSpecs, writeDatasets } from './generate.ts';

/**
 * Issue #17's promise, checked by the attacker: no count in 1..k−1 can be recovered from a
 * published copy. Over 200 generated datasets (small groups in one or several attributes, 2- and
 * 3-way intersections, labels, weights, raking on and off, missing and unmapped values, totals
 * under k, sources, consent), the demo at 20 000 rows, the leads fixtures, the hand-built fixture
 * reports and the issue's own example, every part of the attacker must come back empty: LP
 * intervals at least k wide, no withheld value in a string of the copy or its pages, no check
 * classifying a hidden group, no test over all groups beside a hidden cell, and (on the tiny
 * datasets) enumerated survivors spanning at least k.
 */

const GENERATED = 200;
const ENUMERATED = 24;

let outputs: RunOutput[] = [];
const results = new Map<string, AttackResult>();
/** Copies the attacker could not process (an LP it could not solve): a bug in the attacker. */
const crashed: string[] = [];
/** Reports written by hand, not counted by the pipeline: only the string and message parts apply. */
const HAND_BUILT = [sampleReport(), hostileNamesReport(), labelledReport()];
let cleanup: () => Promise<void> = async () => {};

async function put(file: string, body: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

/** #17's example: 600 rows, a 4-row `diverse` absent from the reference, a 3-row state, label, sex × state, raking. */
const ISSUE_EXAMPLE_MANIFEST = smallCellsManifest('issue-17-example');

async function writeDemo(root: string): Promise<void> {
  await put(path.join(root, 'datasets/marketing-leads/repscope.yaml'), DEMO_MANIFEST);
  await put(path.join(root, 'datasets/marketing-leads/v1/leads.csv'), [...demoLeadsCsv(20_000)].join(''));
}

async function writeLeads(root: string): Promise<void> {
  for (const [key, body] of Object.entries(leadsBucket())) await put(path.join(root, key), body);
}

/**
 * The hand-built fixture reports, in a bucket of their own (one shares its dataset id with the
 * demo) beside the issue's example: `run` publishes every report it finds in the lake.
 */
async function writeHandBuilt(root: string): Promise<void> {
  await put(path.join(root, 'datasets/issue-17-example/repscope.yaml'), ISSUE_EXAMPLE_MANIFEST);
  await put(path.join(root, 'datasets/issue-17-example/v1/data.csv'), smallCellsCsv());
  for (const [i, report] of HAND_BUILT.entries()) {
    await put(
      path.join(root, `lake/reports/dataset=${report.dataset.id}/run=2026010${i + 1}T000000Z/report.json`),
      `${JSON.stringify(report, null, 2)}\n`,
    );
  }
}

beforeAll(async () => {
  const made = await tempDir('repscope-published-safe-');
  cleanup = made.cleanup;
  // Three buckets run side by side (the CLI's stages wait on DuckDB and the file system, so two
  // runs overlap well): half the generated datasets with the demo, the other half with the leads
  // fixtures, and the hand-built reports with the issue's example.
  const specs = [
    ...sampleSpecs(GENERATED - ENUMERATED, 2026),
    ...sampleSpecs(ENUMERATED, 1717, { small: true }),
  ];
  const [first, second, handBuilt] = ['generated-1', 'generated-2', 'hand-built'].map((d) =>
    path.join(made.dir, d),
  );
  await writeDatasets(
    first!,
    specs.filter((_, i) => i % 2 === 0),
  );
  await writeDemo(first!);
  await writeDatasets(
    second!,
    specs.filter((_, i) => i % 2 === 1),
  );
  await writeLeads(second!);
  await writeHandBuilt(handBuilt!);
  await Promise.all([first!, second!, handBuilt!].map(runRoot));
  const labelled = [
    ...(await readOutputs(first!)).map((o) => ({ o, key: o.id, linear: true })),
    ...(await readOutputs(second!)).map((o) => ({ o, key: o.id, linear: true })),
    ...(await readOutputs(handBuilt!)).map((o) => {
      const written = HAND_BUILT.some((r) => r.dataset.id === o.id);
      return { o, key: written ? `hand-built/${o.id}` : o.id, linear: !written };
    }),
  ];
  outputs = labelled.map((l) => l.o);
  for (const { o, key, linear } of labelled) {
    try {
      results.set(
        key,
        await attack({ ...o, enumerate: o.id.startsWith('gen-717-'), enumerationLimit: 50_000, linear }),
      );
    } catch (error) {
      crashed.push(`${key}: ${String(error)}`);
    }
  }
}, 600_000);
afterAll(async () => cleanup());

/** Per dataset, its findings of one part, as `id: path — detail` lines. */
function findingsOf(part: FindingPart): string[] {
  return [...results].flatMap(([id, r]) =>
    r.findings.filter((f) => f.part === part).map((f) => `${id}: ${f.path} — ${f.detail}`),
  );
}

describe('every published copy keeps each hidden count at least k wide', () => {
  it('covers the generated datasets, the demo and the fixtures', () => {
    const ids = outputs.map((o) => o.id);
    expect(ids.filter((id) => id.startsWith('gen-')).length).toBe(GENERATED);
    for (const id of ['marketing-leads', 'leads-csv', 'leads-json', 'issue-17-example'])
      expect(ids).toContain(id);
    expect(ids.length).toBe(GENERATED + 4 + HAND_BUILT.length);
    expect(results.size + crashed.length).toBe(ids.length);
  });

  it('the attacker itself is sound on these copies (its relations hold on the private values)', () => {
    expect(crashed).toEqual([]);
    const failures = [...results].flatMap(([id, r]) =>
      r.relationFailures.map((f) => `${id}: ${f.relation.family} ${f.relation.path}`),
    );
    expect(failures).toEqual([]);
    const lost = [...results].filter(([, r]) => r.truthSurvives === false).map(([id]) => id);
    expect(lost).toEqual([]);
  });

  it('part 1: no primary-hidden count has a feasible interval narrower than k', () => {
    expect(findingsOf('lp')).toEqual([]);
  });

  it('part 2: no withheld value is printed in the copy or its pages', () => {
    expect(findingsOf('strings')).toEqual([]);
  });

  it('part 3: the enumerated survivors still span at least k for every primary-hidden count', () => {
    expect([...results.values()].filter((r) => r.enumeration !== undefined).length).toBeGreaterThan(5);
    expect(findingsOf('enumeration')).toEqual([]);
  });

  it('no check message classifies a hidden group', () => {
    expect(findingsOf('classification')).toEqual([]);
  });

  it('no test over all groups is published beside a hidden cell', () => {
    expect(findingsOf('overall-test')).toEqual([]);
  });
});
