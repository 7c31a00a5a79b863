import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suppressReport, suppressRuns } from '../../functions/core/privacy/suppress.ts';
import { type Report, reportSchema } from '../../functions/core/report/schema.ts';
import { tempDir } from '../fixtures/cli.ts';
import { list, num, str } from './attacker/json.ts';
import { attackRuns } from './attacker/runs.ts';
import { type RunOutput, readRuns, runRoot, writeVersion } from './generate.ts';

/**
 * The differencing channel of issue #17's "Two runs", re-enabled on purpose: each run suppressed
 * on its own, the complementary cell flips between runs (male is the smaller of female and male
 * in the first run, female in the second, after two male rows are appended), and the attacker
 * that reads both copies pins the 4-row group `diverse`. The publish path (`suppressRuns`, what
 * `repscope run` published) keeps the choice stable and the attacker finds nothing.
 */

const MANIFEST = `dataset: flip
attributes:
  - name: sex
    column: sex
    reference: de-2023/sex
    groups: { female: [female], male: [male], diverse: [diverse] }
correction: { rake: false }
privacy: { minCellSize: 10 }
`;

function csv(female: number, male: number, diverse: number): string {
  const rows = [
    ...Array.from({ length: female }, () => 'female'),
    ...Array.from({ length: male }, () => 'male'),
    ...Array.from({ length: diverse }, () => 'diverse'),
  ];
  return `sex\n${rows.join('\n')}\n`;
}

const DIVERSE = 'attributes[sex].groups[diverse].count';

let outputs: RunOutput[] = [];
let lake: Report[] = [];
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  const made = await tempDir('repscope-runs-channel-');
  cleanup = made.cleanup;
  await mkdir(path.join(made.dir, 'datasets/flip'), { recursive: true });
  await writeFile(path.join(made.dir, 'datasets/flip/repscope.yaml'), MANIFEST);
  await writeVersion(made.dir, 'flip', 'v1', csv(148, 147, 4));
  await runRoot(made.dir);
  await writeVersion(made.dir, 'flip', 'v2', csv(148, 149, 4));
  await runRoot(made.dir);
  outputs = (await readRuns(made.dir)).get('flip') ?? [];
  // The lake's reports, with the exact counts.
  lake = outputs.map((o) => reportSchema.parse(o.privateReport));
}, 120_000);
afterAll(async () => cleanup());

function hiddenGroups(copy: unknown): string[] {
  const sex = list(copy, 'attributes').find((a) => str(a, 'name') === 'sex');
  return list(sex, 'groups')
    .filter((g) => num(g, 'count') === null)
    .map((g) => str(g, 'group') ?? '')
    .sort();
}

describe('the differencing channel between two runs, re-enabled on purpose', () => {
  it('suppressed alone, the second run flips its complementary cell and the two copies pin diverse', async () => {
    expect(lake).toHaveLength(2);
    const alone = lake.map((r) => suppressReport(r, r.privacy.minCellSize));
    expect(alone.map(hiddenGroups)).toEqual([
      ['diverse', 'male'],
      ['diverse', 'female'],
    ]);
    const result = await attackRuns(lake.map((r, i) => ({ privateReport: r, published: alone[i] })));
    expect(result.relationFailures).toEqual([]);
    expect(result.changes).toEqual([0, 2]);
    expect(result.findings.map((f) => `${f.run}:${f.path}`)).toContain(`1:runs[1].${DIVERSE}`);
  });

  it('each copy alone is safe: only reading the two together pins diverse', async () => {
    const alone = lake.map((r) => suppressReport(r, r.privacy.minCellSize));
    for (const [i, r] of lake.entries()) {
      const single = await attackRuns([{ privateReport: r, published: alone[i] }]);
      expect(single.findings).toEqual([]);
    }
  });

  it('the publish path keeps male hidden in the second run, and the attacker finds nothing', async () => {
    const joint = suppressRuns(lake);
    expect(joint.map(hiddenGroups)).toEqual([
      ['diverse', 'male'],
      ['diverse', 'male'],
    ]);
    expect(outputs.map((o) => hiddenGroups(o.published))).toEqual(joint.map(hiddenGroups));
    const result = await attackRuns(outputs);
    expect(result.relationFailures).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it('a new run does not change the copies already published', () => {
    const first = suppressRuns(lake.slice(0, 1));
    expect(suppressRuns(lake)[0]).toEqual(first[0]);
    expect(suppressRuns([...lake].reverse())[1]).toEqual(first[0]);
  });
});
