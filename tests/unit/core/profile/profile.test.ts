import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, ManifestError } from '../../../../functions/core/errors.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import { binLabels, buildPlan } from '../../../../functions/core/profile/plan.ts';
import {
  emptyProfile,
  mergeProfiles,
  type Profile,
  ProfileBuilder,
} from '../../../../functions/core/profile/profile.ts';
import { emptyTally } from '../../../../functions/core/profile/tally.ts';

const MANIFEST = `
dataset: t
consent: { column: consent, granted: [yes] }
label: { column: y, positive: ["1"] }
attributes:
  - { name: sex, column: sex, groups: { female: [f, w], male: [m] }, missing: ["", n/a] }
  - { name: age_band, column: age, bins: [0, 18, 65] }
  - { name: state, column: state, reference: de-2023/state }
intersections: [[sex, age_band]]
`;

function planOf(text = MANIFEST) {
  return buildPlan(parseManifest(text, 'm.yaml'), (ref) =>
    ref === 'de-2023/state' ? ['Bayern', 'Berlin'] : undefined,
  );
}

type Row = [string | null, string | null, string | null, string | null, string | null];

function profileOf(rows: readonly Row[], plan = planOf()): Profile {
  const b = new ProfileBuilder(plan);
  for (const [i, r] of rows.entries()) b.row(r, i + 2);
  return b.toProfile();
}

describe('buildPlan', () => {
  it('projects each declared column once, in declaration order', () => {
    expect(planOf().columns).toEqual(['sex', 'age', 'state', 'consent', 'y']);
  });

  it('labels integer bins as closed ranges and the last as open', () => {
    expect(binLabels([0, 18, 25, 75])).toEqual(['0-17', '18-24', '25-74', '75+']);
    expect(binLabels([0, 0.5, 1])).toEqual(['0-<0.5', '0.5-<1', '1+']);
  });

  it('rejects a value mapped to two groups, naming the group', () => {
    expect(() =>
      planOf('dataset: t\nattributes: [{ name: s, column: s, groups: { a: [x], b: [X] } }]'),
    ).toThrow(/attributes\[0\]\.groups\.b: value 'X' is already mapped to group 'a'/);
  });

  it('rejects a group value that is also declared missing', () => {
    expect(() => planOf('dataset: t\nattributes: [{ name: s, column: s, groups: { a: [""] } }]')).toThrow(
      ManifestError,
    );
  });
});

