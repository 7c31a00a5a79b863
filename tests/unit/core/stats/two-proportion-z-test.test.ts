import { describe, expect, it } from 'vitest';
import { twoProportionZTest } from '../../../../functions/core/stats/two-proportion-z-test.ts';
import { casesOf, expectClose, loadFixture, title } from './oracle-fixture.ts';

const fixture = loadFixture('drift');

describe(`twoProportionZTest against scipy ${fixture.versions['scipy']}`, () => {
  for (const c of casesOf(fixture, 'twoProportionZTest')) {
    // c.call is the scipy expression that produced c.expected (tests/oracles/drift_oracle.py).
    it(title(c), () => {
      const [x1, n1, x2, n2] = c.args as [number, number, number, number];
      const actual = twoProportionZTest(x1, n1, x2, n2);
      const expected = c.expected as { z: number; pValue: number } | null;
      if (expected === null) {
        expect(actual).toBeNull();
        return;
      }
      expectClose(actual?.z, expected.z, c, ' z');
      expectClose(actual?.pValue, expected.pValue, c, ' p');
    });
  }

  it('is antisymmetric: swapping the runs flips z and keeps p', () => {
    const a = twoProportionZTest(120, 1000, 150, 1000)!;
    const b = twoProportionZTest(150, 1000, 120, 1000)!;
    expect(b.z).toBeCloseTo(-a.z, 12);
    expect(b.pValue).toBeCloseTo(a.pValue, 15);
  });

  it('refuses counts outside [0, n] and non-finite inputs', () => {
    expect(twoProportionZTest(11, 10, 3, 10)).toBeNull();
    expect(twoProportionZTest(-1, 10, 3, 10)).toBeNull();
    expect(twoProportionZTest(Number.NaN, 10, 3, 10)).toBeNull();
  });
});
