/**
 * AWS Signature Version 4 verification for the local server, done the way API Gateway
 * (method authorization AWS_IAM) does it: the request is signed again with the AWS SDK's
 * own signer (`@smithy/signature-v4`) and the caller's secret, and the two signatures
 * are compared in constant time. Nothing here is a hand-written SigV4 implementation.
 *
 * Verification = sign again a request holding only the headers the client listed in
 * `SignedHeaders`, the path exactly as received (the signer URI-encodes it once more,
 * as every non-S3 service expects), the query as an object (repeated keys as arrays)
 * and the body exactly as received, with `signingDate` taken from `X-Amz-Date`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export const SIGV4_SERVICE = 'execute-api';
/** How far `X-Amz-Date` may be from the server's clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The account id the local server reports in IAM ARNs. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface EditorCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** IAM user name reported to the handlers (`arn:aws:iam::000000000000:user/<userName>`). */
  readonly userName: string;
}

export interface CallerIdentity {
  readonly accessKeyId: string;
  readonly userName: string;
  readonly userArn: string;
}

export type VerificationFailure =
  | 'missing-authentication'
  | 'malformed-authorization'
  | 'unknown-access-key'
  | 'security-token'
  | 'bad-date'
  | 'expired'
  | 'bad-scope'
  | 'host-not-signed'
  | 'content-hash-mismatch'
  | 'signature-mismatch';

export type VerificationResult =
  | { readonly ok: true; readonly identity: CallerIdentity }
  | { readonly ok: false; readonly reason: VerificationFailure; readonly message: string };

/** What the verifier needs from a received request. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path exactly as received, percent-escapes intact, without the query string. */
  readonly path: string;
  /** Raw query string as received, without the leading `?` (may be empty). */
  readonly rawQuery: string;
  /** Header name (any case) -> value(s), as received. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body bytes exactly as received. */
  readonly body: Uint8Array;
}

export interface VerifyOptions {
  /** Known credentials by access key id. */
  readonly credentials: ReadonlyMap<string, EditorCredential>;
  /** Region signatures must be scoped to (default `$AWS_REGION` or `us-east-1`). */
  readonly region?: string;
  /** The server's clock (for tests). */
  readonly now?: () => Date;
}

export function userArn(userName: string): string {
  return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/${userName}`;
}

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function fail(reason: VerificationFailure, message: string): VerificationResult {
  return { ok: false, reason, message };
}

/** Header values by lower-case name; repeated headers joined with `,` (SigV4 canonical form). */
function lowerCaseHeaders(headers: ReceivedRequest['headers']): Map<string, string> {
  const result = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const joined = typeof value === 'string' ? value : value.join(',');
    const key = name.toLowerCase();
    const previous = result.get(key);
    result.set(key, previous === undefined ? joined : `${previous},${joined}`);
  }
  return result;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The query as the signer wants it: decoded keys and values (`+` is not a space in
 * SigV4), repeated keys as arrays; a key without `=` has the empty value.
 */
export function parseQueryForSigning(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (rawQuery === '') return query;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : safeDecode(part.slice(eq + 1));
    const existing = Object.hasOwn(query, key) ? query[key] : undefined;
    if (existing === undefined) query[key] = value;
    else if (typeof existing === 'string') query[key] = [existing, value];
    else existing.push(value);
  }
  return query;
}

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE_PATTERN.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function constantTimeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase(), 'utf8');
  const right = Buffer.from(b.toLowerCase(), 'utf8');
  if (left.length !== right.length) {
    // Still spend a comparison so a length probe costs the same.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Verifies the SigV4 `Authorization` header of a received request. */
export async function verifySigV4(
  request: ReceivedRequest,
  options: VerifyOptions,
): Promise<VerificationResult> {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const now = options.now?.() ?? new Date();
  const headers = lowerCaseHeaders(request.headers);

  const authorization = headers.get('authorization');
  if (authorization === undefined || authorization.trim() === '') {
    return fail('missing-authentication', 'Missing Authentication Token');
  }
  const match = AUTHORIZATION_PATTERN.exec(authorization.trim());
  if (match === null) {
    return fail(
      'malformed-authorization',
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters (algorithm AWS4-HMAC-SHA256).",
    );
  }
  const [, credential = '', signedHeaderList = '', signature = ''] = match;

  const scope = credential.split('/');
  if (scope.length !== 5) {
    return fail(
      'malformed-authorization',
      'Credential should be scoped to a valid region, not a malformed scope.',
    );
  }
  const [accessKeyId = '', scopeDate = '', scopeRegion = '', scopeService = '', terminator = ''] = scope;

  const known = options.credentials.get(accessKeyId);
  if (known === undefined) {
    return fail('unknown-access-key', 'The security token included in the request is invalid.');
  }
  if (headers.has('x-amz-security-token')) {
    // The local server issues no temporary credentials, so no session token is valid.
    return fail('security-token', 'The security token included in the request is invalid.');
  }

  const amzDate = headers.get('x-amz-date');
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate.trim());
  if (amzDate === undefined || signingDate === undefined) {
    return fail(
      'bad-date',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    return fail(
      'expired',
      `Signature expired: ${amzDate.trim()} is now earlier or later than 5 minutes from the server time.`,
    );
  }
  if (scopeDate !== amzDate.trim().slice(0, 8)) {
    return fail('bad-scope', `Credential should be scoped to a valid date, not '${scopeDate}'.`);
  }
  if (scopeRegion !== region) {
    return fail('bad-scope', `Credential should be scoped to a valid region, not '${scopeRegion}'.`);
  }
  if (scopeService !== SIGV4_SERVICE) {
    return fail('bad-scope', `Credential should be scoped to correct service: '${SIGV4_SERVICE}'.`);
  }
  if (terminator !== 'aws4_request') {
    return fail('bad-scope', "Credential should be scoped with a valid terminator: 'aws4_request'.");
  }

  const signedHeaders = signedHeaderList.split(';').map((name) => name.toLowerCase());
  if (!signedHeaders.includes('host') || !headers.has('host')) {
    return fail('host-not-signed', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }

  // The signer takes X-Amz-Content-Sha256 as the payload hash when present: check it
  // against the body actually received, or a body swapped after signing would pass.
  const contentSha = headers.get('x-amz-content-sha256');
  if (contentSha !== undefined) {
    const actual = createHash('sha256').update(request.body).digest('hex');
    if (!constantTimeEqualHex(contentSha.trim(), actual)) {
      return fail(
        'content-hash-mismatch',
        'The provided x-amz-content-sha256 header does not match the request body.',
      );
    }
  }

  const toSign: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headers.get(name);
    // A listed header that was not received is simply absent: the signature won't match.
    if (value !== undefined) toSign[name] = value;
  }

  const signer = new SignatureV4({
    credentials: { accessKeyId: known.accessKeyId, secretAccessKey: known.secretAccessKey },
    region,
    service: SIGV4_SERVICE,
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method.toUpperCase(),
      protocol: 'http:',
      hostname: headers.get('host') ?? '',
      path: request.path,
      query: parseQueryForSigning(request.rawQuery),
      headers: toSign,
      body: request.body,
    }),
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
  if (expected === '' || !constantTimeEqualHex(signature, expected)) {
    return fail(
      'signature-mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
  return { ok: true, identity: { accessKeyId, userName: known.userName, userArn: userArn(known.userName) } };
}
