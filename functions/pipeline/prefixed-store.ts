import type { ObjectStore } from '../core/ports.ts';

/** The part of a store below `prefix`, as a store of its own (keys relative to the prefix). */
export function prefixedStore(store: ObjectStore, prefix: string): ObjectStore {
  const full = (key: string) => `${prefix}${key}`;
  return {
    read: (key, range) => store.read(full(key), range),
    head: async (key) => {
      const info = await store.head(full(key));
      return info && { ...info, key };
    },
    write: (key, body, contentType) => store.write(full(key), body, contentType),
    writeIf: (key, body, condition, contentType) => store.writeIf(full(key), body, condition, contentType),
    list: async (sub) =>
      (await store.list(full(sub))).map((info) => ({ ...info, key: info.key.slice(prefix.length) })),
    uri: (key) => store.uri(full(key)),
  };
}
