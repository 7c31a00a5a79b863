import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Report, reportSchema } from '../../functions/core/report/schema.ts';
import { runCli, tempDir } from '../fixtures/cli.ts';
import { casesOf, loadFixture } from '../unit/core/stats/oracle-fixture.ts';

/**
 * Issue #18's example end to end: a penguins-shaped CSV (344 rows, 2 with no body mass, label
 * "body mass above the median") through `check` with both engines. The rows are the oracle's
 * first `labelTable` case (tests/oracles/label_oracle.py, scipy/numpy over row arrays), so the
 * rates are those of the fixture: overall 166/342, not 166/344.
 */
type GroupRow = { group: string; count: number; positives: number; labelMissing: number };

const fixture = loadFixture('label');
const penguins = casesOf(fixture, 'labelTable')[0]!;
const groups = (penguins.args[0] as { rows: GroupRow[] }).rows;
const expected = penguins.expected as {
  positiveRate: number;
  groups: { group: string; positiveRate: number }[];
};

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const lines = ['species,heavy'];
  for (const g of groups) {
    const negatives = g.count - g.positives - g.labelMissing;
    for (let i = 0; i < g.positives; i++) lines.push(`${g.group},yes`);
    for (let i = 0; i < negatives; i++) lines.push(`${g.group},no`);
    for (let i = 0; i < g.labelMissing; i++) lines.push(`${g.group},`);
  }
  await writeFile(path.join(dir, 'penguins.csv'), `${lines.join('\n')}\n`);
  await writeFile(
    path.join(dir, 'repscope.yaml'),
    'dataset: penguins\nlabel: { column: heavy, positive: ["yes"] }\nattributes:\n  - { name: species, column: species, groups: { Adelie: [Adelie], Chinstrap: [Chinstrap], Gentoo: [Gentoo] } }\n',
  );
});
afterAll(async () => cleanup());

async function check(engine: 'stream' | 'sql'): Promise<Report> {
  const args = ['check', path.join(dir, 'penguins.csv'), '--format', 'json'];
  const result = await runCli(engine === 'sql' ? [...args, '--engine', 'sql'] : args);
  expect(result.stderr).toBe('');
  return reportSchema.parse(JSON.parse(result.stdout));
}

describe('a label with missing values, end to end (issue #18)', () => {
  for (const engine of ['stream', 'sql'] as const) {
    it(`${engine}: 2 of 344 rows without a label are left out: rate 166/342`, async () => {
      const report = await check(engine);
      const labels = report.attributes[0]!.labels!;
      expect(report.rows.used).toBe(344);
      expect(labels.missing).toBe(2);
      // penguins.call: np.average(y[labelled], weights=w[labelled]) = 166/342
      expect(labels.positiveRate).toBeCloseTo(expected.positiveRate, 12);
      expect(labels.positiveRate).toBeCloseTo(166 / 342, 12);
      for (const row of labels.groups) {
        const want = expected.groups.find((g) => g.group === row.group)!;
        expect(row.positiveRate).toBeCloseTo(want.positiveRate, 12);
      }
      expect(labels.groups.map((r) => [r.group, r.unlabelled])).toEqual([
        ['Adelie', 1],
        ['Chinstrap', 0],
        ['Gentoo', 1],
      ]);
    });
  }
});
