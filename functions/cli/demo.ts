import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { DEMO_MARKET_REFERENCE_CSV, DEMO_TWO_REFERENCES_MANIFEST, demoLeadsCsv } from './demo-data.ts';
import { readEnvironment } from './env.ts';
import { REPO_ROOT } from './local.ts';
import { main } from './main.ts';

/**
 * `npm start`: writes the demo bucket (./demo), adds a market estimate as a second reference of
 * sex and age band (`references add`), runs profile → compare → publish on it, then serves the
 * site on localhost. Arguments: [rows] (default 300000), [--no-serve].
 */
async function demo(argv: readonly string[]): Promise<number> {
  const rows = Number(argv.find((a) => /^\d+$/.test(a)) ?? 300_000);
  const serve = !argv.includes('--no-serve');
  const root = path.join(REPO_ROOT, 'demo');
  await rm(root, { recursive: true, force: true });
  const dir = path.join(root, 'datasets', 'marketing-leads');
  await mkdir(path.join(dir, '2026-11-01'), { recursive: true });
  await writeFile(path.join(dir, 'repscope.yaml'), DEMO_TWO_REFERENCES_MANIFEST);
  // The second reference (#18) goes in as a user's would: through `repscope references add`.
  const market = path.join(root, 'market-2026-estimate.csv');
  await writeFile(market, DEMO_MARKET_REFERENCE_CSV);
  const added = await main([
    'references',
    'add',
    market,
    '--root',
    root,
    '--name',
    'market-2026',
    '--title',
    'Online buyers in Germany, 2026 (invented demo estimate)',
    '--source',
    'repscope demo: invented market estimate',
    '--year',
    '2026',
    '--kind',
    'market',
  ]);
  if (added !== 0) return added;
  const out = createWriteStream(path.join(dir, '2026-11-01', 'leads.csv'));
  for (const chunk of demoLeadsCsv(rows)) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  process.stdout.write(`demo: wrote ${rows} synthetic leads to ${path.relative(process.cwd(), dir)}/\n`);
  const code = await main(['run', '--root', root]);
  if (code >= 2) return code;
  if (!serve) return 0;
  return main(['serve', '--site', path.join(root, 'site'), '--port', readEnvironment().port]);
}

process.exitCode = await demo(process.argv.slice(2));
