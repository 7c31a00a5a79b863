/**
 * The label table of one attribute, end to end through `compare`, against
 * tests/fixtures/oracles/label.json's `labelTable` cases: tests/oracles/label_oracle.py computes
 * every number from row arrays with numpy/scipy (the call is each test's title), leaving the rows
 * without a label out, and the impact ratio against the judged group with the highest rate. The
 * cases include weighted rows, a declared `label.negative` with other values, and the
 * penguins-shaped example of issue #18 (2 of 344 rows without a label: rate 166/342).
 */
import { describe, expect, it } from 'vitest';
import { compare } from '../../../../functions/core/compare/compare.ts';
import type { CompareRow } from '../../../../functions/core/compare/compare-sql.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import { buildPlan } from '../../../../functions/core/profile/plan.ts';
import { ProfileBuilder } from '../../../../functions/core/profile/profile.ts';
import type { LabelGroup, Labels } from '../../../../functions/core/report/schema.ts';
import { casesOf, expectClose, loadFixture, type OracleCase, title } from '../stats/oracle-fixture.ts';

type Args = {
  rows: Omit<CompareRow, 'attribute' | 'referenceShare' | 'referenceCount'>[];
  minGroupCount: number;
  weighted: boolean;
  negativeDeclared: boolean;
};
type ExpectedRow = Omit<LabelGroup, 'ci'> & { ci: [number, number] | null };
type Expected = Pick<Labels, 'positiveRate' | 'highestRateGroup' | 'notJudged'> & {
  missing: number;
  otherValues?: number;
  groups: ExpectedRow[];
};

const fixture = loadFixture('label');

function labelsOf(args: Args): {
  labels: Labels;
  check: { status: string; message: string; evidence?: string };
} {
  const manifest = parseManifest(
    `dataset: t
${args.weighted ? 'weight: w' : ''}
label: { column: y, positive: ["1"]${args.negativeDeclared ? ', negative: ["0"]' : ''} }
thresholds: { minGroupCount: ${args.minGroupCount} }
attributes:
  - { name: g, column: g }
`,
    'm.yaml',
  );
  const rows: CompareRow[] = args.rows.map((r) => ({
    ...r,
    attribute: 'g',
    referenceShare: null,
    referenceCount: null,
  }));
  const result = compare(manifest, new ProfileBuilder(buildPlan(manifest)).toProfile(), rows);
  const attribute = result.attributes[0]!;
  return { labels: attribute.labels!, check: result.checks.find((c) => c.id === 'labels:g')! };
}

const NUMBERS = [
  'positives',
  'unlabelled',
  'positiveRate',
  'classImbalance',
  'dpl',
  'disparateImpact',
  'impactRatio',
  'kl',
  'js',
  'lp',
  'tvd',
  'ks',
] as const;

function expectRow(actual: LabelGroup, expected: ExpectedRow, c: OracleCase): void {
  for (const key of NUMBERS)
    expectClose(actual[key] ?? null, expected[key] ?? null, c, ` ${expected.group}.${key}`);
  if (expected.ci === null) expect(actual.ci, c.call).toBeNull();
  else {
    expectClose(actual.ci?.[0], expected.ci[0], c, ` ${expected.group}.ci[0]`);
    expectClose(actual.ci?.[1], expected.ci[1], c, ` ${expected.group}.ci[1]`);
  }
  expect(actual.fourFifths, `${c.call} ${expected.group}.fourFifths`).toBe(expected.fourFifths);
}

describe(`label table: scipy ${fixture.versions['scipy']} / numpy ${fixture.versions['numpy']} oracle`, () => {
  for (const c of casesOf(fixture, 'labelTable')) {
    it(title(c), () => {
      const [args] = c.args as [Args];
      const expected = c.expected as Expected;
      const { labels, check } = labelsOf(args);
      expectClose(labels.positiveRate, expected.positiveRate, c, ' positiveRate');
      expectClose(labels.missing, expected.missing, c, ' missing');
      expectClose(labels.otherValues, expected.otherValues ?? null, c, ' otherValues');
      expect(labels.highestRateGroup).toBe(expected.highestRateGroup);
      expect(labels.notJudged).toEqual(expected.notJudged);
      expect(labels.groups.map((g) => g.group)).toEqual(expected.groups.map((g) => g.group));
      for (const [i, g] of labels.groups.entries()) expectRow(g, expected.groups[i]!, c);
      // The check never passes on groups it did not judge, and names them.
      const judged = expected.groups.filter((g) => g.fourFifths !== null);
      if (judged.length === 0) expect(check).toMatchObject({ status: 'warn', evidence: 'insufficient' });
      else expect(check.evidence).toBeUndefined();
      const notJudged = expected.notJudged ?? [];
      if (notJudged.length > 0)
        expect(check.message).toContain(
          `not judged, fewer than ${args.minGroupCount} labelled rows: ${notJudged.join(', ')}`,
        );
      if (judged.some((g) => g.fourFifths === 'fail')) expect(check.status).toBe('warn');
      else if (judged.length > 0) expect(check.status).toBe('pass');
    });
  }

  it('penguins-shaped: the overall rate is 166/342, not 166/344, and label missing is 2', () => {
    const c = casesOf(fixture, 'labelTable')[0]!;
    const { labels } = labelsOf((c.args as [Args])[0]);
    expect(labels.positiveRate).toBeCloseTo(166 / 342, 15);
    expect(labels.missing).toBe(2);
  });

  it('the four-fifths check names the groups it did not judge, and with nothing judged is insufficient evidence', () => {
    const cases = casesOf(fixture, 'labelTable');
    const small = labelsOf((cases.find((c) => c.note?.startsWith('label.negative'))!.args as [Args])[0]);
    expect(small.check.message).toContain('not judged, fewer than 30 labelled rows: c');
    expect(small.check.message).not.toContain('every group');
    const none = labelsOf((cases.find((c) => c.note?.startsWith('nothing judged'))!.args as [Args])[0]);
    expect(none.check).toEqual({
      id: 'labels:g',
      status: 'warn',
      evidence: 'insufficient',
      message:
        'g: insufficient evidence for the four-fifths rule: no group has 30 or more labelled rows; not judged, fewer than 30 labelled rows: a, b',
    });
  });
});
