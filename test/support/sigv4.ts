import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * The one AWS Signature Version 4 signer of the tests: a request to the editor routes
 * (service execute-api, us-east-1 unless told) signed by the AWS SDK's own signer
 * (`@smithy/signature-v4`), exactly as an SDK client signs it. Tests that need an
 * independent client use `curl --aws-sigv4` instead; test/load/sigv4-sync.ts is the load
 * generator's synchronous signer, checked against this one.
 */

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignOptions {
  /** GET unless told. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly region?: string;
  readonly service?: string;
  readonly signingDate?: Date;
  /** Sign an X-Amz-Content-Sha256 header, as the SDK does by default (default true). */
  readonly contentSha256?: boolean;
  /** Headers (lower-case names) left out of the signature, e.g. `host`. */
  readonly unsigned?: readonly string[];
}

export interface SignedRequest {
  readonly method: string;
  /** The path as signed (not normalised) and the query as written in the URL. */
  readonly path: string;
  readonly rawQuery: string;
  /** The headers to send: the given ones plus host, x-amz-date, authorization (and the SDK's others). */
  readonly headers: Record<string, string>;
}

/** Signs a request to `url` (absolute; its query is signed as parsed, repeated keys as arrays). */
export async function sign(
  credentials: Credentials,
  url: string | URL,
  options: SignOptions = {},
): Promise<SignedRequest> {
  const target = new URL(url);
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of target.searchParams) {
    const existing = query[key];
    query[key] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const signer = new SignatureV4({
    credentials,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'execute-api',
    sha256: Sha256,
    applyChecksum: options.contentSha256 ?? true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: options.method ?? 'GET',
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port === '' ? {} : { port: Number(target.port) }),
      path: target.pathname,
      query,
      headers: { host: target.host, ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
    }),
    {
      ...(options.signingDate === undefined ? {} : { signingDate: options.signingDate }),
      ...(options.unsigned === undefined ? {} : { unsignableHeaders: new Set(options.unsigned) }),
    },
  );
  return {
    method: signed.method,
    path: signed.path,
    rawQuery: target.search.slice(1),
    headers: Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, String(value)])),
  };
}

/** The headers of a signed request (for a raw HTTP client). */
export async function signedHeaders(
  credentials: Credentials,
  url: string | URL,
  options: SignOptions = {},
): Promise<Record<string, string>> {
  return (await sign(credentials, url, options)).headers;
}

/**
 * fetch() with a SigV4 signature, like an AWS SDK client (keep-alive). `sendBody` is sent
 * instead of the signed body (a body changed after signing).
 */
export async function signedFetch(
  credentials: Credentials,
  url: string | URL,
  options: SignOptions & { readonly sendBody?: string | Buffer } = {},
): Promise<Response> {
  // fetch sets Host itself (the value that was signed).
  const { host: _host, ...headers } = await signedHeaders(credentials, url, options);
  const body = options.sendBody ?? options.body;
  return fetch(url, { method: options.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
}
