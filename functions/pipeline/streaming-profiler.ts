import type { ObjectStore, Profiler } from '../core/ports.ts';
import { type ProfileParallelism, profileFileInRanges } from './parallel-profile.ts';

/**
 * The streaming profiler: reads the source's bytes from the store once, decoding only the plan's
 * columns; a big file is split into ranges counted on several threads (see profileFileInRanges).
 * A file read in one pass carries the SHA-256 of its bytes.
 *
 * @param parallelism - @default - one thread: every file is read in one pass on the calling thread
 */
export function streamingProfiler(
  store: ObjectStore,
  parallelism: ProfileParallelism = { threads: 1 },
): Profiler {
  return {
    async profile(plan, source, options) {
      const part = await profileFileInRanges(
        store,
        source,
        plan,
        options.csv,
        parallelism,
        options.onProgress,
      );
      return {
        profile: part.profile,
        header: part.header,
        ...(part.sha256 === undefined ? {} : { sha256: part.sha256 }),
      };
    },
  };
}
