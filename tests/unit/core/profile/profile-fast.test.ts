import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../functions/core/errors.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import {
  type IdentifierKind,
  identifierKindOfValue,
} from '../../../../functions/core/profile/identifiers.ts';
import { normaliseValue } from '../../../../functions/core/profile/normalise.ts';
import {
  type AttributePlan,
  buildPlan,
  type CountingPlan,
  LABEL_MISSING,
  LABEL_NEGATIVE,
  LABEL_OTHER,
  LABEL_POSITIVE,
  type LabelState,
  MAX_GROUPS_PER_ATTRIBUTE,
} from '../../../../functions/core/profile/plan.ts';
import {
  checkGroupLimits,
  IDENTIFIER_SAMPLE_ROWS,
  MALFORMED_SAMPLE_LIMIT,
  mergeProfiles,
  PROFILE_SCHEMA_ID,
  type Profile,
  ProfileBuilder,
  parseNumber,
  VALUE_CACHE_LIMIT,
} from '../../../../functions/core/profile/profile.ts';
import { addToTally, emptyTally, type Tally } from '../../../../functions/core/profile/tally.ts';
import { NO_CODE } from '../../../../functions/core/scan/types.ts';

/**
 * The builder caches what each distinct value means; these tests pin that it counts exactly as
 * the plain per-row rules do. `referenceProfile` is those rules written out directly (the
 * builder as it was before the cache): normalise every value, look it up, bin it, check it.
 */
type Value = string | null;

function referenceProfile(plan: CountingPlan, rows: readonly (readonly Value[])[]): Profile {
  const MISSING = -1;
  const UNMAPPED = -2;
  const groupOf = (a: AttributePlan, raw: Value): string | number => {
    if (raw === null) return MISSING;
    const key = normaliseValue(raw);
    if (a.missing.has(key)) return MISSING;
    if (a.kind === 'bins') {
      const x = parseNumber(key);
      if (Number.isNaN(x) || x < a.binEdges[0]!) return UNMAPPED;
      let bin = 0;
      while (bin + 1 < a.binEdges.length && x >= a.binEdges[bin + 1]!) bin += 1;
      return a.binLabels[bin]!;
    }
    return a.lookup.get(key) ?? (a.kind === 'groups' ? UNMAPPED : key);
  };
  let read = 0;
  let excluded = 0;
  let malformed = 0;
  const samples: { line: number; reason: string }[] = [];
  const tallies = plan.attributes.map(
    (a) => new Map<string, Tally>(a.knownGroups.map((g) => [g, emptyTally()])),
  );
  const missing = plan.attributes.map(() => 0);
  const unmapped = plan.attributes.map(() => 0);
  const cells = plan.intersections.map(() => new Map<string, Tally>());
  const incomplete = plan.intersections.map(() => 0);
  const hints = new Map<string, number>();
  let sampled = 0;
  const hint = (column: string, kind: IdentifierKind, source: string) => {
    const key = JSON.stringify([column, kind, source]);
    hints.set(key, (hints.get(key) ?? 0) + 1);
  };
  rows.forEach((values, r) => {
    const line = r + 2;
    read++;
    let weight = 1;
    if (plan.weight) {
      const raw = values[plan.weight.columnIndex] ?? null;
      weight = raw === null ? Number.NaN : parseNumber(raw);
      if (!(weight >= 0) || !Number.isFinite(weight)) {
        malformed++;
        if (samples.length < MALFORMED_SAMPLE_LIMIT)
          samples.push({
            line,
            reason: `weight in column '${plan.weight.column}' is not a non-negative number`,
          });
        return;
      }
    }
    if (plan.sampleValuesForIdentifiers && sampled < IDENTIFIER_SAMPLE_ROWS) {
      sampled++;
      plan.columns.forEach((column, c) => {
        const v = values[c];
        const kind = v == null ? undefined : identifierKindOfValue(v);
        if (kind) hint(column, kind, 'sample');
      });
    }
    if (plan.consent) {
      const raw = values[plan.consent.columnIndex];
      if (raw == null || !plan.consent.values.has(normaliseValue(raw))) {
        excluded++;
        return;
      }
    }
    const positive = referenceLabelState(plan.label, values);
    const groups = plan.attributes.map((a, i) => {
      let group = groupOf(a, values[a.columnIndex] ?? null);
      if (a.kind === 'values' && typeof group === 'string' && !tallies[i]!.has(group)) {
        const kind = identifierKindOfValue(group);
        if (kind) {
          hint(a.column, kind, 'group-value');
          group = UNMAPPED;
        }
      }
      if (group === MISSING) missing[i]!++;
      else if (group === UNMAPPED) unmapped[i]!++;
      else {
        let t = tallies[i]!.get(group as string);
        if (!t) {
          if (tallies[i]!.size >= MAX_GROUPS_PER_ATTRIBUTE)
            throw new InputError('TOO_MANY_GROUPS', 'too many');
          t = emptyTally();
          tallies[i]!.set(group as string, t);
        }
        addToTally(t, weight, positive);
      }
      return group;
    });
    plan.intersections.forEach((x, j) => {
      const members = x.attributes.map((m) => groups[m]);
      if (members.some((g) => typeof g === 'number')) {
        incomplete[j]!++;
        return;
      }
      const name = members.join('|');
      let t = cells[j]!.get(name);
      if (!t) {
        t = emptyTally();
        cells[j]!.set(name, t);
      }
      addToTally(t, weight, positive);
    });
  });
  const sorted = (m: Map<string, Tally>) =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([group, t]) => ({ group, ...t }));
  return {
    schema: PROFILE_SCHEMA_ID,
    columns: [...plan.columns],
    rows: { read, used: read - malformed - excluded, excludedNoConsent: excluded, malformed },
    attributes: plan.attributes.map((a, i) => ({
      name: a.name,
      column: a.column,
      groups: sorted(tallies[i]!),
      missing: missing[i]!,
      unmapped: unmapped[i]!,
    })),
    intersections: plan.intersections.map((x, j) => ({
      name: x.name,
      purpose: x.purpose,
      attributes: x.attributes.map((i) => plan.attributes[i]!.name),
      cells: sorted(cells[j]!),
      incomplete: incomplete[j]!,
    })),
    malformedSamples: samples.sort((a, b) => a.line - b.line),
    identifierHints: [...hints.entries()]
      .map(([key, matched]) => {
        const [column, kind, source] = JSON.parse(key) as [string, IdentifierKind, 'sample' | 'group-value'];
        return { column, kind, source, matched, sampled: source === 'sample' ? sampled : 0 };
      })
      .sort((x, y) => {
        const a = `${x.column}\u0000${x.kind}\u0000${x.source}`;
        const b = `${y.column}\u0000${y.kind}\u0000${y.source}`;
        return a < b ? -1 : a > b ? 1 : 0;
      }),
  };
}

