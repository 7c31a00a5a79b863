import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StoreError } from '../../core/errors.ts';
import type { ByteRange, ObjectInfo, ObjectStore, WriteCondition } from '../../core/ports.ts';

/**
 * The filesystem as the object store: a key is a path below `root`, `/`-separated. Writes are
 * atomic (temporary file + rename), so a reader never sees half an object.
 */
export class FileObjectStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The absolute path of a key; rejects keys that could leave the root. */
  pathOf(key: string): string {
    if (
      key === '' ||
      key.startsWith('/') ||
      key.includes('\\') ||
      key.includes('\0') ||
      key.split('/').some((part) => part === '..' || part === '.')
    ) {
      throw new StoreError(`invalid object key '${key}': expected a relative path without . or .. segments`);
    }
    return path.join(this.root, ...key.split('/'));
  }

  async *read(key: string, range?: ByteRange): AsyncIterable<Uint8Array> {
    const file = this.pathOf(key);
    const options = range ? { start: range.start, end: Math.max(range.start, range.end - 1) } : {};
    if (range && range.end <= range.start) return;
    const stream = createReadStream(file, { ...options, highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } catch (error) {
      throw new StoreError(`cannot read ${key}: ${describe(error)}`, { cause: error });
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(this.pathOf(key), { bigint: true });
      if (!s.isFile()) return undefined;
      return { key, bytes: Number(s.size), etag: etagOf(s) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StoreError(`cannot stat ${key}: ${describe(error)}`, { cause: error });
    }
  }

  async write(key: string, body: Uint8Array | string): Promise<void> {
    const file = this.pathOf(key);
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(temporary, body);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new StoreError(`cannot write ${key}: ${describe(error)}`, { cause: error });
    }
  }

  /**
   * `ifAbsent`: the body is written to a temporary file and hard-linked to the key, which fails
   * when the key exists (atomic on POSIX filesystems). `ifEtag`: the check and the rename happen
   * under a lock file beside the key (`<key>.lock.tmp`, created exclusively), so two processes
   * cannot both replace the version they read.
   */
  async writeIf(key: string, body: Uint8Array | string, condition: WriteCondition): Promise<boolean> {
    const file = this.pathOf(key);
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(temporary, body);
      if ('ifAbsent' in condition) {
        try {
          await link(temporary, file);
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
          throw error;
        }
      }
      return await this.withLock(key, file, async () => {
        const current = await this.head(key);
        if (current?.etag !== condition.ifEtag) return false;
        await rename(temporary, file);
        return true;
      });
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot write ${key}: ${describe(error)}`, { cause: error });
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /**
   * Runs `work` holding `<key>.lock.tmp`, created exclusively with a token of this holder. Release
   * removes the lock only while it still holds the token. A lock older than a minute was left by a
   * process that died holding it: a waiter moves it aside (a rename, which only one waiter wins)
   * and tries again. Meant for several processes on one machine sharing a lake folder.
   */
  private async withLock<T>(key: string, file: string, work: () => Promise<T>): Promise<T> {
    const lock = `${file}.lock.tmp`;
    const token = randomBytes(12).toString('hex');
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(lock, token, { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = await stat(lock).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > 60_000) {
          const aside = `${lock}.${token}.stale.tmp`;
          await rename(lock, aside).then(
            () => rm(aside, { force: true }),
            () => undefined,
          );
        } else if (attempt >= 500) {
          throw new StoreError(`cannot write ${key}: locked by another writer for 10 s`);
        } else {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
    try {
      return await work();
    } finally {
      const holder = await readFile(lock, 'utf8').catch(() => undefined);
      if (holder === token) await rm(lock, { force: true });
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw new StoreError(`cannot list ${keyPrefix || '/'}: ${describe(error)}`, { cause: error });
      }
      for (const entry of entries) {
        const key = keyPrefix + entry.name;
        if (entry.isDirectory()) {
          if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix))
            await walk(path.join(dir, entry.name), `${key}/`);
        } else if (entry.isFile() && key.startsWith(prefix) && !entry.name.endsWith('.tmp')) {
          const s = await stat(path.join(dir, entry.name), { bigint: true });
          out.push({ key, bytes: Number(s.size), etag: etagOf(s) });
        }
      }
    };
    await walk(this.root, '');
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * Removes an object (not part of the ObjectStore port: only `repscope prune` removes, and only
   * locally; in AWS lifecycle rules expire objects). Empty folders left behind are removed too, up
   * to the root. Removing a missing key is not an error.
   */
  async remove(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await rm(file, { force: true });
      for (let dir = path.dirname(file); dir.startsWith(`${this.root}${path.sep}`); dir = path.dirname(dir)) {
        if ((await readdir(dir)).length > 0) break;
        await rmdir(dir);
      }
    } catch (error) {
      throw new StoreError(`cannot remove ${key}: ${describe(error)}`, { cause: error });
    }
  }

  uri(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }
}

/** Changes whenever the file is replaced: every write renames or links a new file (a new inode). */
function etagOf(s: import('node:fs').BigIntStats): string {
  return createHash('sha256').update(`${s.size}:${s.mtimeNs}:${s.ino}`).digest('hex').slice(0, 32);
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? (error instanceof Error ? error.message : String(error));
}
