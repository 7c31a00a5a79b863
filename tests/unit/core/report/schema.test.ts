import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { reportJsonSchema, reportSchema } from '../../../../functions/core/report/schema.ts';
import { hostileNamesReport, sampleReport } from '../../../fixtures/reports.ts';

/** report@1 is published as a JSON Schema; reports must validate against that file, not only zod. */
const shippedPath = path.join(import.meta.dirname, '../../../../schemas/report.schema.json');
const shipped = JSON.parse(readFileSync(shippedPath, 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(shipped);

describe('report@1 JSON Schema', () => {
  it('is current with the zod definition (run npm run schemas after changing it)', () => {
    expect(shipped).toEqual(reportJsonSchema());
  });

  it('accepts the sample reports', () => {
    for (const report of [sampleReport(), hostileNamesReport()]) {
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('rejects a report with a wrong schema id, a missing field or a share outside [0, 1]', () => {
    const good = sampleReport();
    expect(validate({ ...good, schema: 'repscope/report@2' })).toBe(false);
    const { rows: _rows, ...withoutRows } = good;
    expect(validate(withoutRows)).toBe(false);
    const badShare = structuredClone(good);
    badShare.attributes[0]!.groups[0]!.share = 1.5;
    expect(validate(badShare)).toBe(false);
    expect(reportSchema.safeParse(badShare).success).toBe(false);
  });

  it('zod rejects NaN and Infinity where JSON would silently turn them into null', () => {
    const nan = structuredClone(sampleReport());
    nan.attributes[0]!.groups[0]!.ratio = Number.NaN;
    expect(reportSchema.safeParse(nan).success).toBe(false);
    const inf = structuredClone(sampleReport());
    inf.attributes[0]!.groups[0]!.ratio = Number.POSITIVE_INFINITY;
    expect(reportSchema.safeParse(inf).success).toBe(false);
  });
});
