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
      'streams objects up to the fan-out threshold (256 MiB) in one pass at ~140 MB/s a vCPU (gzip, which ' +
      'cannot be split, up to ~30 GB in the timeout); memory is bounded by the number of groups, so the ' +
      'size buys the one full vCPU, not room for data',
  },
  'profile-range': {
    memoryMb: 1769,
    timeout: Duration.minutes(3),
    why: 'one range (64 MiB by default) read and counted in well under a minute on one full vCPU; no Athena',
  },
  merge: {
    memoryMb: 1024,
    timeout: Duration.minutes(10),
    why: 'merges up to 1000 small range profiles (JSON, KBs each): reads in parallel, little CPU',
  },
  'profile-table': {
    memoryMb: 512,
    timeout: Duration.minutes(15),
    why:
      'waits for one GROUPING SETS query over a registered table in Athena (minutes for a TB) and reads ' +
      'back rows per group: waiting, not computing, for up to the Lambda maximum',
  },
  compare: {
    memoryMb: 1024,
    timeout: Duration.minutes(5),
    why:
      'waits for the compare join in Athena (seconds; queued at most minutes), then computes the ' +
      'statistics (exact binomial tests, Monte-Carlo p-values) on rows per group',
  },
  publish: {
    memoryMb: 1769,
    timeout: Duration.minutes(5),
    why:
      'renders every report of the lake (preact pages, Vega SVG charts, the privacy audit per copy): CPU ' +
      'work that grows with the number of runs, and its cold start is the slowest of the handlers',
  },
  rescan: {
    memoryMb: 256,
    timeout: Duration.minutes(2),
    why:
      'lists datasets/, reads each manifest and heads the newest object, then starts one execution per ' +
      'due dataset: a few requests per dataset, no data read',
  },
};
