import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * SigV4 for the local server's editor routes (service execute-api), signed with the AWS
 * SDK's own signer as an SDK client would, plus a raw HTTP client that can send what
 * fetch cannot (repeated headers, any method, any request target).
 */

export interface EditorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SignInput {
  readonly method: string;
  /** Absolute URL; the query is signed as parsed (repeated keys as arrays). */
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly region?: string;
  readonly signingDate?: Date;
}

/** The headers to send (the given ones plus host, x-amz-date and authorization). */
export async function signedHeaders(
  credentials: EditorCredentials,
  input: SignInput,
): Promise<Record<string, string>> {
  const url = new URL(input.url);
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const existing = query[key];
    query[key] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const signer = new SignatureV4({
    credentials,
    region: input.region ?? 'us-east-1',
    service: 'execute-api',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: input.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: { host: url.host, ...(input.headers ?? {}) },
      ...(input.body === undefined ? {} : { body: input.body }),
    }),
    input.signingDate === undefined ? {} : { signingDate: input.signingDate },
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)]));
}

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

/** A signed request through fetch (keep-alive, like an SDK client); returns status, headers, text. */
export async function signedFetch(
  credentials: EditorCredentials,
  input: SignInput,
): Promise<{ status: number; headers: Headers; text: string }> {
  // fetch sets Host itself (the same value that was signed).
  const { host: _host, ...headers } = await signedHeaders(credentials, input);
  const response = await fetch(input.url, {
    method: input.method,
    headers,
    ...(input.body === undefined ? {} : { body: input.body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
