/**
 * API Gateway REST (v1) Lambda proxy events built from node:http requests, and proxy
 * results mapped back onto node:http responses, so the local server runs the handler
 * modules exactly as Lambda behind API Gateway does.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type {
  APIGatewayEventIdentity,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Context,
} from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './sigv4.ts';

export const LOCAL_STAGE = 'local';
export const LOCAL_API_ID = 'local';

/** Who signed the request (editor routes), as API Gateway's AWS_IAM authorization reports it. */
export interface EventIdentity {
  readonly accessKeyId: string;
  readonly userName: string;
  readonly userArn: string;
}

export interface EventInput {
  readonly method: string;
  /** Path as received (percent-escapes intact), without the query string. */
  readonly path: string;
  /** Query string without `?` ('' when none). */
  readonly rawQuery: string;
  /** `rawHeaders` of node:http: name, value, name, value... in received order and casing. */
  readonly rawHeaders: readonly string[];
  /** Body bytes exactly as received (empty -> `body: null`). */
  readonly body: Uint8Array;
  /** The matched resource, e.g. `/articles/{slug}`. */
  readonly resource: string;
  /** Decoded path parameters (none -> `pathParameters: null`). */
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly sourceIp: string;
  /** Present on signed (editor) requests only. */
  readonly identity?: EventIdentity;
  readonly requestId?: string;
  readonly now?: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let requestTimeSecond = Number.NaN;
let requestTimeText = '';

/** `requestTime` as API Gateway writes it: `26/Nov/2026:20:00:00 +0000` (formatted once per second). */
export function formatRequestTime(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== requestTimeSecond) {
    const pad = (n: number) => String(n).padStart(2, '0');
    requestTimeText = `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(
      date.getUTCHours(),
    )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
    requestTimeSecond = second;
  }
  return requestTimeText;
}

/** Decodes a query component the way API Gateway does: `%XX` escapes and `+` as a space. */
export function decodeQueryComponent(value: string): string {
  const spaced = value.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Decodes a path segment (`%XX` escapes; `+` stays `+`). Undecodable input stays as is. */
export function decodePathSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function parseQuery(rawQuery: string): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  const multi: Record<string, string[]> = {};
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeQueryComponent(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : decodeQueryComponent(part.slice(eq + 1));
    const list = Object.hasOwn(multi, key) ? multi[key] : undefined;
    if (list === undefined) multi[key] = [value];
    else list.push(value);
  }
  const keys = Object.keys(multi);
  if (keys.length === 0) return { single: null, multi: null };
  // API Gateway puts the last value of a repeated key in queryStringParameters.
  const single: Record<string, string> = {};
  for (const key of keys) {
    const values = multi[key] ?? [];
    single[key] = values[values.length - 1] ?? '';
  }
  return { single, multi };
}

interface ReceivedHeaders {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  /** Lower-cased name -> the casing it is grouped under. */
  readonly names: ReadonlyMap<string, string>;
}

function groupHeaders(rawHeaders: readonly string[]): ReceivedHeaders {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const names = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const value = rawHeaders[i + 1] ?? '';
    // Group case-insensitively under the first casing seen.
    const lower = name.toLowerCase();
    const existing = names.get(lower);
    if (existing === undefined) {
      names.set(lower, name);
      multiValueHeaders[name] = [value];
      headers[name] = value;
    } else {
      multiValueHeaders[existing]?.push(value);
      headers[existing] = value;
    }
  }
  return { headers, multiValueHeaders, names };
}

/**
 * Headers with their received casing. A header sent several times keeps every value in
 * `multiValueHeaders` and its last value in `headers`, as API Gateway does.
 */
export function headersFromRaw(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const { headers, multiValueHeaders } = groupHeaders(rawHeaders);
  return { headers, multiValueHeaders };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as API Gateway passes it: null when empty, text when valid UTF-8, else base64. */
export function encodeBody(body: Uint8Array): { body: string | null; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  try {
    return { body: utf8.decode(body), isBase64Encoded: false };
  } catch {
    return { body: Buffer.from(body).toString('base64'), isBase64Encoded: true };
  }
}

const userIds = new Map<string, string>();

/** A stable IAM-user-id-shaped value for a user name (what API Gateway reports as `caller`/`user`). */
export function pseudoUserId(userName: string): string {
  const known = userIds.get(userName);
  if (known !== undefined) return known;
  let hash = 0n;
  for (const char of userName) hash = (hash * 131n + BigInt(char.codePointAt(0) ?? 0)) % 36n ** 17n;
  const id = `AIDA${hash.toString(36).toUpperCase().padStart(17, '0')}`;
  // Editor names are few (the configured editor, the seed); the bound only guards the map.
  if (userIds.size < 1_000) userIds.set(userName, id);
  return id;
}

function identityOf(input: EventInput, userAgent: string | null): APIGatewayEventIdentity {
  const signed = input.identity;
  return {
    accessKey: signed?.accessKeyId ?? null,
    accountId: signed === undefined ? null : LOCAL_ACCOUNT_ID,
    apiKey: null,
    apiKeyId: null,
    caller: signed === undefined ? null : pseudoUserId(signed.userName),
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: input.sourceIp,
    user: signed === undefined ? null : pseudoUserId(signed.userName),
    userAgent,
    userArn: signed?.userArn ?? null,
  };
}

/** An API Gateway REST (v1) Lambda proxy event for a received request. */
export function buildProxyEvent(input: EventInput): APIGatewayProxyEvent {
  const now = input.now ?? new Date();
  const { headers, multiValueHeaders, names } = groupHeaders(input.rawHeaders);
  const query = parseQuery(input.rawQuery);
  const body = encodeBody(input.body);
  const userAgentName = names.get('user-agent');
  const userAgent = userAgentName === undefined ? null : (headers[userAgentName] ?? null);
  const hostName = names.get('host');
  const host = hostName === undefined ? undefined : headers[hostName];
  const requestId = input.requestId ?? randomUUID();
  const method = input.method.toUpperCase();
  return {
    resource: input.resource,
    path: input.path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters:
      input.pathParameters === null || Object.keys(input.pathParameters).length === 0
        ? null
        : { ...input.pathParameters },
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      authorizer: null,
      domainName: host?.replace(/:\d+$/, '') ?? '127.0.0.1',
      domainPrefix: LOCAL_API_ID,
      extendedRequestId: requestId,
      httpMethod: method,
      identity: identityOf(input, userAgent),
      // There is no stage segment in local URLs (as behind a custom domain), so the
      // request context's path is the path as called.
      path: input.path,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: LOCAL_API_ID,
      resourcePath: input.resource,
      stage: LOCAL_STAGE,
    },
    body: body.body,
    isBase64Encoded: body.isBase64Encoded,
  };
}

function remainingTime(deadline: number): number {
  return Math.max(0, deadline - Date.now());
}

function ignoreCallback(): void {}

/** A Lambda context for one invocation (what the Powertools logger middleware reads). */
export function lambdaContext(
  functionName: string,
  requestId: string,
  region: string = process.env.AWS_REGION ?? 'us-east-1',
): Context {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    // Shared and bound functions rather than new closures: one context per request.
    getRemainingTimeInMillis: remainingTime.bind(undefined, deadline),
    done: ignoreCallback,
    fail: ignoreCallback,
    succeed: ignoreCallback,
  };
}

export interface MappedResponse {
  readonly statusCode: number;
  /** Header name -> values, casing as the handler wrote it. */
  readonly headers: ReadonlyMap<string, string[]>;
  readonly body: Buffer;
}

/** Sets a header, replacing one of the same name in another casing (`names`: lower-cased -> casing). */
function putHeader(
  headers: Map<string, string[]>,
  names: Map<string, string>,
  name: string,
  values: string[],
): void {
  const lower = name.toLowerCase();
  const existing = names.get(lower);
  if (existing !== undefined) headers.delete(existing);
  names.set(lower, name);
  headers.set(name, values);
}

/**
 * A proxy result as API Gateway turns it into an HTTP response: `headers` and
 * `multiValueHeaders` merged (a name in both takes the multi-value list), a base64 body
 * decoded, `Content-Type: application/json` when the handler set none.
 */
export function mapProxyResult(result: APIGatewayProxyResult): MappedResponse {
  const headers = new Map<string, string[]>();
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    putHeader(headers, names, name, [String(value)]);
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    putHeader(
      headers,
      names,
      name,
      values.map((value) => String(value)),
    );
  }
  const text = result.body ?? '';
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  if (!names.has('content-type') && body.length > 0) {
    headers.set('Content-Type', ['application/json']);
  }
  return { statusCode: result.statusCode, headers, body };
}

/**
 * Writes a mapped response (Content-Length set; no body for HEAD, 204 and 304). Headers
 * the handler set win over `extraHeaders` (compared case-insensitively), and so do headers
 * already set on `res`.
 */
export function writeResponse(
  res: ServerResponse,
  response: MappedResponse,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  const noBody = response.statusCode === 204 || response.statusCode === 304;
  // One flat list for writeHead: node:http stores it as is instead of header by header.
  const flat: (string | string[])[] = [];
  const written = new Set<string>();
  for (const [name, values] of response.headers) {
    const lower = name.toLowerCase();
    if (lower === 'content-length') continue;
    written.add(lower);
    flat.push(name, values.length === 1 ? (values[0] ?? '') : values);
  }
  for (const name of Object.keys(extraHeaders)) {
    const value = extraHeaders[name];
    if (value === undefined || written.has(name.toLowerCase()) || res.hasHeader(name)) continue;
    flat.push(name, value);
  }
  if (!noBody) flat.push('Content-Length', String(response.body.length));
  // The reason phrase is passed, not left to writeHead: a header it refuses would otherwise
  // leave this status's phrase on `res` for the 502 written instead.
  res.writeHead(response.statusCode, STATUS_CODES[response.statusCode] ?? 'unknown', flat);
  if (noBody) res.end();
  else res.end(response.body);
}

/** The client address of a node:http request. */
export function sourceIpOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
