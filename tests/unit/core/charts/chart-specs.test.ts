import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  attributeChartSpec,
  attributeChartSummary,
  labelRateChartSpec,
  labelRateChartSummary,
  STATUS_LABEL,
  type VegaLiteSpec,
} from '../../../../functions/core/charts/chart-specs.ts';
import { suppressReport } from '../../../../functions/core/privacy/suppress.ts';
import type { AttributeResult } from '../../../../functions/core/report/schema.ts';
import { hostileNamesReport, labelledReport, sampleReport } from '../../../fixtures/reports.ts';
import { compileAndRender, vegaLiteValidator } from './render-spec.ts';

const require = createRequire(import.meta.url);
const schemaPath = require.resolve('vega-lite/vega-lite-schema.json');
const published = suppressReport(sampleReport(), 10);
const [sex, age] = published.attributes as [AttributeResult, AttributeResult];
const hostile = suppressReport(hostileNamesReport(), 10).attributes[0]!;
const labelled = suppressReport(labelledReport(), 10);
const [labelledSex, labelledAge] = labelled.attributes as [AttributeResult, AttributeResult];
const cases: [string, AttributeResult][] = [
  ['sex, suppressed copy (hidden groups)', sex],
  ['age_band, suppressed copy', age],
  ['sex, unsuppressed', sampleReport().attributes[0]!],
  ['hostile group names', hostile],
];

interface Row {
  group: string;
  share: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  referenceShare: number | null;
  status: string;
  hidden: boolean;
  hiddenLabel: string;
}

function rows(spec: VegaLiteSpec): Row[] {
  const data = (spec as { data?: { values?: unknown } }).data;
  return data?.values as Row[];
}

describe('attributeChartSpec: valid Vega-Lite', () => {
  it('the Vega-Lite JSON Schema is where the test expects it', () => {
    expect(existsSync(schemaPath)).toBe(true);
    expect(schemaPath).toMatch(/vega-lite[/\\]build[/\\]vega-lite-schema\.json$/);
  });

  const validate = vegaLiteValidator();

  it('the validator rejects a spec Vega-Lite would reject (a control for the checks below)', () => {
    const broken = { ...attributeChartSpec(age), layer: [{ mark: 'barchart', encoding: {} }] };
    expect(validate(broken)).toBe(false);
  });

  for (const [name, attribute] of cases) {
    it(`validates against vega-lite-schema.json: ${name}`, () => {
      const spec = attributeChartSpec(attribute);
      const ok = validate(spec);
      expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
      expect(ok).toBe(true);
    });

    it(`compiles with vega-lite without warnings and renders with vega: ${name}`, async () => {
      const { messages, svg } = await compileAndRender(attributeChartSpec(attribute));
      expect(messages).toEqual([]);
      expect(svg.startsWith('<svg')).toBe(true);
    });
  }
});

describe('attributeChartSpec: content', () => {
  it('is a layered horizontal chart: bars for the dataset, a rule for the CI, a tick for the reference', () => {
    const spec = attributeChartSpec(age) as unknown as {
      layer: { mark: { type: string }; encoding: Record<string, { field?: string; type?: string }> }[];
    };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['bar', 'rule', 'tick', 'text']);
    const [bar, rule, tick] = spec.layer;
    expect(bar!.encoding['y']).toMatchObject({ field: 'group', type: 'nominal' });
    expect(bar!.encoding['x']).toMatchObject({ field: 'share', type: 'quantitative' });
    expect(bar!.encoding['color']).toMatchObject({ field: 'status' });
    expect(rule!.encoding['x']).toMatchObject({ field: 'ciLow' });
    expect(rule!.encoding['x2']).toMatchObject({ field: 'ciHigh' });
    expect(tick!.encoding['x']).toMatchObject({ field: 'referenceShare' });
  });

  it('inlines only values from the report: per group share, interval, reference share, status', () => {
    const data = rows(attributeChartSpec(age));
    expect(data).toHaveLength(7);
    expect(data[6]).toEqual({
      group: '75+',
      share: age.groups[6]!.share,
      ciLow: age.groups[6]!.ci![0],
      ciHigh: age.groups[6]!.ci![1],
      referenceShare: 0.135,
      status: 'under-represented',
      hidden: false,
      hiddenLabel: '',
    });
    for (const row of data) expect(Object.keys(row)).not.toContain('count');
  });

  it('shows a hidden group as a labelled gap: its row stays, with no share, interval or bar', () => {
    const data = rows(attributeChartSpec(sex));
    expect(data.map((r) => r.group)).toEqual(['female', 'male', 'diverse']);
    expect(data[2]).toMatchObject({
      share: null,
      ciLow: null,
      ciHigh: null,
      hidden: true,
      hiddenLabel: 'hidden',
    });
    expect(data[0]).toMatchObject({
      share: null,
      hidden: true,
      hiddenLabel: 'hidden',
    });
    expect(data[0]!.referenceShare).toBe(0.507);
    const spec = attributeChartSpec(sex) as unknown as { layer: { transform?: unknown[] }[] };
    expect(spec.layer[0]!.transform).toEqual([{ filter: { field: 'hidden', equal: false } }]);
    expect(spec.layer[3]!.transform).toEqual([{ filter: { field: 'hidden', equal: true } }]);
  });

  it('keeps the order of groups from the report on the y axis', () => {
    const spec = attributeChartSpec(age) as unknown as { layer: { encoding: { y: { scale: unknown } } }[] };
    expect(spec.layer[0]!.encoding.y.scale).toEqual({ domain: age.groups.map((g) => g.group) });
  });

  it('has plain-language titles, and colours every shown status the same way in every chart', () => {
    const spec = attributeChartSpec(age) as unknown as {
      title: { text: string };
      layer: { encoding: { x: { title?: string }; color?: { scale: { domain: string[] } } } }[];
    };
    expect(spec.title.text).toBe('age_band: dataset vs reference');
    expect(spec.layer[0]!.encoding.x.title).toBe('Share of rows');
    expect(spec.layer[0]!.encoding.color!.scale.domain).toEqual([
      STATUS_LABEL.under,
      STATUS_LABEL.over,
      STATUS_LABEL.ok,
      STATUS_LABEL['no-reference'],
    ]);
  });

  it('carries a text summary for screen readers as its description', () => {
    const spec = attributeChartSpec(sex);
    expect(spec.description).toBe(attributeChartSummary(sex));
    expect(spec.description).toContain('male: 51.2 % (reference 49.3 %, in line with the reference)');
    expect(spec.description).toContain('diverse: hidden.');
    expect(spec.description).toContain('female: hidden;');
  });

  it('is pure: equal input, equal output, input untouched', () => {
    const input = structuredClone(age);
    expect(attributeChartSpec(input)).toEqual(attributeChartSpec(age));
    expect(input).toEqual(age);
  });
});