describe('ProfileBuilder', () => {
  const rows: Row[] = [
    ['F', '17', 'Bayern', 'yes', '1'],
    [' w ', '18', 'bayern', 'YES', '0'],
    ['m', '64.9', 'Berlin', 'yes', '1'],
    ['M', '65', 'Hessen', 'yes', '0'],
    ['n/a', '30', 'Berlin', 'yes', '0'],
    ['x', 'old', '', 'yes', '0'],
    ['m', '-1', null, 'yes', '0'],
    ['f', '40', 'Bayern', 'no', '1'],
    ['f', '40', 'Bayern', null, '1'],
  ];
  const profile = profileOf(rows);

  it('counts rows, consent exclusions and groups case- and whitespace-insensitively', () => {
    expect(profile.rows).toEqual({ read: 9, used: 7, excludedNoConsent: 2, malformed: 0 });
    const sex = profile.attributes[0]!;
    expect(sex.groups.map((g) => [g.group, g.count, g.positives])).toEqual([
      ['female', 2, 1],
      ['male', 3, 1],
    ]);
    expect(sex.missing).toBe(1);
    expect(sex.unmapped).toBe(1);
  });

  it('bins numbers by lower edge and reports non-numbers and values below the first edge as unmapped', () => {
    const age = profile.attributes[1]!;
    expect(age.groups.map((g) => [g.group, g.count])).toEqual([
      ['0-17', 1],
      ['18-64', 3],
      ['65+', 1],
    ]);
    expect(age.unmapped).toBe(2);
  });

  it("maps plain values onto the reference's spelling, keeps other values as their own groups", () => {
    const state = profile.attributes[2]!;
    expect(state.groups.map((g) => [g.group, g.count])).toEqual([
      ['Bayern', 2],
      ['Berlin', 2],
      ['hessen', 1],
    ]);
    expect(state.missing).toBe(2);
  });

  it('counts intersections only where every member has a group', () => {
    const x = profile.intersections[0]!;
    expect(x.name).toBe('sex_x_age_band');
    expect(x.cells.map((c) => [c.group, c.count])).toEqual([
      ['female|0-17', 1],
      ['female|18-64', 1],
      ['male|18-64', 1],
      ['male|65+', 1],
    ]);
    expect(x.incomplete).toBe(3);
  });

  it('counts malformed rows with their line and reason, at most ten kept', () => {
    const b = new ProfileBuilder(planOf());
    for (let line = 20; line > 8; line--) b.malformed(line, 'expected 5 fields, found 2');
    const p = b.toProfile();
    expect(p.rows.malformed).toBe(12);
    expect(p.rows.used).toBe(0);
    expect(p.malformedSamples.map((s) => s.line)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('sums weights and squared weights; a bad weight makes the row malformed without its value', () => {
    const plan = planOf('dataset: t\nweight: w\nattributes: [{ name: s, column: s }]');
    const b = new ProfileBuilder(plan);
    b.row(['a', '2'], 2);
    b.row(['a', '0.5'], 3);
    b.row(['b', 'heavy'], 4);
    b.row(['b', '-1'], 5);
    const p = b.toProfile();
    expect(p.attributes[0]!.groups).toEqual([
      {
        group: 'a',
        ...emptyTally(),
        count: 2,
        weightSum: 2.5,
        weightSqSum: 4.25,
        positives: 0,
        positiveWeightSum: 0,
      },
    ]);
    expect(p.rows.malformed).toBe(2);
    expect(p.malformedSamples[0]!.reason).toBe("weight in column 'w' is not a non-negative number");
  });

  it('refuses a column with more than 1000 distinct values, naming it', () => {
    const plan = planOf('dataset: t\nattributes: [{ name: sex, column: free_text }]');
    const b = new ProfileBuilder(plan);
    let error: unknown;
    try {
      for (let i = 0; i < 1001; i++) b.row([`value ${i}`], i + 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('TOO_MANY_GROUPS');
    expect((error as Error).message).toMatch(
      /column 'free_text' \(attribute sex\) has more than 1000 distinct values/,
    );
    expect((error as Error).message).not.toMatch(/value \d/);
  });

  it('never lets an identifier-looking value become a group name', () => {
    const b = new ProfileBuilder(planOf('dataset: t\nattributes: [{ name: s, column: contact }]'));
    for (const [i, r] of [['a.b@example.com'], ['c@example.org'], ['x']].entries()) b.row(r, i + 2);
    const p = b.toProfile();
    expect(p.attributes[0]!.groups.map((g) => g.group)).toEqual(['x']);
    expect(p.attributes[0]!.unmapped).toBe(2);
    expect(p.identifierHints).toEqual([
      { column: 'contact', kind: 'email', source: 'group-value', matched: 2, sampled: 0 },
    ]);
    expect(JSON.stringify(p)).not.toContain('example');
  });

  it('samples projected values for identifiers only when the manifest opts in, keeping no values', () => {
    const text =
      'dataset: t\nprivacy: { sampleValuesForIdentifiers: SAMPLE }\nlabel: { column: contact, positive: [yes] }\nattributes: [{ name: s, column: s }]';
    const rows = [
      ['a', 'a.b@example.com'],
      ['b', 'c@example.org'],
      ['a', 'yes'],
    ];
    const off = new ProfileBuilder(planOf(text.replace('SAMPLE', 'false')));
    const on = new ProfileBuilder(planOf(text.replace('SAMPLE', 'true')));
    rows.forEach((r, i) => {
      off.row(r, i + 2);
      on.row(r, i + 2);
    });
    expect(off.toProfile().identifierHints).toEqual([]);
    expect(on.toProfile().identifierHints).toEqual([
      { column: 'contact', kind: 'email', source: 'sample', matched: 2, sampled: 3 },
    ]);
    expect(JSON.stringify(on.toProfile())).not.toContain('example');
  });
});

describe('profiles form a commutative monoid', () => {
  const value = (choices: string[]) => fc.option(fc.constantFrom(...choices), { nil: null });
  const row = fc.tuple(
    value(['f', 'm', 'w', 'x', '', 'n/a']),
    value(['0', '17', '18', '64', '65', 'abc', '']),
    value(['Bayern', 'berlin', 'Hessen', '']),
    value(['yes', 'no']),
    value(['1', '0']),
  ) as fc.Arbitrary<Row>;

  it('merging the profiles of any split equals profiling the whole', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), fc.nat(), (rows, cut) => {
        const at = rows.length === 0 ? 0 : cut % (rows.length + 1);
        const whole = profileOf(rows);
        const parts = mergeProfiles(profileOf(rows.slice(0, at)), profileOf(rows.slice(at)));
        const swapped = mergeProfiles(profileOf(rows.slice(at)), profileOf(rows.slice(0, at)));
        expect(parts).toEqual(whole);
        expect(swapped).toEqual(whole);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('the empty profile is the identity and survives a JSON round trip', () => {
    const p = profileOf([['f', '30', 'Bayern', 'yes', '1']]);
    expect(mergeProfiles(emptyProfile(planOf()), p)).toEqual(p);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});
