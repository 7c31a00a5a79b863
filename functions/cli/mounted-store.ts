import path from 'node:path';
import { FileObjectStore } from '../adapters/local/file-object-store.ts';
import { StoreError } from '../core/errors.ts';
import type { ByteRange, ObjectInfo, ObjectStore, WriteCondition } from '../core/ports.ts';

/**
 * A lake with local files mounted at some of its keys: `check` analyses a file where the user
 * keeps it as if it had been uploaded to `datasets/<id>/<version>/`, without copying it. Reads,
 * heads and URIs of a mounted key go to the file (so provenance names the real path); everything
 * else, and every write, goes to the lake.
 *
 * @param mounts - lake key → path of the local file
 */
export function mountFiles(lake: ObjectStore, mounts: ReadonlyMap<string, string>): ObjectStore {
  const targets = new Map<string, { store: FileObjectStore; key: string }>();
  for (const [key, file] of mounts) {
    const absolute = path.resolve(file);
    targets.set(key, { store: new FileObjectStore(path.dirname(absolute)), key: path.basename(absolute) });
  }
  const head = async (key: string): Promise<ObjectInfo | undefined> => {
    const t = targets.get(key);
    if (!t) return lake.head(key);
    const info = await t.store.head(t.key);
    return info && { ...info, key };
  };
  const refuseMounted = (key: string): void => {
    if (targets.has(key)) {
      throw new StoreError(`cannot write ${key}: a local file is mounted there; expected a key of the lake`);
    }
  };
  return {
    read: (key: string, range?: ByteRange) => {
      const t = targets.get(key);
      return t ? t.store.read(t.key, range) : lake.read(key, range);
    },
    head,
    async write(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
      refuseMounted(key);
      await lake.write(key, body, contentType);
    },
    async writeIf(key: string, body: Uint8Array | string, condition: WriteCondition, contentType?: string) {
      refuseMounted(key);
      return lake.writeIf(key, body, condition, contentType);
    },
    async list(prefix: string): Promise<ObjectInfo[]> {
      const mounted: ObjectInfo[] = [];
      for (const key of targets.keys()) {
        const info = key.startsWith(prefix) ? await head(key) : undefined;
        if (info) mounted.push(info);
      }
      const all = [...(await lake.list(prefix)), ...mounted];
      return all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    uri: (key: string) => {
      const t = targets.get(key);
      return t ? t.store.uri(t.key) : lake.uri(key);
    },
  };
}
