import { describe, expect, it } from 'vitest';
import { formatReport } from '../../../functions/cli/format-report.ts';
import { suppressReport } from '../../../functions/core/privacy/suppress.ts';
import { labelledReport, sampleReport } from '../../fixtures/reports.ts';

describe('formatReport of a published copy', () => {
  for (const format of ['text', 'markdown'] as const) {
    it(`shows hidden totals and withheld statistics as – in ${format}, never as null`, () => {
      for (const report of [sampleReport(), labelledReport()]) {
        expect(formatReport(suppressReport(report, 10), format)).not.toMatch(/\bnull\b/);
      }
      const published = suppressReport(sampleReport(), 10);
      expect(published.rows.used).toBeNull(); // it would give back the 7 and 9 missing rows
      expect(formatReport(published, format)).toContain('used –');
    });
  }
});