/** sex (groups), age (bins), state (values with reference spellings), consent, label, weight, contact. */
const MANIFEST = `
dataset: t
weight: w
consent: { column: consent, granted: ["yes", "1"] }
label: { column: y, positive: ["1", "true"] }
privacy: { sampleValuesForIdentifiers: true }
attributes:
  - { name: sex, column: sex, groups: { female: [f, w], male: [m], "a|b": [ab] }, missing: ["", n/a] }
  - { name: age_band, column: age, bins: [0, 18, 65] }
  - { name: state, column: state, reference: de-2023/state }
  - { name: contact, column: contact }
intersections: [[sex, age_band], [sex, state, contact]]
`;

function planOf(text = MANIFEST): CountingPlan {
  return buildPlan(parseManifest(text, 'm.yaml'), (ref) =>
    ref === 'de-2023/state' ? ['Bayern', 'Berlin', 'Baden-Württemberg'] : undefined,
  );
}

const value = (choices: string[]) => fc.option(fc.constantFrom(...choices), { nil: null, freq: 8 });
const PLAN = planOf();
const rowArbitrary = fc
  .record({
    sex: value(['f', ' F ', 'W', 'm', 'M', 'x', '', 'n/a', 'N/A', 'ab', 'AB', 'female', 'Ｆ', 'a|b']),
    age: value(['0', '17', '17.9', '18', ' 64 ', '65', '1e2', '-1', 'abc', '', 'NA', '0x10', 'Infinity']),
    state: value([
      'Bayern',
      'bayern',
      ' BERLIN ',
      'Hessen',
      'hessen',
      'a|b',
      'Baden-Wu\u0308rttemberg',
      'unknown',
      '',
    ]),
    consent: value(['yes', ' YES', 'no', '1', '0', '']),
    y: value(['1', 'true', 'TRUE', '0', 'no', '', ' NA ', 'maybe']),
    w: value(['1', '2.5', '0', '-1', 'abc', '1e3', '']),
    contact: value(['a@example.com', 'x', 'X', '+49 30 1234567', 'b@example.org', '', 'c|d']),
  })
  .map((r) => PLAN.columns.map((c) => (r as Record<string, Value>)[c] ?? null));

function fastProfile(plan: CountingPlan, rows: readonly (readonly Value[])[], viaCodes: boolean): Profile {
  const builder = new ProfileBuilder(plan);
  const codes = new Int32Array(plan.columns.length);
  rows.forEach((values, r) => {
    if (!viaCodes) {
      builder.row(values, r + 2);
      return;
    }
    // As the CSV reader does: a code for every non-null value the builder numbers.
    values.forEach((v, k) => {
      codes[k] = v === null ? NO_CODE : builder.codeOf(k, v);
    });
    builder.rowCodes(codes, values, r + 2);
  });
  return builder.toProfile();
}

