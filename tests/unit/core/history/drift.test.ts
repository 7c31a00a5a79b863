import { describe, expect, it } from 'vitest';
import { isWorse, runDrift } from '../../../../functions/core/history/drift.ts';
import { runReport } from '../../../fixtures/history.ts';
import { casesOf, expectClose, loadFixture, title } from '../stats/oracle-fixture.ts';

const fixture = loadFixture('drift');
const names = ['a', 'b', 'c', 'd'];
const sharesOf = (values: readonly number[]) => Object.fromEntries(values.map((v, i) => [names[i]!, v]));

describe(`runDrift against scipy ${fixture.versions['scipy']}`, () => {
  for (const c of casesOf(fixture, 'runDrift')) {
    // c.call is the scipy expression that produced c.expected (tests/oracles/drift_oracle.py).
    it(title(c), () => {
      const [before, after, n1, n2] = c.args as [number[], number[], number, number];
      const expected = c.expected as { pValues: number[]; pAdjusted: number[]; tvd: number };
      const drift = runDrift(
        runReport('20261201T000000Z', 'pass', [{ name: 'x', total: n1, shares: sharesOf(before) }]),
        runReport('20261202T000000Z', 'pass', [{ name: 'x', total: n2, shares: sharesOf(after) }]),
        'previous',
      );
      const groups = drift.attributes[0]!.groups;
      expected.pValues.forEach((p, i) => {
        expectClose(groups[i]!.pValue, p, c, ` p[${i}]`);
        expectClose(groups[i]!.pAdjusted, expected.pAdjusted[i]!, c, ` pAdjusted[${i}]`);
        expect(groups[i]!.significant).toBe(expected.pAdjusted[i]! < 0.05);
      });
      expectClose(drift.attributes[0]!.tvd, expected.tvd, c, ' tvd');
    });
  }
});

describe('runDrift', () => {
  it('says when the verdict gets worse', () => {
    expect(isWorse('pass', 'warn')).toBe(true);
    expect(isWorse('warn', 'fail')).toBe(true);
    expect(isWorse('fail', 'error')).toBe(true);
    expect(isWorse('fail', 'warn')).toBe(false);
    expect(isWorse('warn', 'warn')).toBe(false);
    const spec = [{ name: 'x', total: 100, shares: { a: 0.5, b: 0.5 } }];
    const drift = runDrift(
      runReport('20261201T000000Z', 'warn', spec),
      runReport('20261202T000000Z', 'fail', spec),
      'baseline',
    );
    expect(drift).toMatchObject({
      against: 'baseline',
      from: '20261201T000000Z',
      to: '20261202T000000Z',
      statusBefore: 'warn',
      statusAfter: 'fail',
      statusWorse: true,
    });
  });

  it('publishes no figure about a hidden group: no test for it and no TVD for its attribute', () => {
    const drift = runDrift(
      runReport('20261201T000000Z', 'pass', [
        { name: 'x', total: 500, shares: { a: 0.6, b: 0.38, c: null } },
      ]),
      runReport('20261202T000000Z', 'pass', [
        { name: 'x', total: 500, shares: { a: 0.5, b: 0.48, c: 0.02 } },
      ]),
      'previous',
    );
    const attribute = drift.attributes[0]!;
    expect(attribute.tvd).toBeNull();
    expect(attribute.tvdReason).toBe('a group is hidden in a published copy');
    const hidden = attribute.groups.find((g) => g.group === 'c')!;
    expect(hidden).toMatchObject({ shareBefore: null, change: null, z: null, pValue: null, pAdjusted: null });
    expect(hidden.reason).toBe('the group is hidden in a published copy');
    expect(attribute.groups.find((g) => g.group === 'a')!.pValue).not.toBeNull();
  });

  it("tests weighted attributes on Kish's effective N", () => {
    // x = share * N_eff on both sides:
    // scipy.stats.chi2_contingency([[200, 200], [120, 180]], correction=False).statistic = 6.907894736842102
    // (the unweighted N of 4000 would give a χ² ten times larger).
    const drift = runDrift(
      runReport('20261201T000000Z', 'pass', [
        { name: 'x', total: 4000, effectiveN: 400, shares: { a: 0.5, b: 0.5 } },
      ]),
      runReport('20261202T000000Z', 'pass', [
        { name: 'x', total: 4000, effectiveN: 300, shares: { a: 0.4, b: 0.6 } },
      ]),
      'previous',
    );
    const a = drift.attributes[0]!.groups[0]!;
    expect(a.z! ** 2).toBeCloseTo(6.907894736842102, 9);
    expect(a.change).toBeCloseTo(-0.1, 12);
  });

  it('counts a group that appears as a share of 0 before', () => {
    const drift = runDrift(
      runReport('20261201T000000Z', 'pass', [{ name: 'x', total: 200, shares: { a: 1 } }]),
      runReport('20261202T000000Z', 'pass', [
        { name: 'x', total: 210, shares: { a: 0.9571428571428572, b: 0.04285714285714286 } },
      ]),
      'previous',
    );
    const b = drift.attributes[0]!.groups.find((g) => g.group === 'b')!;
    expect(b.shareBefore).toBe(0);
    expect(b.statusBefore).toBeNull();
    // scipy.stats.chi2_contingency([[0, 200], [9, 201]], correction=False).pvalue = 0.00307267371539735
    expect(b.pValue).toBeCloseTo(0.00307267371539735, 12);
  });
});
