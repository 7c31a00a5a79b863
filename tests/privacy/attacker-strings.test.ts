import { describe, expect, it } from 'vitest';
import { hiddenGroupsClassified, overallTestsBesideHiddenCells } from './attacker/attack.ts';
import {
  htmlStrings,
  numberTokens,
  printedForms,
  scanPublished,
  withheldValues,
} from './attacker/strings.ts';
import { attribute, group, publishedReport } from './hand-built.ts';

/** A private report and its copy with diverse (4 rows) and the sex distances hidden. */
function pair(extra: { warnings?: unknown[]; checks?: unknown[] } = {}) {
  const groups = [group('female', 300, { share: 0.5 }), group('male', 296, { share: 296 / 600 })];
  const privateReport = publishedReport({
    attributes: [
      attribute('sex', [...groups, group('diverse', 4, { share: 4 / 600 })], {
        distances: { tvd: 0.771234, jsDivergence: 0.05 },
      }),
    ],
  });
  const published = publishedReport({
    attributes: [
      attribute('sex', [...groups, group('diverse', null, { share: null })], {
        total: 600,
        distances: { tvd: null, jsDivergence: null },
      }),
    ],
    ...extra,
  });
  return { privateReport, published };
}

describe('the string scan (part 2)', () => {
  it('lists the private numbers the copy hides, matched by group name', () => {
    const { privateReport, published } = pair();
    const withheld = withheldValues(privateReport, published).map((w) => [w.path, w.value, w.kind]);
    expect(withheld).toEqual([
      ['attributes[sex].groups[diverse].count', 4, 'count'],
      ['attributes[sex].groups[diverse].share', 4 / 600, 'share'],
      ['attributes[sex].distances.tvd', 0.771234, 'statistic'],
      ['attributes[sex].distances.jsDivergence', 0.05, 'statistic'],
    ]);
  });

  it('prints values the ways the code does', () => {
    expect(printedForms(1234, 'count')).toEqual(['1234', '1,234']);
    expect(printedForms(0.771234, 'statistic')).toEqual(['0.771234', '0.77', '0.771', '0.7712']);
    expect(printedForms(0.0123, 'share')).toContain('1.2%');
    expect(printedForms(0.00001234, 'statistic')).toContain('1.2e-5');
  });

  it('cuts text into whole number tokens, keeping group names and identifiers in one piece', () => {
    const tokens = (t: string) => numberTokens(t).map((x) => x.token);
    expect(tokens('raking left out 4 rows; TVD 0.771)')).toEqual(['4', '0.771']);
    expect(tokens('age 18-24 and 75+, 12.5 % of 1,234; report@1 scale=1 de-2023 x4')).toEqual([
      '18-24',
      '75',
      '12.5%',
      '1,234',
    ]);
  });

  it('finds a withheld count in a warning and a withheld TVD in a check message', () => {
    const { privateReport, published } = pair({
      warnings: [
        {
          code: 'raking-excluded',
          message: 'raking left out 4 rows in groups without a reference share: diverse',
        },
      ],
      checks: [
        { id: 'representation:sex', status: 'fail', message: 'sex: total variation distance 0.771 > 0.05' },
      ],
    });
    const leaks = scanPublished(privateReport, published, []).map((l) => [
      l.withheld.path,
      l.printed,
      l.where,
    ]);
    expect(leaks).toEqual([
      ['attributes[sex].distances.tvd', '0.771', 'json:checks[0].message'],
      ['attributes[sex].groups[diverse].count', '4', 'json:warnings[0].message'],
    ]);
  });

  it('ignores numbers the copy publishes anyway and constants of the messages', () => {
    const { privateReport, published } = pair({
      warnings: [{ code: 'x', message: 'evenness needs at least 4 groups, received 4' }],
      checks: [{ id: 'rows', status: 'pass', message: '600 of 600 rows counted; 0.500 of rows are female' }],
    });
    expect(scanPublished(privateReport, published, [])).toEqual([]);
    // A threshold equal to the hidden count makes "4" ambiguous: it is not searched.
    const withFour = {
      ...published,
      thresholds: { minGroupCount: 4 },
      checks: [{ id: 'c', status: 'pass', message: 'fewer than 4 rows expected' }],
    };
    expect(scanPublished(privateReport, withFour, [])).toEqual([]);
  });

  it('does not take the published rate of "the rest" for a hidden rate that rounds alike', () => {
    const labelled = (diverse: number | null) =>
      publishedReport({
        attributes: [
          attribute('sex', [group('female', 70), group('diverse', 60)], {
            labels: {
              positiveRate: 0.3,
              groups: [
                { group: 'female', positives: 20, positiveRate: 20 / 70 },
                { group: 'diverse', positives: null, positiveRate: diverse },
              ],
            },
          }),
        ],
      });
    const page = [{ file: 'p.html', html: '<p>female: positive rate 28.6 % vs 31.7 % for the rest</p>' }];
    // The rest of female is (0.3 × 130 − 20)/(130 − 70) = 19/60, and so is the hidden rate.
    expect(scanPublished(labelled(19 / 60), labelled(null), page)).toEqual([]);
    expect(
      scanPublished(labelled(0.2351), labelled(null), [{ file: 'p.html', html: '<p>23.5 %</p>' }]),
    ).toHaveLength(1);
  });

  it('finds a withheld interval printed as a range, and not one bound alone', () => {
    const { privateReport, published } = pair();
    const groups = (privateReport['attributes'] as { groups: Record<string, unknown>[] }[])[0]!.groups;
    groups[2]!['ci'] = [0.0012, 0.0321];
    const hiddenGroups = (published['attributes'] as { groups: Record<string, unknown>[] }[])[0]!.groups;
    hiddenGroups[2]!['ci'] = null;
    const page = (text: string) => [{ file: 'p.html', html: `<td>${text}</td>` }];
    const found = (text: string) => scanPublished(privateReport, published, page(text)).map((l) => l.printed);
    expect(found('0.1–3.2 %')).toEqual(['0.1% – 3.2%']);
    expect(found('0.1%–3.2%')).toEqual(['0.1% – 3.2%']);
    expect(found('3.2 % of rows')).toEqual([]);
  });

  it('reads page text, entities and tooltips but not chart geometry or category tallies', () => {
    const html =
      '<p title="4 rows">a &amp; b: 0.771</p><path d="M4,4L10,4"/>' +
      '<g aria-label="Y-axis for a discrete scale with 4 values: a, b"></g><script>{"n":4}</script>';
    expect(htmlStrings(html, 'page.html').map((s) => s.text)).toEqual([
      'a & b: 0.771',
      '{"n":4}',
      '4 rows',
      'Y-axis for a discrete scale with values: a, b',
    ]);
    const { privateReport, published } = pair();
    const found = scanPublished(privateReport, published, [{ file: 'page.html', html }]);
    expect(found.map((l) => [l.printed, l.where])).toEqual([
      ['0.771', 'html:page.html'],
      ['4', 'html:page.html'],
      ['4', 'html:page.html @title'],
    ]);
  });
});

