import { InputError } from '../core/errors.ts';
import type { ObjectStore } from '../core/ports.ts';

const bare = (etag: string) => etag.replaceAll('"', '');

/**
 * The store as one run must see it: reads of the run's data object are checked against the ETag
 * of the version the run was claimed for, before and after each read, so a re-upload of the same
 * key while the run reads it (its ranges spread over many Lambdas and minutes) stops the run with
 * a clear error instead of merging counts of two versions. The new version has a run of its own.
 */
export function pinnedStore(store: ObjectStore, key: string, etag: string): ObjectStore {
  const check = async () => {
    const now = await store.head(key);
    if (!now || bare(now.etag) !== bare(etag)) {
      throw new InputError(
        'INPUT_UNREADABLE',
        `${store.uri(key)} changed while this run read it (it was claimed for ETag ${bare(etag)}); the new version is analysed by a run of its own`,
      );
    }
  };
  return {
    ...store,
    read: (k, range) => {
      if (k !== key) return store.read(k, range);
      return (async function* () {
        await check();
        yield* store.read(k, range);
        await check();
      })();
    },
    head: (k) => store.head(k),
    write: (k, body, contentType) => store.write(k, body, contentType),
    writeIf: (k, body, condition, contentType) => store.writeIf(k, body, condition, contentType),
    list: (prefix) => store.list(prefix),
    uri: (k) => store.uri(k),
  };
}
