/**
 * The reader page (reader/: index.html, app.js, style.css) on its own origin — by default
 * the API's port + 1 — so the browser talks to the API cross-origin, exactly as a front
 * end on another site would: CORS, ETag revalidation and cursors for real.
 *
 * The API base URL is written into the page (<meta name="newsdesk-api">, and the feed links
 * `<link rel="alternate">` and the footer's) and into its
 * Content-Security-Policy: scripts only from this origin, fetch only to the API, no
 * inline script or event handler, and Trusted Types for the one HTML sink.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const READER_DIR = fileURLToPath(new URL('../reader/', import.meta.url));
export const DEFAULT_READER_HOST = '127.0.0.1';

export interface ReaderServerOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Base URL of the API the page reads from, e.g. `http://127.0.0.1:3000`. */
  readonly apiUrl: string;
  readonly host?: string;
  /** One line per request. */
  readonly log?: (line: string) => void;
}

export interface ReaderServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export class ReaderServerError extends Error {
  override name = 'ReaderServerError';
}

/**
 * The reader page's port: $READER_PORT when set (`off` = no reader page), otherwise the
 * API's port + 1, or a free port (0) when the API's was picked freely.
 */
export function readerPortFor(
  requestedApiPort: number,
  actualApiPort: number,
  value: string | undefined = process.env.READER_PORT,
): number | false {
  if (value === undefined || value === '') {
    return requestedApiPort === 0 || actualApiPort >= 65_535 ? 0 : actualApiPort + 1;
  }
  if (value === 'off') return false;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    throw new ReaderServerError(`READER_PORT must be a number from 0 to 65535 or "off", not "${value}"`);
  }
  return Number(value);
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page's Content-Security-Policy for an API origin. */
export function readerCsp(apiOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // Article images (the API lets http(s) image URLs through); no data: or other schemes.
    "img-src 'self' https:",
    `connect-src ${apiOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types newsdesk-body',
  ].join('; ');
}

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The reader files, the page with the API URL written in. */
export function readerAssets(apiUrl: string): ReadonlyMap<string, Asset> {
  const api = new URL(apiUrl);
  if (api.protocol !== 'http:' && api.protocol !== 'https:') {
    throw new ReaderServerError(`the API URL must be http(s), not ${api.protocol}`);
  }
  const html = readFileSync(join(READER_DIR, 'index.html'), 'utf8');
  const meta = /<meta name="newsdesk-api" content="[^"]*">/;
  if (!meta.test(html)) throw new ReaderServerError('reader/index.html has no <meta name="newsdesk-api">');
  // The API URL, and the feed links under it (feed readers read the HTML, not the script).
  const base = api.href.endsWith('/') ? api.href : `${api.href}/`;
  const page = html
    .replace(meta, `<meta name="newsdesk-api" content="${escapeAttribute(api.href)}">`)
    .replaceAll(
      /href="http:\/\/127\.0\.0\.1:3000\/(feed\.(?:xml|atom|json))"/g,
      (_match, file: string) => `href="${escapeAttribute(new URL(file, base).href)}"`,
    );
  const file = (name: string) => readFileSync(join(READER_DIR, name));
  const index: Asset = { type: 'text/html; charset=utf-8', body: Buffer.from(page, 'utf8') };
  return new Map([
    ['/', index],
    ['/index.html', index],
    ['/app.js', { type: 'text/javascript; charset=utf-8', body: file('app.js') }],
    ['/style.css', { type: 'text/css; charset=utf-8', body: file('style.css') }],
  ]);
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new ReaderServerError(
              `Port ${port} on ${host} (reader page) is already in use: set READER_PORT to another port (0 picks a free one, off starts no reader page).`,
            )
          : error,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

/** Serves the reader page; everything is read once at start. */
export async function startReaderServer(options: ReaderServerOptions): Promise<ReaderServer> {
  const host = options.host ?? DEFAULT_READER_HOST;
  const assets = readerAssets(options.apiUrl);
  const securityHeaders = {
    'Content-Security-Policy': readerCsp(new URL(options.apiUrl).origin),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const send = (status: number, headers: Record<string, string>, body?: Buffer) => {
      res.writeHead(status, { ...securityHeaders, ...headers });
      res.end(method === 'HEAD' ? undefined : body);
      options.log?.(`reader ${method} ${req.url ?? '/'} -> ${status}`);
    };
    if (method !== 'GET' && method !== 'HEAD') {
      send(
        405,
        { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' },
        Buffer.from('Method Not Allowed\n'),
      );
      return;
    }
    // Browsers ask for it on their own; no icon, and no 404 in the console either.
    if (path === '/favicon.ico') {
      send(204, {});
      return;
    }
    const asset = assets.get(path);
    if (asset === undefined) {
      send(404, { 'Content-Type': 'text/plain; charset=utf-8' }, Buffer.from('Not Found\n'));
      return;
    }
    send(200, { 'Content-Type': asset.type, 'Content-Length': String(asset.body.length) }, asset.body);
  };
  const server = createServer((req, res) => {
    req.resume();
    handle(req, res);
  });
  const port = await listen(server, options.port, host);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
