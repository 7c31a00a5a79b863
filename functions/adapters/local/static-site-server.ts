import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, sep } from 'node:path';

export interface StaticSiteServerOptions {
  /** Folder to serve; nothing outside it is ever read. */
  readonly root: string;
  /** TCP port. @default 0 - any free port */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' - loopback only */
  readonly host?: string;
}

export interface StaticSiteServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:43117/`. */
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The site needs no inline script or style, so everything comes from the same origin. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Serves a rendered site folder over HTTP for `repscope serve` and the browser tests: GET and HEAD
 * only, files under `root` only (no `..`, no encoded separators, no symlinks leading out), a
 * directory answers with its `index.html` (never a listing), and every answer carries a strict
 * Content-Security-Policy and `nosniff`.
 */
export async function startStaticSiteServer(options: StaticSiteServerOptions): Promise<StaticSiteServer> {
  const root = await realpath(options.root);
  const server = createServer((req, res) => {
    handle(root, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal server error');
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostInUrl}:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'Method not allowed');
    return;
  }
  const segments = requestSegments(req.url ?? '');
  if (segments === undefined) {
    send(res, 400, 'Bad request');
    return;
  }
  const target = await resolveInside(root, join(root, ...segments));
  if (target === undefined) {
    send(res, 404, 'Not found');
    return;
  }
  let file = target;
  let info = await stat(file);
  if (info.isDirectory()) {
    if (!(req.url ?? '/').split(/[?#]/, 1)[0]!.endsWith('/')) {
      // Relative links in index.html resolve against the directory, so it must end with a slash.
      // The location is rebuilt from the checked segments: never `//host/`, an open redirect.
      res.setHeader('Location', `/${segments.map(encodeURIComponent).join('/')}/`);
      send(res, 301, 'Moved permanently');
      return;
    }
    const index = await resolveInside(root, join(file, 'index.html'));
    if (index === undefined) {
      send(res, 404, 'Not found');
      return;
    }
    file = index;
    info = await stat(file);
  }
  if (!info.isFile()) {
    send(res, 404, 'Not found');
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    createReadStream(file).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
}

/**
 * The decoded path segments of a request target, or undefined when it could name anything outside
 * the root: `.` or `..` segments (also percent-encoded), encoded `/` or `\`, NUL, bad escapes.
 */
function requestSegments(url: string): string[] | undefined {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  if (!path.startsWith('/')) return undefined;
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    if (segment !== '') segments.push(segment);
  }
  return segments;
}

/** The real path of `candidate` when it exists and lies inside `root` (symlinks resolved). */
async function resolveInside(root: string, candidate: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return undefined;
  }
  return real === root || real.startsWith(root + sep) ? real : undefined;
}

function send(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(message),
  });
  res.end(res.req.method === 'HEAD' ? undefined : message);
}
