import { describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { pinnedStore } from '../../../functions/pipeline/pinned-store.ts';
import { memoryStore } from './memory-store.ts';

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += new TextDecoder().decode(chunk);
  return out;
}

describe('pinnedStore', () => {
  it('reads the pinned object while it is the claimed version, quoted ETag or not', async () => {
    const store = memoryStore({ 'datasets/a/v1/x.csv': 'sex\nfemale\n' });
    const etag = (await store.head('datasets/a/v1/x.csv'))!.etag;
    expect(
      await text(pinnedStore(store, 'datasets/a/v1/x.csv', `"${etag}"`).read('datasets/a/v1/x.csv')),
    ).toBe('sex\nfemale\n');
  });

  it('stops a read when the object was replaced before or during it', async () => {
    const store = memoryStore({ 'datasets/a/v1/x.csv': 'sex\nfemale\n' }, 4);
    const etag = (await store.head('datasets/a/v1/x.csv'))!.etag;
    const pinned = pinnedStore(store, 'datasets/a/v1/x.csv', etag);
    await store.write('datasets/a/v1/x.csv', 'sex\nfemale\nmale\n');
    await expect(text(pinned.read('datasets/a/v1/x.csv'))).rejects.toThrow(InputError);

    await store.write('datasets/a/v1/x.csv', 'sex\nfemale\n');
    const during = pinned.read('datasets/a/v1/x.csv')[Symbol.asyncIterator]();
    await during.next();
    await store.write('datasets/a/v1/x.csv', 'sex\nmale, now longer\n');
    const drain = async () => {
      for (let r = await during.next(); !r.done; r = await during.next());
    };
    await expect(drain()).rejects.toThrow(/changed while this run read it/);
  });

  it('leaves every other key alone', async () => {
    const store = memoryStore({ 'datasets/a/v1/x.csv': 'a', 'datasets/a/repscope.yaml': 'm' });
    const pinned = pinnedStore(store, 'datasets/a/v1/x.csv', 'etag-that-does-not-match');
    expect(await text(pinned.read('datasets/a/repscope.yaml'))).toBe('m');
  });
});
