import { describe, expect, it } from 'vitest';
import { waitForReport } from '../../../functions/cli/wait-for-report.ts';
import { lakeKeys } from '../../../functions/core/lake/layout.ts';
import { sampleReport } from '../../fixtures/reports.ts';
import { rejection } from '../../fixtures/scan/builders.ts';
import { memoryStore } from '../pipeline/memory-store.ts';

const CLAIM = lakeKeys.claim('leads', 'abc123');
const RUN = '20261206T031500Z-abc123';

/**
 * A fake clock whose sleeps advance it, and a pipeline that writes the claim and the report at
 * given times, so the polling runs without real waiting.
 */
function scenario(events: {
  claimAtMs?: number;
  reportAtMs?: number;
  claimBody?: string;
  reportBody?: string;
}) {
  const store = memoryStore({});
  let now = 0;
  const sleeps: number[] = [];
  const pipeline = async () => {
    if (events.claimAtMs !== undefined && now >= events.claimAtMs && !(await store.head(CLAIM)))
      await store.write(CLAIM, events.claimBody ?? JSON.stringify({ run: RUN }));
    const reportKey = lakeKeys.report('leads', RUN);
    if (events.reportAtMs !== undefined && now >= events.reportAtMs && !(await store.head(reportKey)))
      await store.write(
        reportKey,
        events.reportBody ?? JSON.stringify({ ...sampleReport(), status: 'warn' }),
      );
  };
  const wait = async (timeoutSec: number, onRun?: (run: string) => void) => {
    await pipeline();
    return waitForReport({
      store,
      dataset: 'leads',
      claimKey: CLAIM,
      timeoutSec,
      ...(onRun ? { onRun } : {}),
      nowMs: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
        await pipeline();
      },
    });
  };
  return { wait, sleeps, elapsed: () => now };
}

describe('waitForReport', () => {
  it('waits for the claim, then for the run it names, and returns the report', async () => {
    const s = scenario({ claimAtMs: 3000, reportAtMs: 40_000 });
    const runs: string[] = [];
    const outcome = await s.wait(900, (run) => runs.push(run));
    expect(outcome).toMatchObject({ kind: 'report', run: RUN, report: { status: 'warn' } });
    expect(runs).toEqual([RUN]);
    expect(s.elapsed()).toBeGreaterThanOrEqual(40_000);
    // Backoff: each interval half as long again as the one before, never above 5 s.
    expect(s.sleeps.slice(0, 3)).toEqual([250, 375, 562.5]);
    expect(Math.max(...s.sleeps)).toBe(5000);
  });

  it('finds a report that is already there without sleeping', async () => {
    const s = scenario({ claimAtMs: 0, reportAtMs: 0 });
    expect((await s.wait(1)).kind).toBe('report');
    expect(s.sleeps).toEqual([]);
  });

  it('times out at the deadline, naming the claim when no run was claimed', async () => {
    const s = scenario({});
    expect(await s.wait(2)).toEqual({ kind: 'timeout', waitedFor: CLAIM });
    expect(s.elapsed()).toBe(2000);
  });

  it('times out naming the report when the run was claimed but never reported', async () => {
    const s = scenario({ claimAtMs: 500 });
    expect(await s.wait(10)).toEqual({
      kind: 'timeout',
      waitedFor: lakeKeys.report('leads', RUN),
      run: RUN,
    });
    expect(s.elapsed()).toBe(10_000);
  });

  it('refuses a claim without a run id and a report that is not a report', async () => {
    const noRun = await rejection(scenario({ claimAtMs: 0, claimBody: '{"claimedAt": "x"}' }).wait(1));
    expect(noRun).toMatchObject({ code: 'STORE_FAILED' });
    expect(noRun.message).toContain('a run claim without a run id');
    const notReport = await rejection(
      scenario({ claimAtMs: 0, reportAtMs: 0, reportBody: '{"status": "pass"}' }).wait(1),
    );
    expect(notReport.message).toMatch(/report\.json: not a repscope\/report@1 report \(/);
    const notJson = await rejection(scenario({ claimAtMs: 0, reportAtMs: 0, reportBody: '<html>' }).wait(1));
    expect(notJson.message).toContain("not JSON; expected the pipeline's JSON");
  });
});
