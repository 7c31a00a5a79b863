import { describe, expect, it } from 'vitest';
import { alertsOfRun, buildDatasetHistory } from '../../../../functions/core/history/series.ts';
import { runReport } from '../../../fixtures/history.ts';

const even = { name: 'sex', total: 1000, shares: { female: 0.5, male: 0.5 } };
const skewed = { name: 'sex', total: 1000, shares: { female: 0.3, male: 0.7 } };

describe('buildDatasetHistory', () => {
  it('orders runs by time and compares each with the previous one and the baseline', () => {
    const history = buildDatasetHistory(
      'leads',
      [
        runReport('20261203T000000Z', 'fail', [skewed], { maxDriftTvd: 0.1 }),
        runReport('20261201T000000Z', 'pass', [even], { maxDriftTvd: 0.1 }),
        runReport('20261202T000000Z', 'pass', [even], { maxDriftTvd: 0.1 }),
      ],
      '20261201T000000Z',
    );
    expect(history.points.map((p) => p.run)).toEqual([
      '20261201T000000Z',
      '20261202T000000Z',
      '20261203T000000Z',
    ]);
    expect(history.baseline).toBe('20261201T000000Z');
    expect(history.drifts.map((d) => `${d.from}>${d.to}:${d.against}`)).toEqual([
      '20261201T000000Z>20261202T000000Z:previous',
      '20261202T000000Z>20261203T000000Z:previous',
      '20261201T000000Z>20261203T000000Z:baseline',
    ]);
    expect(alertsOfRun(history, '20261202T000000Z')).toEqual([]);
    const alerts = alertsOfRun(history, '20261203T000000Z');
    expect(alerts.map((a) => `${a.kind}:${a.against}`)).toEqual([
      'status:previous',
      'drift:previous',
      'drift:baseline',
    ]);
    expect(alerts[0]!.message).toBe(
      'leads: run 20261203T000000Z is FAIL, worse than PASS in run 20261202T000000Z',
    );
    expect(alerts[1]).toMatchObject({ attribute: 'sex', threshold: 0.1 });
    expect(alerts[1]!.tvd).toBeCloseTo(0.2, 12);
    expect(alerts[1]!.message).toBe(
      'leads: sex drifted by TVD 0.200 (above 0.1) since the previous run 20261202T000000Z',
    );
  });

  it('raises no drift alert without maxDriftTvd, and none for a verdict that improves', () => {
    const history = buildDatasetHistory(
      'leads',
      [runReport('20261201T000000Z', 'fail', [even]), runReport('20261202T000000Z', 'pass', [skewed])],
      null,
    );
    expect(history.alerts).toEqual([]);
    expect(history.drifts[0]!.attributes[0]!.tvd).toBeCloseTo(0.2, 12);
  });

  it('takes the worst ratio of each attribute from the visible groups', () => {
    const report = runReport('20261201T000000Z', 'pass', [even]);
    const groups = report.attributes[0]!.groups;
    const history = buildDatasetHistory(
      'leads',
      [
        {
          ...report,
          attributes: [
            {
              ...report.attributes[0]!,
              groups: [
                { ...groups[0]!, ratio: 0.7 },
                { ...groups[1]!, ratio: 1.5 },
              ],
            },
          ],
        },
      ],
      null,
    );
    expect(history.points[0]!.attributes[0]!.worst).toEqual({ group: 'male', ratio: 1.5 });
  });
});
