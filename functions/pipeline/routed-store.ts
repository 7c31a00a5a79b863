import { StoreError } from '../core/errors.ts';
import { LAKE_BUCKET_PREFIXES, LAKE_BUCKETS, type LakeBucket } from '../core/lake/layout.ts';
import type { ObjectInfo, ObjectStore } from '../core/ports.ts';

interface Route {
  readonly prefix: string;
  readonly store: ObjectStore;
}

const byKey = (a: ObjectInfo, b: ObjectInfo) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The lake as one store over the deployment's three buckets (`LAKE_BUCKET_PREFIXES`): each key
 * goes, under its full name, to the store of the bucket that holds its prefix, so the stages keep
 * one `ObjectStore` and the lake's keys stay those of the local folder. A key outside the layout
 * is refused: it has no bucket, and guessing one would put data where its retention and readers
 * are not. A listing whose prefix spans buckets (`''`, `l`) merges theirs in key order.
 */
export function routedStore(stores: Readonly<Record<LakeBucket, ObjectStore>>): ObjectStore {
  const routes: Route[] = LAKE_BUCKETS.flatMap((bucket) =>
    LAKE_BUCKET_PREFIXES[bucket].map((prefix: string) => ({ prefix, store: stores[bucket] })),
  );
  const expected = routes.map((r) => r.prefix).join(', ');
  const storeOf = (key: string): ObjectStore => {
    const route = routes.find((r) => key.startsWith(r.prefix));
    if (!route) throw new StoreError(`no bucket holds the key '${key}': expected a key under ${expected}`);
    return route.store;
  };
  return {
    read: (key, range) =>
      (async function* () {
        yield* storeOf(key).read(key, range);
      })(),
    head: async (key) => storeOf(key).head(key),
    write: async (key, body, contentType) => storeOf(key).write(key, body, contentType),
    writeIf: async (key, body, condition, contentType) =>
      storeOf(key).writeIf(key, body, condition, contentType),
    async list(prefix) {
      const owner = routes.find((r) => prefix.startsWith(r.prefix));
      if (owner) return owner.store.list(prefix);
      const below = routes.filter((r) => r.prefix.startsWith(prefix));
      return (await Promise.all(below.map((r) => r.store.list(r.prefix)))).flat().sort(byKey);
    },
    uri: (key) => storeOf(key).uri(key),
  };
}