interface LabelRow {
  group: string;
  rate: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  hidden: boolean;
  hiddenLabel: string;
}

describe('labelRateChartSpec', () => {
  const validate = vegaLiteValidator();
  const labelCases: [string, AttributeResult][] = [
    ['age_band, suppressed copy (hidden positives)', labelledAge],
    ['sex, suppressed copy', labelledSex],
    ['sex of the sample report (hidden groups)', sex],
    ['hostile group names', hostile],
    ['unsuppressed', labelledReport().attributes[1]!],
  ];

  for (const [name, attribute] of labelCases) {
    it(`validates against vega-lite-schema.json, compiles without warnings and renders: ${name}`, async () => {
      const spec = labelRateChartSpec(attribute)!;
      const ok = validate(spec);
      expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
      expect(ok).toBe(true);
      const { messages, svg } = await compileAndRender(spec);
      expect(messages).toEqual([]);
      expect(svg.startsWith('<svg')).toBe(true);
    });
  }

  it('is undefined for an attribute without label metrics', () => {
    expect(labelRateChartSpec(age)).toBeUndefined();
  });

  it('inlines per group the positive rate and its interval, and draws the overall rate as a rule', () => {
    const spec = labelRateChartSpec(labelledAge) as unknown as {
      data: { values: LabelRow[] };
      layer: { mark: { type: string }; encoding: Record<string, { field?: string }> }[];
      title: { text: string };
    };
    expect(spec.title.text).toBe('age_band: positive rate');
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['bar', 'rule', 'text', 'rule']);
    expect(spec.layer[3]!.encoding['x']!.field).toBe('overall');
    expect((spec.layer[3] as unknown as { data: unknown }).data).toEqual({
      values: [{ overall: labelledAge.labels!.positiveRate }],
    });
    const first = labelledAge.labels!.groups[0]!;
    expect(spec.data.values[0]).toEqual({
      group: '18-24',
      rate: first.positiveRate,
      ciLow: first.ci![0],
      ciHigh: first.ci![1],
      hidden: false,
      hiddenLabel: '',
    });
    for (const row of spec.data.values) expect(Object.keys(row)).not.toContain('positives');
  });

  it('shows hidden positives as a labelled gap, with no rate or interval', () => {
    const rows = (labelRateChartSpec(labelledAge) as unknown as { data: { values: LabelRow[] } }).data.values;
    expect(rows.filter((r) => r.hidden).map((r) => r.group)).toEqual(['65-74', '75+']);
    expect(rows[6]).toEqual({
      group: '75+',
      rate: null,
      ciLow: null,
      ciHigh: null,
      hidden: true,
      hiddenLabel: 'hidden (protects a small count)',
    });
  });

  it('carries a text summary as its description', () => {
    const spec = labelRateChartSpec(labelledAge)!;
    expect(spec.description).toBe(labelRateChartSummary('age_band', labelledAge.labels!));
    expect(spec.description).toContain('18-24: 15.4 % (95 % interval 13.7–17.3 %)');
    expect(spec.description).toContain('75+: hidden');
    expect(spec.description).toContain('Overall 21.8 %.');
  });

  it('is pure: equal input, equal output, input untouched', () => {
    const input = structuredClone(labelledAge);
    expect(labelRateChartSpec(input)).toEqual(labelRateChartSpec(labelledAge));
    expect(input).toEqual(labelledAge);
  });
});
