import { createHash, createHmac } from 'node:crypto';

/**
 * A synchronous AWS Signature Version 4 signer for the load generator: autocannon's
 * `setupRequest` hook cannot wait for a promise, and the AWS SDK's signer is async. It
 * covers what the load test sends (service execute-api, a path of unreserved characters,
 * no query string) and is checked against the SDK's own signer in sigv4-sync.test.ts.
 */

export interface SyncCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SyncSignInput {
  readonly method: string;
  /** Path of unreserved characters (`A-Za-z0-9-._~/`), no query string. */
  readonly path: string;
  /** `host[:port]` as the request will carry it. */
  readonly host: string;
  /** Headers to sign besides host and x-amz-date (names in any case). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly region?: string;
  readonly service?: string;
  readonly date?: Date;
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** `YYYYMMDDTHHMMSSZ` */
export const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** The headers to add to the request: x-amz-date and authorization. */
export function signSync(
  credentials: SyncCredentials,
  input: SyncSignInput,
): { 'x-amz-date': string; authorization: string } {
  if (!/^[A-Za-z0-9\-._~/]*$/.test(input.path))
    throw new Error(`signSync signs plain paths only, not ${input.path}`);
  const region = input.region ?? 'us-east-1';
  const service = input.service ?? 'execute-api';
  const stamp = amzDate(input.date ?? new Date());
  const day = stamp.slice(0, 8);
  const headers = new Map<string, string>([
    ['host', input.host],
    ['x-amz-date', stamp],
  ]);
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers.set(name.toLowerCase(), value.trim().replace(/\s+/g, ' '));
  }
  const names = [...headers.keys()].sort();
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.path === '' ? '/' : input.path,
    '',
    ...names.map((name) => `${name}:${headers.get(name) ?? ''}`),
    '',
    names.join(';'),
    sha256(input.body ?? ''),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), service),
    'aws4_request',
  );
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    'x-amz-date': stamp,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}
