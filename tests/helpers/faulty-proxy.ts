import { createServer, request } from 'node:http';

/**
 * A loopback HTTP proxy in front of a protocol server that answers the first `failures` requests
 * with `status` and an S3-style XML error (503 SlowDown by default), then forwards everything. It
 * lets a test watch the SDK's retry strategy work against a real server.
 */
export interface FaultyProxy {
  readonly endpoint: string;
  /** Requests seen so far, failed and forwarded. */
  readonly seen: () => number;
  /** Fail the next `count` requests. */
  failNext(count: number): void;
  stop(): Promise<void>;
}

export async function startFaultyProxy(
  target: string,
  options: { status?: number; code?: string } = {},
): Promise<FaultyProxy> {
  const status = options.status ?? 503;
  const code = options.code ?? 'SlowDown';
  const upstream = new URL(target);
  let failing = 0;
  let seen = 0;
  const server = createServer((req, res) => {
    seen++;
    if (failing > 0) {
      failing--;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`,
      );
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
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen: () => seen,
    failNext: (count) => {
      failing = count;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
