import { StoreError } from '../core/errors.ts';
import { lakeKeys } from '../core/lake/layout.ts';
import type { ObjectStore } from '../core/ports.ts';
import { type Report, reportSchema } from '../core/report/schema.ts';
import { readText } from '../pipeline/io.ts';

export interface WaitForReportInput {
  /** The bucket the pipeline writes its claims and reports to. */
  readonly store: ObjectStore;
  readonly dataset: string;
  /** Where the pipeline writes the run id of the uploaded object (pipeline/claim-run.ts). */
  readonly claimKey: string;
  readonly timeoutSec: number;
  /** Called once, when the claim names the run. @default - nothing */
  readonly onRun?: (run: string) => void;
  /** @default - setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds on a steady clock. @default - performance.now */
  readonly nowMs?: () => number;
}

export type WaitOutcome =
  | { readonly kind: 'report'; readonly run: string; readonly report: Report }
  /** `waitedFor` is the key that did not appear: the claim, or the claimed run's report. */
  | { readonly kind: 'timeout'; readonly waitedFor: string; readonly run?: string };

/** The first poll waits this long, each next one half as long again, up to POLL_MAX_MS. */
const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 5000;

/**
 * Polls, with a growing interval, for the claim of an uploaded object and then for the report
 * of the run it names, until `timeoutSec` has passed: the run is started by the deployed pipeline
 * (an S3 event), so the claim is the only way to learn its id.
 *
 * @throws StoreError when a claim holds no run id, a report is not a report@1, or the store fails
 */
export async function waitForReport(input: WaitForReportInput): Promise<WaitOutcome> {
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const nowMs = input.nowMs ?? (() => performance.now());
  const deadline = nowMs() + input.timeoutSec * 1000;
  let delay = POLL_FIRST_MS;
  /** Looks for `key` until the deadline; true once it exists. */
  const appears = async (key: string): Promise<boolean> => {
    for (;;) {
      if (await input.store.head(key)) return true;
      const left = deadline - nowMs();
      if (left <= 0) return false;
      await sleep(Math.min(delay, left));
      delay = Math.min(POLL_MAX_MS, delay * 1.5);
    }
  };
  if (!(await appears(input.claimKey))) return { kind: 'timeout', waitedFor: input.claimKey };
  const run = await readClaim(input.store, input.claimKey);
  input.onRun?.(run);
  const reportKey = lakeKeys.report(input.dataset, run);
  if (!(await appears(reportKey))) return { kind: 'timeout', waitedFor: reportKey, run };
  return { kind: 'report', run, report: await readReport(input.store, reportKey) };
}

async function readClaim(store: ObjectStore, key: string): Promise<string> {
  const claim = parseJson(store, key, await readText(store, key)) as { run?: unknown } | null;
  if (typeof claim?.run !== 'string') {
    throw new StoreError(`${store.uri(key)}: a run claim without a run id; expected {"run": "<run id>"}`);
  }
  return claim.run;
}

async function readReport(store: ObjectStore, key: string): Promise<Report> {
  const parsed = reportSchema.safeParse(parseJson(store, key, await readText(store, key, 256 << 20)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreError(
      `${store.uri(key)}: not a repscope/report@1 report (${issue?.path.join('.') || 'top level'}: ${issue?.message})`,
    );
  }
  return parsed.data;
}

function parseJson(store: ObjectStore, key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new StoreError(`${store.uri(key)}: not JSON; expected the pipeline's JSON`, { cause });
  }
}
