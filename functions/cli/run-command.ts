import path from 'node:path';
import { FileObjectStore } from '../adapters/local/file-object-store.ts';
import { lakeKeys, sitePath } from '../core/lake/layout.ts';
import { mergeCatalogues } from '../core/references/reference.ts';
import type { ProfileParallelism } from '../pipeline/parallel-profile.ts';
import { loadDroppedReferences } from '../pipeline/references.ts';
import type { RunRootContext, RunRootResult } from '../pipeline/run-root.ts';
import { localProfiler, type ProfileEngine } from './analyse-file.ts';
import type { CliEnvironment } from './env.ts';
import { verdictLines } from './format-report.ts';
import { codeVersion, loadCatalogue, stderrLogger, systemClock } from './local.ts';
import { profileProgress } from './progress.ts';

/** Exit codes: 0 pass or warn, 1 fail (or an alert with --fail-on-alert), 2 bad input or usage, 3 internal error. */
export const EXIT = { ok: 0, fail: 1, badInput: 2, internal: 3 } as const;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface LakeRunOptions {
  readonly root: string;
  readonly reference: string[];
  readonly verbose?: boolean;
  readonly threads: number;
  readonly engine: ProfileEngine;
  /** Exit 1 when a run of this call raised an alert. */
  readonly failOnAlert?: boolean;
}

export type WithThreads = <T>(
  threads: number,
  work: (parallel: ProfileParallelism) => Promise<T>,
) => Promise<T>;

/**
 * Builds the local pipeline over a bucket folder (filesystem lake, DuckDB, the profiler of
 * `--engine`, the references) and runs `work` with it; `work` is called again for each pass of
 * `--watch`. The catalogue is read once per call of `work`, so a reference dropped in between counts.
 */
export async function withLocalPipeline<T>(
  opts: LakeRunOptions,
  env: CliEnvironment,
  withThreads: WithThreads,
  work: (context: () => Promise<RunRootContext>) => Promise<T>,
): Promise<T> {
  const store = new FileObjectStore(opts.root);
  const { DuckDbQueryEngine } = await import('../adapters/local/duckdb-query-engine.ts');
  const engine = new DuckDbQueryEngine(store.root);
  const bar = profileProgress(env);
  try {
    const version = await codeVersion();
    // Loaded on demand: publishing pulls in the site stack (vega, preact), which `profile`
    // and `check` never need; keeping it out of their start-up keeps their memory down.
    const { renderSite } = await import('../../web/site.tsx');
    return await withThreads(opts.threads, async (parallel) => {
      const profiler = await localProfiler(store, opts.engine, parallel);
      return work(async () => ({
        store,
        engine,
        profiler,
        catalogue: mergeCatalogues([
          await loadCatalogue(opts.reference),
          ...(await loadDroppedReferences(store)),
        ]),
        clock: systemClock,
        logger: stderrLogger(Boolean(opts.verbose)),
        codeVersion: version,
        onProgress: bar.update,
        renderSite,
      }));
    });
  } finally {
    bar.stop();
    engine.close();
  }
}

/**
 * Prints what a run over a bucket folder did, one block per dataset (SAME for unchanged inputs),
 * one SKIP line per dataset with nothing to run (and why), then one ALERT line per alert, and returns the exit code: 2 when a dataset could not be
 * analysed, 1 on a fail verdict (or an alert with `failOnAlert`), else 0.
 */
export function printRunResult(
  result: RunRootResult,
  root: string,
  io: CliIo,
  failOnAlert: boolean,
  what = 'datasets',
): number {
  const store = new FileObjectStore(root);
  for (const o of result.outcomes) {
    if (o.duplicate) {
      io.stdout(
        `SAME  ${o.dataset}  inputs unchanged since run ${o.report.run.id} (${o.report.status}); no new run\n`,
      );
    } else if (o.error) {
      io.stdout(`${o.report.status.toUpperCase().padEnd(5)} ${o.dataset}  \n      ${o.error.message}\n`);
    } else {
      io.stdout(verdictLines(o.report, `${lakeKeys.site}${sitePath.run(o.dataset, o.report.run.id)}`));
      // A compare-only run says where its counts came from (its raw upload expired).
      for (const w of o.report.warnings) if (w.code === 'recompared') io.stdout(`      ${w.message}\n`);
    }
  }
  for (const s of result.skipped) io.stdout(`SKIP  ${s.dataset}  ${s.reason}\n`);
  for (const a of result.alerts) io.stdout(`ALERT ${a.message}\n`);
  if (result.outcomes.length === 0 && result.skipped.length === 0) {
    io.stderr(
      what === 'datasets'
        ? `repscope: no datasets under ${path.join(root, 'datasets')}; expected ${lakeKeys.manifest('<id>')} and ${lakeKeys.dataFile('<id>', '<version>', '<file>')}\n`
        : `repscope: no ${what} under ${path.join(root, 'datasets')}\n`,
    );
  }
  io.stdout(`site: ${store.pathOf(`${lakeKeys.site}${sitePath.index}`)} (${result.siteFiles} files)\n`);
  if (result.outcomes.some((o) => o.error || o.report.status === 'error')) return EXIT.badInput;
  if (result.outcomes.some((o) => o.report.status === 'fail')) return EXIT.fail;
  if (failOnAlert && result.alerts.length > 0) return EXIT.fail;
  return EXIT.ok;
}
