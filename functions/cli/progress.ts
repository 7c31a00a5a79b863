import { SingleBar } from 'cli-progress';
import type { ProfileProgress } from '../pipeline/profile-stage.ts';
import type { CliEnvironment } from './env.ts';

export interface ProgressReporter<T> {
  update(progress: T): void;
  stop(): void;
}

type Payload = Record<string, string>;

/**
 * A progress bar on stderr when it is a terminal (env.progress), else nothing. `read` turns an
 * update into bytes done of all and the bar's payload, given the seconds since the first update.
 */
function byteBar<T>(
  env: CliEnvironment,
  format: string,
  read: (progress: T, seconds: number) => { done: number; total: number; payload: Payload },
): ProgressReporter<T> {
  if (!env.progress) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: true });
  const started = Date.now();
  let active = false;
  return {
    update(progress) {
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      const { done, total, payload } = read(progress, seconds);
      if (!active) {
        bar.start(total, done, payload);
        active = true;
      } else bar.update(done, payload);
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/** Profiling: bytes read of all, MB/s, rows/s. */
export function profileProgress(env: CliEnvironment): ProgressReporter<ProfileProgress> {
  return byteBar<ProfileProgress>(
    env,
    'profiling {bar} {percentage}% | {value_mb}/{total_mb} MB | {rate} MB/s | {rows} rows, {row_rate} rows/s',
    (p, seconds) => {
      const bytes = Math.min(p.bytesRead, p.bytesTotal);
      return {
        done: bytes,
        total: p.bytesTotal,
        payload: {
          value_mb: megabytes(bytes),
          total_mb: megabytes(p.bytesTotal),
          rate: megabytes(bytes / seconds),
          rows: p.rowsRead.toLocaleString('en'),
          row_rate: Math.round(p.rowsRead / seconds).toLocaleString('en'),
        },
      };
    },
  );
}

/** Uploading `totalBytes`: updated with the bytes sent so far; MB sent of all, MB/s. */
export function uploadProgress(env: CliEnvironment, totalBytes: number): ProgressReporter<number> {
  return byteBar<number>(
    env,
    'uploading {bar} {percentage}% | {value_mb}/{total_mb} MB | {rate} MB/s',
    (sent, seconds) => {
      const bytes = Math.min(sent, totalBytes);
      return {
        done: bytes,
        total: totalBytes,
        payload: {
          value_mb: megabytes(bytes),
          total_mb: megabytes(totalBytes),
          rate: megabytes(bytes / seconds),
        },
      };
    },
  );
}
