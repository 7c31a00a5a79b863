import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLocalPipeline } from '../../functions/cli/run-command.ts';
import { watchRoot } from '../../functions/cli/watch-command.ts';
import { runRoot } from '../../functions/pipeline/run-root.ts';
import { tempDir } from '../fixtures/cli.ts';
import { LEADS_MANIFEST, leadsCsv, skewedLeads } from '../fixtures/leads.ts';

describe('repscope run --watch', () => {
  it('processes each new upload once, as an upload run, and ends cleanly when stopped', async () => {
    const { dir: root, cleanup } = await tempDir();
    const put = async (key: string, body: string) => {
      const file = path.join(root, ...key.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, body);
    };
    let out = '';
    const write = (t: string) => {
      out += t;
    };
    const io = { stdout: write, stderr: write };
    const controller = new AbortController();
    try {
      await put('datasets/watched/repscope.yaml', LEADS_MANIFEST.replace('leads-fixture', 'watched'));
      const code = await withLocalPipeline(
        { root, reference: [], threads: 1, engine: 'stream' },
        { debug: false, progress: false, port: '0' },
        (_threads, work) => work({ threads: 1 }),
        async (context) => {
          const watching = watchRoot(
            { root, signal: controller.signal, intervalMs: 40, debounceMs: 40 },
            io,
            async () => runRoot(await context(), 'upload'),
          );
          const until = async (pattern: RegExp) => {
            for (let i = 0; i < 400 && !pattern.test(out); i++) await new Promise((r) => setTimeout(r, 25));
          };
          await until(/watching /);
          await put('datasets/watched/v1/leads.csv', leadsCsv(skewedLeads(400, 21)));
          await until(/^(PASS|WARN|FAIL) +watched /m);
          await put('datasets/watched/v2/leads.csv', leadsCsv(skewedLeads(400, 22)));
          await until(/^(PASS|WARN|FAIL) +watched [\s\S]*^(PASS|WARN|FAIL) +watched /m);
          controller.abort();
          return watching;
        },
      );
      expect(code).toBe(0);
      expect(out.match(/^(PASS|WARN|FAIL) +watched /gm)).toHaveLength(2);
      expect(out).toMatch(/watch ended\n$/);
    } finally {
      await cleanup();
    }
  }, 60_000);
});