describe('structural findings', () => {
  it('flags a test over all groups published beside a hidden cell', () => {
    const chiSquare = {
      statistic: null,
      df: 2,
      pValue: 0.03,
      method: 'x',
      monteCarlo: { pValue: 0.04, draws: 9999, seed: 1 },
    };
    const sex = attribute('sex', [group('female', 300), group('diverse', null)], { tests: { chiSquare } });
    const findings = overallTestsBesideHiddenCells(publishedReport({ attributes: [sex] }));
    expect(findings.map((f) => f.path)).toEqual([
      'attributes[sex].tests.chiSquare.pValue',
      'attributes[sex].tests.chiSquare.monteCarlo.pValue',
    ]);
    const visible = attribute('sex', [group('female', 300), group('male', 30)], { tests: { chiSquare } });
    expect(overallTestsBesideHiddenCells(publishedReport({ attributes: [visible] }))).toEqual([]);
  });

  it('flags check messages that classify a hidden group, and not the visible ones', () => {
    const sex = attribute('sex', [group('female', 300), group('male', null), group('diverse', null)], {
      labels: {
        groups: [
          { group: 'female', positives: 30 },
          { group: 'diverse', positives: null },
        ],
      },
    });
    const x = {
      attributes: ['sex', 'state'],
      groups: [group('female|Bayern', 40), group('diverse|Bayern', null)],
    };
    const checks = [
      {
        id: 'representation:sex',
        status: 'fail',
        message: 'sex: under-represented: female; over-represented: diverse',
      },
      {
        id: 'intersection:sex_x_state',
        status: 'warn',
        message: 'sex × state: female|Bayern under, diverse|Bayern over (vs product of marginals)',
      },
      {
        id: 'labels:sex',
        status: 'warn',
        message: 'sex: disparate impact below 0.8 (four-fifths rule) for female (0.70), diverse (0.50)',
      },
      { id: 'representation:state', status: 'warn', message: 'state: too small to conclude: male' },
    ];
    const found = hiddenGroupsClassified(publishedReport({ attributes: [sex], intersections: [x], checks }));
    expect(found.map((f) => [f.path, f.detail.split(':')[0]])).toEqual([
      ['checks[representation:sex]', 'hidden group diverse is classified'],
      ['checks[intersection:sex_x_state]', 'hidden group diverse|Bayern is classified'],
      ['checks[labels:sex]', 'hidden group diverse is classified'],
    ]);
  });
});
