import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../../../functions/core/errors.ts';
import { declaredTable, parseManifest } from '../../../../functions/core/manifest/parse.ts';
import { manifestJsonSchema } from '../../../../functions/core/manifest/schema.ts';

const designExample = readFileSync(
  path.join(import.meta.dirname, '../../../fixtures/manifests/design-example.yaml'),
  'utf8',
);

function errorOf(text: string): ManifestError {
  try {
    parseManifest(text, 'repscope.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('parseManifest', () => {
  it("parses DESIGN.md's example and applies defaults", () => {
    const m = parseManifest(designExample, 'repscope.yaml');
    expect(m.dataset).toBe('marketing-leads');
    expect(m.attributes.map((a) => a.name)).toEqual(['sex', 'age_band', 'state']);
    expect(m.attributes[1]!.bins).toEqual([0, 18, 25, 35, 45, 55, 65, 75]);
    expect(m.attributes[2]!.column).toBe('address.state');
    expect(m.consent).toEqual({ column: 'consent', granted: ['true', 'yes', '1'] });
    expect(m.thresholds).toEqual({
      minRatio: 0.8,
      maxRatio: 1.25,
      maxTvd: 0.05,
      minGroupCount: 30,
      alpha: 0.05,
    });
    expect(m.privacy.minCellSize).toBe(10);
    expect(m.intersections).toEqual([['sex', 'age_band']]);
  });

  it('reads JSON as well as YAML, and fills default thresholds', () => {
    const m = parseManifest(
      JSON.stringify({
        dataset: 'x1',
        attributes: [{ name: 'sex', column: 'gender', reference: 'us-2020/sex' }],
      }),
      'm.json',
    );
    expect(m.thresholds.minRatio).toBe(0.8);
    expect(m.privacy).toEqual({ minCellSize: 10, sampleValuesForIdentifiers: false });
    expect(m.intersections).toEqual([]);
  });

  it('coerces numeric and boolean group values to strings', () => {
    const m = parseManifest(
      'dataset: a\nattributes:\n  - { name: s, column: s, groups: { yes: [1, true] } }\n',
      'm',
    );
    expect(m.attributes[0]!.groups).toEqual({ yes: ['1', 'true'] });
  });

  const cases: [string, string, RegExp][] = [
    [
      'a bad dataset id',
      'dataset: Marketing Leads\nattributes: [{ name: a, column: a }]',
      /^repscope\.yaml: dataset: expected an id matching/,
    ],
    ['a missing attributes list', 'dataset: ok', /attributes: expected array \(field is required\)/],
    ['an empty attribute list', 'dataset: ok\nattributes: []', /attributes: expected at least one attribute/],
    [
      'an unknown field',
      'dataset: ok\nattribute: []\nattributes: [{ name: a, column: a }]',
      /\(top level\): unknown field 'attribute'/,
    ],
    [
      'an unknown attribute field',
      'dataset: ok\nattributes: [{ name: a, column: a, colum: b }]',
      /attributes\[0\]: unknown field 'colum'/,
    ],
    [
      'a reference without a slash',
      'dataset: ok\nattributes: [{ name: a, column: a, reference: de-2023 }]',
      /attributes\[0\]\.reference: expected <population>\/<attribute>/,
    ],
    [
      'descending bins',
      'dataset: ok\nattributes: [{ name: a, column: a, bins: [0, 30, 18] }]',
      /attributes\[0\]\.bins\[2\]: expected strictly ascending bin edges, found 30 then 18/,
    ],
    [
      'groups and bins together',
      'dataset: ok\nattributes: [{ name: a, column: a, bins: [0], groups: { x: [y] } }]',
      /attributes\[0\]\.bins: expected either groups or bins/,
    ],
    [
      'a wrong format',
      'dataset: ok\nformat: xlsx\nattributes: [{ name: a, column: a }]',
      /format: expected one of "csv", "jsonl", "parquet"/,
    ],
    [
      'an intersection of unknown attributes',
      'dataset: ok\nattributes: [{ name: a, column: a }]\nintersections: [[a, b]]',
      /intersections\[0\]\[1\]: unknown attribute 'b'; expected one of: a/,
    ],
    [
      'a value mapped to two groups (compared as the profiler compares them)',
      'dataset: ok\nattributes: [{ name: a, column: a, groups: { female: [f, w], male: [m, " F"] } }]',
      /^repscope\.yaml: attributes\[0\]\.groups\.male: value ' F' is already mapped to group 'female'$/,
    ],
    [
      'a group value that is also missing (the default missing values included)',
      'dataset: ok\nattributes: [{ name: a, column: a, groups: { female: [f, Unknown] } }]',
      /^repscope\.yaml: attributes\[0\]\.groups\.female: value 'Unknown' is also listed as missing; expected it in one place$/,
    ],
    [
      'duplicate attribute names',
      'dataset: ok\nattributes: [{ name: a, column: a }, { name: a, column: b }]',
      /attributes\[1\]\.name: duplicate attribute name 'a'/,
    ],
    [
      'minRatio above maxRatio',
      'dataset: ok\nthresholds: { minRatio: 2 }\nattributes: [{ name: a, column: a }]',
      /thresholds\.minRatio: expected minRatio < maxRatio/,
    ],
    [
      'alpha out of range',
      'dataset: ok\nthresholds: { alpha: 1.5 }\nattributes: [{ name: a, column: a }]',
      /thresholds\.alpha: /,
    ],
    [
      'a string where a number belongs',
      'dataset: ok\nprivacy: { minCellSize: ten }\nattributes: [{ name: a, column: a }]',
      /privacy\.minCellSize: expected number, found string/,
    ],
    [
      'a label value that is positive and negative',
      'dataset: ok\nlabel: { column: y, positive: ["1", Yes], negative: ["0", " yes"] }\nattributes: [{ name: a, column: a }]',
      /label\.negative\[1\]: value ' yes' is listed as positive and as negative; expected it in one list/,
    ],
    ['a list at the top', '- a\n- b', /expected a mapping with dataset and attributes/],
    ['broken YAML', 'dataset: ok\nattributes: [\n', /repscope\.yaml: not valid YAML at line \d+/],
    [
      'duplicate keys',
      'dataset: a\ndataset: b\nattributes: [{ name: a, column: a }]',
      /not valid YAML at line 2 \(DUPLICATE_KEY\)/,
    ],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what} with the field path`, () => {
      expect(errorOf(text).message).toMatch(message);
    });
  }

  it('exports a JSON Schema that names every top-level field', () => {
    const schema = manifestJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'dataset',
        'attributes',
        'consent',
        'label',
        'weight',
        'thresholds',
        'privacy',
        'intersections',
      ]),
    );
    expect(schema.required.sort()).toEqual(['attributes', 'dataset']);
  });

  it('ships the exported JSON Schema in schemas/, up to date', () => {
    const shipped = JSON.parse(
      readFileSync(path.join(import.meta.dirname, '../../../../schemas/repscope.schema.json'), 'utf8'),
    );
    expect(shipped).toEqual(manifestJsonSchema());
  });

  it('reads the table a manifest declares without validating the rest', () => {
    expect(declaredTable('dataset: a\ntable: { name: leads_rows }\nattributes: not-a-list\n')).toEqual({
      name: 'leads_rows',
    });
    expect(declaredTable('dataset: a\ntable: 42\n')).toEqual({ name: undefined });
    expect(declaredTable('dataset: a\nattributes: []\n')).toBeUndefined();
    expect(declaredTable('just text')).toBeUndefined();
    expect(declaredTable('a: [unclosed')).toBeUndefined();
  });
});
