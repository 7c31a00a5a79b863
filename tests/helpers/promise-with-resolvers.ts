/**
 * aws-local-stepfunctions 3 (the only version served) calls Promise.withResolvers, which arrived in
 * Node 22. On Node 20 this polyfill, imported before it, makes it run; on Node 22 it does nothing.
 */
const promise = Promise as unknown as { withResolvers?: () => unknown };
if (typeof promise.withResolvers !== 'function') {
  promise.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const created = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: created, resolve, reject };
  };
}

export {};
