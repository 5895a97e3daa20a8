import { request as httpRequest } from 'node:http';

/**
 * A raw HTTP/1.1 client for the hardening tests: it sends what fetch cannot (repeated
 * headers, any method, any request target). Signed headers come from test/support/sigv4.ts.
 */

export interface RawAnswer {
  readonly status: number;
  /** Header values by lower-case name (repeated ones joined with ", "). */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * One HTTP/1.1 request with exactly these header lines (names may repeat) and this
 * request target (sent as is, not normalised); Host and Content-Length are added when absent.
 */
export function rawRequest(options: {
  readonly base: string;
  readonly method: string;
  readonly target: string;
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string | Buffer;
  readonly timeoutMs?: number;
}): Promise<RawAnswer> {
  const base = new URL(options.base);
  const flat: string[] = [];
  for (const [name, value] of options.headers ?? []) flat.push(name, value);
  if (!(options.headers ?? []).some(([name]) => name.toLowerCase() === 'host')) flat.push('Host', base.host);
  const hasLength = (options.headers ?? []).some(([name]) =>
    /^(content-length|transfer-encoding)$/i.test(name),
  );
  if (options.body !== undefined && !hasLength)
    flat.push('Content-Length', String(Buffer.byteLength(options.body)));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: base.hostname,
        port: base.port,
        method: options.method,
        path: options.target,
        headers: flat,
        agent: false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