/** For random rows, the builder through row() and through codes gives the reference profile. */
function expectSameAsReference(plan: CountingPlan, run: { seed: number; numRuns: number }): void {
  fc.assert(
    fc.property(fc.array(rowArbitrary, { maxLength: 80 }), (rows) => {
      const expected = referenceProfile(plan, rows);
      expect(fastProfile(plan, rows, false)).toEqual(expected);
      expect(fastProfile(plan, rows, true)).toEqual(expected);
    }),
    run,
  );
}

describe('ProfileBuilder counts as the plain per-row rules do', () => {
  it('through row() and through codes, for random rows', () => {
    expect(PLAN.columns).toEqual(['sex', 'age', 'state', 'contact', 'consent', 'y', 'w']);
    expectSameAsReference(PLAN, { seed: 7, numRuns: 300 });
  });

  it('with declared negatives, a label in neither list is other, a missing one missing', () => {
    const plan = planOf(
      MANIFEST.replace('positive: ["1", "true"]', 'positive: ["1", "true"], negative: ["0"]'),
    );
    expect(plan.label?.negative).toEqual(new Set(['0']));
    expectSameAsReference(plan, { seed: 8, numRuns: 100 });
    const rows = [
      ['f', '20', 'Bayern', 'x', 'yes', 'maybe', '1'],
      ['f', '20', 'Bayern', 'x', 'yes', '', '1'],
    ];
    const female = fastProfile(plan, rows, true).attributes[0]!.groups.find((g) => g.group === 'female')!;
    expect([female.count, female.labelOther, female.labelMissing, female.positives]).toEqual([2, 1, 1, 0]);
  });

  it('when a column has more distinct values than the cache keeps', () => {
    const plan = planOf('dataset: t\nattributes: [{ name: age_band, column: age, bins: [0, 18, 65] }]');
    const rows = Array.from({ length: VALUE_CACHE_LIMIT + 500 }, (_, i) => [
      i % 7 === 0 ? `  ${i / 10} ` : String(i / 10),
    ]);
    const twice = [...rows, ...rows];
    expect(fastProfile(plan, twice, true)).toEqual(referenceProfile(plan, twice));
    expect(fastProfile(plan, twice, false)).toEqual(referenceProfile(plan, twice));
  });

  it('adds up cells whose names coincide (group names with |)', () => {
    const plan = planOf(
      'dataset: t\nattributes: [{ name: p, column: p }, { name: q, column: q }]\nintersections: [[p, q]]',
    );
    const rows = [
      ['a|b', 'c'],
      ['a', 'b|c'],
      ['a', 'b|c'],
    ];
    const profile = fastProfile(plan, rows, true);
    expect(profile.intersections[0]!.cells.map((c) => [c.group, c.count])).toEqual([['a|b|c', 3]]);
    expect(profile).toEqual(referenceProfile(plan, rows));
  });

  it('refuses the value that would make group 1001, whether it arrives by code or by text', () => {
    const plan = planOf('dataset: t\nattributes: [{ name: s, column: free_text }]');
    for (const viaCodes of [false, true]) {
      const rows = Array.from({ length: MAX_GROUPS_PER_ATTRIBUTE + 1 }, (_, i) => [`value ${i}`]);
      expect(() => fastProfile(plan, rows.slice(0, -1), viaCodes)).not.toThrow();
      expect(() => fastProfile(plan, rows, viaCodes)).toThrow(/more than 1000 distinct values/);
    }
  });

  it('checkGroupLimits refuses a merge that passes the limit, as one pass would', () => {
    const plan = planOf('dataset: t\nattributes: [{ name: s, column: free_text }]');
    const half = (from: number) =>
      fastProfile(
        plan,
        Array.from({ length: 600 }, (_, i) => [`value ${from + i}`]),
        true,
      );
    const merged = mergeProfiles(half(0), half(600));
    expect(() => checkGroupLimits(merged, plan)).toThrow(InputError);
    expect(() => checkGroupLimits(half(0), plan)).not.toThrow();
  });

  it('counts rows read as it goes', () => {
    const builder = new ProfileBuilder(PLAN);
    builder.row(
      PLAN.columns.map(() => null),
      2,
    );
    builder.malformed(3, 'x');
    expect(builder.rowsRead).toBe(2);
  });
});

/** The label state of a row, from the plan's lists: positive, negative, missing (no value), other. */
function referenceLabelState(label: CountingPlan['label'], values: readonly Value[]): LabelState {
  if (label === null) return LABEL_NEGATIVE;
  const raw = values[label.columnIndex];
  if (raw == null) return LABEL_MISSING;
  const key = normaliseValue(raw);
  if (label.values.has(key)) return LABEL_POSITIVE;
  if (label.negative?.has(key)) return LABEL_NEGATIVE;
  if (label.missing.has(key)) return LABEL_MISSING;
  return label.negative === null ? LABEL_NEGATIVE : LABEL_OTHER;
}
