import { describe, expect, it } from 'vitest';
import { ReferencePopulationError } from '../../../../functions/core/errors.ts';
import {
  parseReferenceProvenance,
  parseUserReference,
  provenanceInfo,
  toReferenceCsv,
} from '../../../../functions/core/references/user-reference.ts';

/** `references add`'s validation (issue #18): each kind of problem has its code and a precise message. */
const knownGroups = new Map([
  ['sex', ['female', 'male']],
  ['age_band', ['18-24', '25-34', '35+']],
]);
const options = { fileName: 'market.csv', population: 'market-2026', year: 2026, knownGroups };
const parse = (text: string) => parseUserReference(new TextEncoder().encode(text), options);

async function failure(text: string): Promise<ReferencePopulationError> {
  try {
    await parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ReferencePopulationError);
    return error as ReferencePopulationError;
  }
  throw new Error('expected a ReferencePopulationError');
}

describe('parseUserReference', () => {
  it('reads shares as given and stamps the population and year', async () => {
    const rows = await parse('attribute,group,share\nsex,female,0.47\nsex,Male,0.53\n');
    expect(rows).toEqual([
      {
        population: 'market-2026',
        attribute: 'sex',
        group: 'female',
        count: null,
        share: 0.47,
        sourceYear: 2026,
      },
      {
        population: 'market-2026',
        attribute: 'sex',
        group: 'Male',
        count: null,
        share: 0.53,
        sourceYear: 2026,
      },
    ]);
  });

  it('derives shares from counts when the file has none', async () => {
    const rows = await parse(
      'attribute,group,count\nage_band,18-24,25\nage_band,25-34,25\nage_band,35+,50\n',
    );
    expect(rows.map((r) => [r.group, r.count, r.share])).toEqual([
      ['18-24', 25, 0.25],
      ['25-34', 25, 0.25],
      ['35+', 50, 0.5],
    ]);
  });

  const cases: [string, string, string, RegExp][] = [
    [
      'shares that do not add up to 1',
      'attribute,group,share\nsex,female,0.4\nsex,male,0.5\n',
      'REFERENCE_SHARES_SUM',
      /^market\.csv: shares of sex add up to 0\.90000000; expected 1 \(±0\.000001\)$/,
    ],
    [
      'counts that add up to 0',
      'attribute,group,count\nsex,female,0\nsex,male,0\n',
      'REFERENCE_SHARES_SUM',
      /^market\.csv: counts of sex add up to 0; expected a positive total$/,
    ],
    [
      'a group listed twice (case-insensitively)',
      'attribute,group,share\nsex,female,0.5\nsex,Female,0.5\n',
      'REFERENCE_DUPLICATE_GROUP',
      /^market\.csv line 3: group 'Female' of sex appears again \(first on line 2\); expected each group once$/,
    ],
    [
      'a negative count',
      'attribute,group,count\nsex,female,10\nsex,male,-3\n',
      'REFERENCE_NEGATIVE',
      /^market\.csv line 3, count: -3 is negative; expected a count of 0 or more$/,
    ],
    [
      'a negative share',
      'attribute,group,share\nsex,female,0.5\nsex,male,-0.1\n',
      'REFERENCE_NEGATIVE',
      /^market\.csv line 3, share: -0\.1 is negative; expected a share of 0 or more$/,
    ],
    [
      'a group that matches no group of its attribute',
      'attribute,group,share\nage_band,18-24,0.5\nage_band,16-17,0.5\n',
      'REFERENCE_UNKNOWN_GROUP',
      /^market\.csv line 3: group '16-17' matches no group of age_band; expected one of: 18-24, 25-34, 35\+$/,
    ],
    [
      'an attribute no manifest or reference has',
      'attribute,group,share\nincome,high,1\n',
      'REFERENCE_UNKNOWN_GROUP',
      /^market\.csv line 2: attribute 'income' matches no attribute of the manifests or references; expected one of: age_band, sex$/,
    ],
    [
      'a header without shares or counts',
      'attribute,group,percent\nsex,female,47\n',
      'REFERENCE_INVALID',
      /^market\.csv: the header has no share or count; expected attribute,group,share \(or count\)$/,
    ],
    [
      'a share that is no number',
      'attribute,group,share\nsex,female,half\nsex,male,0.5\n',
      'REFERENCE_INVALID',
      /^market\.csv line 2, share: expected a number, found 'half'$/,
    ],
    [
      'a population column naming another population',
      'population,attribute,group,share\nother,sex,female,1\n',
      'REFERENCE_INVALID',
      /^market\.csv line 2, population: expected 'market-2026' \(the --name\) or nothing$/,
    ],
    [
      'no rows',
      'attribute,group,share\n',
      'REFERENCE_INVALID',
      /^market\.csv: no rows; expected one line per group$/,
    ],
  ];
  for (const [what, text, code, message] of cases) {
    it(`refuses ${what} (${code})`, async () => {
      const error = await failure(text);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    });
  }

  it('writes rows back in the long format, quoting what needs quotes', () => {
    const csv = toReferenceCsv([
      {
        population: 'p-1',
        attribute: 'region',
        group: 'North, "upper"',
        count: null,
        share: 1,
        sourceYear: 2026,
      },
    ]);
    expect(csv).toBe(
      'population,attribute,group,count,share,source_year\np-1,region,"North, ""upper""",,1,2026\n',
    );
  });
});

describe('reference provenance', () => {
  it('cites a URL source as the URL and words as the publisher', () => {
    const p = parseReferenceProvenance(
      JSON.stringify({
        id: 'market-2026',
        title: 'Market',
        source: 'https://example.com/m',
        year: 2026,
        kind: 'market',
      }),
      'references/market-2026.json',
    );
    expect(provenanceInfo(p, 'references/market-2026.csv')).toEqual({
      id: 'market-2026',
      title: 'Market',
      publisher: 'https://example.com/m',
      url: 'https://example.com/m',
      referenceDate: '2026',
      kind: 'market',
      file: 'references/market-2026.csv',
    });
  });

  it('names the field of a bad provenance file', () => {
    expect(() =>
      parseReferenceProvenance(
        JSON.stringify({ id: 'm', title: 't', source: 's', year: 2026, kind: 'guess' }),
        'm.json',
      ),
    ).toThrow(/^m\.json: kind: /);
  });
});
