import { createServer, type IncomingMessage, request } from 'node:http';

/**
 * A loopback HTTP proxy in front of a protocol server that injects faults, then forwards
 * everything else untouched (headers included, so signed requests stay valid). It lets a test
 * watch the SDK's retry strategy and the adapters' own recovery work against a real server.
 *
 * Faults, each for the next `count` requests the fault's `match` accepts (default: any):
 * - `status`: an S3-style XML error (503 SlowDown by default) instead of forwarding;
 * - `reset`: the connection is destroyed before any answer;
 * - `reset-mid-body`: the answer is forwarded, and its connection destroyed once `afterBytes` of
 *   its body went out (a connection reset while an object streams);
 * - `slow`: the answer's body is forwarded in pieces of `chunkBytes`, `delayMs` apart.
 */
export type Fault =
  | { readonly kind: 'status'; readonly status?: number; readonly code?: string }
  | { readonly kind: 'reset' }
  | { readonly kind: 'reset-mid-body'; readonly afterBytes: number }
  | { readonly kind: 'slow'; readonly chunkBytes: number; readonly delayMs: number };

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly range: string | undefined;
  readonly ifMatch: string | undefined;
  /** The fault injected into it, if any. */
  readonly fault: Fault['kind'] | undefined;
}

export interface FaultyProxy {
  readonly endpoint: string;
  /** Requests seen so far, failed and forwarded. */
  readonly seen: () => number;
  /** Every request seen so far, in order. */
  readonly requests: () => readonly SeenRequest[];
  /** Fail the next `count` requests with the proxy's default status (503 SlowDown). */
  failNext(count: number): void;
  /** Inject `fault` into the next `count` requests that `match` accepts. */
  inject(fault: Fault, count?: number, match?: (req: { method: string; url: string }) => boolean): void;
  /** Drops every pending fault. */
  clear(): void;
  stop(): Promise<void>;
}

interface Pending {
  readonly fault: Fault;
  left: number;
  readonly match: (req: { method: string; url: string }) => boolean;
}

const any = () => true;

export async function startFaultyProxy(
  target: string,
  options: { status?: number; code?: string } = {},
): Promise<FaultyProxy> {
  const defaultFault: Fault = {
    kind: 'status',
    status: options.status ?? 503,
    code: options.code ?? 'SlowDown',
  };
  const upstream = new URL(target);
  let pending: Pending[] = [];
  const seen: SeenRequest[] = [];

  const take = (req: IncomingMessage): Fault | undefined => {
    const at = pending.findIndex(
      (p) => p.left > 0 && p.match({ method: req.method ?? '', url: req.url ?? '' }),
    );
    if (at === -1) return undefined;
    const p = pending[at]!;
    p.left--;
    if (p.left === 0) pending.splice(at, 1);
    return p.fault;
  };

  const server = createServer((req, res) => {
    const fault = take(req);
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      range: header(req, 'range'),
      ifMatch: header(req, 'if-match'),
      fault: fault?.kind,
    });
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status ?? 503, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code ?? 'SlowDown'}</Code><Message>injected</Message></Error>`,
      );
      return;
    }
    if (fault?.kind === 'reset') {
      req.resume();
      req.socket.destroy();
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (fault?.kind === 'reset-mid-body') {
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            if (res.destroyed) return;
            const room = fault.afterBytes - sent;
            if (chunk.length < room) {
              sent += chunk.length;
              res.write(chunk);
              return;
            }
            res.write(chunk.subarray(0, room), () => res.socket?.destroy());
            sent = fault.afterBytes;
            answer.destroy();
          });
          answer.on('end', () => {
            if (!res.destroyed) res.end();
          });
        } else if (fault?.kind === 'slow') {
          void slowly(answer, res, fault.chunkBytes, fault.delayMs);
        } else {
          answer.pipe(res);
        }
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen: () => seen.length,
    requests: () => [...seen],
    failNext: (count) => {
      pending = pending.filter((p) => p.fault !== defaultFault);
      if (count > 0) pending.unshift({ fault: defaultFault, left: count, match: any });
    },
    inject: (fault, count = 1, match = any) => {
      pending.push({ fault, left: count, match });
    },
    clear: () => {
      pending = [];
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

async function slowly(
  answer: IncomingMessage,
  res: import('node:http').ServerResponse,
  chunkBytes: number,
  delayMs: number,
): Promise<void> {
  for await (const chunk of answer as AsyncIterable<Buffer>) {
    for (let at = 0; at < chunk.length; at += chunkBytes) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed) return;
      res.write(chunk.subarray(at, at + chunkBytes));
    }
  }
  res.end();
}
