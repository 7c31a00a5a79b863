import { describe, expect, it } from 'vitest';
import { tvdTrendSpec, worstRatioTrendSpec } from '../../../../functions/core/charts/history-charts.ts';
import { buildDatasetHistory } from '../../../../functions/core/history/series.ts';
import { runReport } from '../../../fixtures/history.ts';
import { compileAndRender, vegaLiteValidator } from './render-spec.ts';

const history = buildDatasetHistory(
  'leads',
  [
    runReport('20261201T000000Z', 'pass', [
      { name: 'sex', total: 1000, shares: { female: 0.5, male: 0.5 } },
      { name: 'state', total: 1000, shares: { a: 0.7, b: 0.3 } },
    ]),
    runReport('20261202T000000Z', 'warn', [
      { name: 'sex', total: 1000, shares: { female: 0.45, male: 0.55 } },
      { name: 'state', total: 1000, shares: { a: 0.7, b: null } },
    ]),
  ],
  null,
);

describe('history trend charts', () => {
  const validate = vegaLiteValidator();
  for (const [name, spec] of [
    ['tvdTrendSpec', tvdTrendSpec(history)],
    ['worstRatioTrendSpec', worstRatioTrendSpec(history)],
  ] as const) {
    it(`${name} validates against Vega-Lite's schema, compiles without warnings and renders`, async () => {
      expect(validate(spec), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      const { messages, svg } = await compileAndRender(spec);
      expect(messages).toEqual([]);
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain('sex');
    });
  }

  it('plots one point per run and attribute where the figure is known, and no point for a hidden one', () => {
    const values = (tvdTrendSpec(history) as { data: { values: { run: string; attribute: string }[] } }).data
      .values;
    // The fixture's reports carry the sample TVD of 0.0165 for every attribute; both runs show it.
    expect(values.map((v) => `${v.run}/${v.attribute}`)).toEqual([
      '20261201T000000Z/sex',
      '20261201T000000Z/state',
      '20261202T000000Z/sex',
      '20261202T000000Z/state',
    ]);
    const worst = (worstRatioTrendSpec(history) as { data: { values: { run: string; group: string }[] } })
      .data.values;
    expect(worst.every((v) => typeof v.group === 'string')).toBe(true);
  });
});
