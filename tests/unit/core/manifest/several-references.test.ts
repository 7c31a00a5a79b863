import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../../../functions/core/errors.ts';
import { parseManifest } from '../../../../functions/core/manifest/parse.ts';
import { hasOwnThresholds, thresholdsFor } from '../../../../functions/core/manifest/schema.ts';

/** Issue #18: an attribute may name several references, one of them primary. */
const head = 'dataset: a\nattributes:\n';

function errorOf(text: string): string {
  try {
    parseManifest(text, 'repscope.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as Error).message;
  }
  throw new Error('expected a ManifestError');
}

describe('several references per attribute', () => {
  it('keeps one reference as it was: primary and only', () => {
    const m = parseManifest(`${head}  - { name: sex, column: sex, reference: de-2023/sex }\n`, 'm');
    expect(m.attributes[0]).toMatchObject({ reference: 'de-2023/sex', references: ['de-2023/sex'] });
  });

  it('takes the first of a list as primary, in the manifest order', () => {
    const m = parseManifest(
      `${head}  - { name: age, column: age, reference: [de-2023/age_band, market-2026/age_band] }\n`,
      'm',
    );
    expect(m.attributes[0]).toMatchObject({
      reference: 'de-2023/age_band',
      references: ['de-2023/age_band', 'market-2026/age_band'],
    });
  });

  it('takes the entry marked primary: true', () => {
    const m = parseManifest(
      `${head}  - name: age\n    column: age\n    reference: [de-2023/age_band, { id: market-2026/age_band, primary: true }]\n`,
      'm',
    );
    expect(m.attributes[0]!.reference).toBe('market-2026/age_band');
    expect(m.attributes[0]!.references).toEqual(['de-2023/age_band', 'market-2026/age_band']);
  });

  it('has no references when none is named', () => {
    const m = parseManifest(`${head}  - { name: x, column: x }\n`, 'm');
    expect(m.attributes[0]!.reference).toBeUndefined();
    expect(m.attributes[0]!.references).toEqual([]);
  });

  const cases: [string, string, RegExp][] = [
    [
      'a reference listed twice',
      `${head}  - { name: s, column: s, reference: [de-2023/sex, de-2023/sex] }\n`,
      /attributes\[0\]\.reference\[1\]: reference 'de-2023\/sex' is listed twice/,
    ],
    [
      'two primaries',
      `${head}  - { name: s, column: s, reference: [{ id: de-2023/sex, primary: true }, { id: us-2020/sex, primary: true }] }\n`,
      /attributes\[0\]\.reference: 2 references say primary: true; expected at most one/,
    ],
    ['an empty list', `${head}  - { name: s, column: s, reference: [] }\n`, /attributes\[0\]\.reference/],
    [
      'a bad id in a list',
      `${head}  - { name: s, column: s, reference: [de-2023/sex, market] }\n`,
      /attributes\[0\]\.reference/,
    ],
    [
      'thresholds for a population no attribute names',
      `${head}  - { name: s, column: s, reference: de-2023/sex }\nthresholds: { references: { market-2026: { minRatio: 0.7 } } }\n`,
      /thresholds\.references\.market-2026: population 'market-2026' is named by no attribute's reference; expected one of: de-2023/,
    ],
    [
      "a reference's minRatio above the top-level maxRatio",
      `${head}  - { name: s, column: s, reference: de-2023/sex }\nthresholds: { references: { de-2023: { minRatio: 2 } } }\n`,
      /thresholds\.references\.de-2023\.minRatio: expected minRatio < maxRatio/,
    ],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what} with the field path`, () => {
      expect(errorOf(text)).toMatch(message);
    });
  }

  it("judges a population by its own thresholds over the top level's", () => {
    const m = parseManifest(
      `${head}  - { name: s, column: s, reference: [de-2023/sex, market-2026/sex] }\nthresholds: { maxTvd: 0.1, references: { market-2026: { minRatio: 0.7 } } }\n`,
      'm',
    );
    expect(thresholdsFor(m.thresholds, 'market-2026')).toMatchObject({ minRatio: 0.7, maxTvd: 0.1 });
    expect(thresholdsFor(m.thresholds, 'de-2023')).toMatchObject({ minRatio: 0.8, maxTvd: 0.1 });
    expect(hasOwnThresholds(m.thresholds, 'market-2026')).toBe(true);
    expect(hasOwnThresholds(m.thresholds, 'de-2023')).toBe(false);
  });
});
