import { Duration } from 'aws-cdk-lib';
import type { LambdaName } from './lambda-bundles.ts';

/** Memory and timeout of one function, with the reason: Lambda gives CPU in proportion to memory. */
export interface LambdaSizing {
  /** 1769 MB is one full vCPU on Lambda; the byte scanners are CPU-bound and single-threaded. */
  readonly memoryMb: number;
  readonly timeout: Duration;
  readonly why: string;
}

/**
 * Every handler of `LAMBDA_HANDLERS` sized here; a handler added there fails type-checking until
 * it has a row, so nothing is deployed at a default size by accident.
 */
export const LAMBDA_SIZING: Record<LambdaName, LambdaSizing> = {
  profile: {
    memoryMb: 1769,
    timeout: Duration.minutes(10),
    why:
      'streams objects up to the fan-out threshold (256 MiB) in one pass at ~140 MB/s a vCPU, then waits ' +
      'for the compare query in Athena (polling up to minutes when queued); memory is bounded by the ' +
      'number of groups, so the size buys the one full vCPU, not room for data',
  },
  'profile-range': {
    memoryMb: 1769,
    timeout: Duration.minutes(3),
    why: 'one range (64 MiB by default) read and counted in well under a minute on one full vCPU; no Athena',
  },
  merge: {
    memoryMb: 1024,
    timeout: Duration.minutes(10),
    why:
      'merges up to 1000 small range profiles (JSON, KBs each) and waits for the compare query; ' +
      'mostly I/O wait, so less CPU than the scanners',
  },
  publish: {
    memoryMb: 1769,
    timeout: Duration.minutes(5),
    why:
      'renders every report of the lake (preact pages, Vega SVG charts, the privacy audit per copy): CPU ' +
      'work that grows with the number of runs, and its cold start is the slowest of the handlers',
  },
};
