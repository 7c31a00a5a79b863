import { describe, expect, it } from 'vitest';
import { buildDatasetHistory } from '../../../functions/core/history/series.ts';
import { suppressReport } from '../../../functions/core/privacy/suppress.ts';
import type { Report } from '../../../functions/core/report/schema.ts';
import { renderSite } from '../../../web/site.tsx';
import { sampleReport } from '../../fixtures/reports.ts';

/** Two runs of the sample report (its `diverse` group is hidden), a day apart. */
function runs(): Report[] {
  return ['20240501T120000Z', '20240502T120000Z'].map((id, i) => {
    const r = sampleReport();
    const at = `2024-05-0${i + 1}T12:00:00.000Z`;
    return suppressReport({ ...r, run: { ...r.run, id, startedAt: at, finishedAt: at } }, 10);
  });
}

describe('the dataset page with history', () => {
  it('draws the trend charts and the drift of the latest run, with no figure for a hidden group', async () => {
    const reports = runs();
    const history = buildDatasetHistory('marketing-leads', reports, null);
    const files = await renderSite({
      reports,
      generatedAt: '2024-05-03T00:00:00.000Z',
      histories: [history],
    });
    const page = String(files.find((f) => f.path === 'datasets/marketing-leads/index.html')!.body);
    expect(page.match(/<svg/g)).toHaveLength(2);
    expect(page).toContain('marketing-leads: distance from the reference over time');
    expect(page).toContain('Run 20240502T120000Z against the previous run 20240501T120000Z');
    // sex has a hidden group (diverse): its TVD between runs is not published.
    expect(page).toMatch(/<th scope="row">sex<\/th><td class="num">hidden<\/td>/);
    expect(page).toMatch(/<th scope="row">age_band<\/th><td class="num">0\.000<\/td><td>none<\/td>/);
    expect(page).not.toMatch(/diverse: /);
  });

  it('renders a dataset with one run as before: no history section, no banner', async () => {
    const [only] = runs();
    const history = buildDatasetHistory('marketing-leads', [only!], null);
    const withHistory = await renderSite({ reports: [only!], generatedAt: 'x', histories: [history] });
    const without = await renderSite({ reports: [only!], generatedAt: 'x' });
    expect(withHistory.map((f) => f.body)).toEqual(without.map((f) => f.body));
  });
});
