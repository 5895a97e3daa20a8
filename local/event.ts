/**
 * API Gateway REST (v1) Lambda proxy events built from node:http requests, and proxy
 * results mapped back onto node:http responses, so the local server runs the handler
 * modules exactly as Lambda behind API Gateway does.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** `requestTime` as API Gateway writes it: `26/Nov/2026:20:00:00 +0000`. */
export function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
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

/**
 * Headers with their received casing. A header sent several times keeps every value in
 * `multiValueHeaders` and its last value in `headers`, as API Gateway does.
 */
export function headersFromRaw(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const value = rawHeaders[i + 1] ?? '';
    // Group case-insensitively under the first casing seen.
    const existing = Object.keys(multiValueHeaders).find((key) => key.toLowerCase() === name.toLowerCase());
    const key = existing ?? name;
    const list = multiValueHeaders[key];
    if (list === undefined) multiValueHeaders[key] = [value];
    else list.push(value);
    headers[key] = value;
  }
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

/** A stable IAM-user-id-shaped value for a user name (what API Gateway reports as `caller`/`user`). */
export function pseudoUserId(userName: string): string {
  let hash = 0n;
  for (const char of userName) hash = (hash * 131n + BigInt(char.codePointAt(0) ?? 0)) % 36n ** 17n;
  return `AIDA${hash.toString(36).toUpperCase().padStart(17, '0')}`;
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
  const { headers, multiValueHeaders } = headersFromRaw(input.rawHeaders);
  const query = parseQuery(input.rawQuery);
  const body = encodeBody(input.body);
  const userAgent =
    Object.entries(headers).find(([name]) => name.toLowerCase() === 'user-agent')?.[1] ?? null;
  const host = Object.entries(headers).find(([name]) => name.toLowerCase() === 'host')?.[1];
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

/** A Lambda context for one invocation (what the Powertools logger middleware reads). */
export function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export interface MappedResponse {
  readonly statusCode: number;
  /** Header name -> values, casing as the handler wrote it. */
  readonly headers: ReadonlyMap<string, string[]>;
  readonly body: Buffer;
}

/**
 * A proxy result as API Gateway turns it into an HTTP response: `headers` and
 * `multiValueHeaders` merged (a name in both takes the multi-value list), a base64 body
 * decoded, `Content-Type: application/json` when the handler set none.
 */
export function mapProxyResult(result: APIGatewayProxyResult): MappedResponse {
  const headers = new Map<string, string[]>();
  const put = (name: string, values: string[]) => {
    const existing = [...headers.keys()].find((key) => key.toLowerCase() === name.toLowerCase());
    if (existing !== undefined) headers.delete(existing);
    headers.set(name, values);
  };
  for (const [name, value] of Object.entries(result.headers ?? {})) put(name, [String(value)]);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    put(
      name,
      values.map((value) => String(value)),
    );
  }
  const text = result.body ?? '';
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  if (![...headers.keys()].some((key) => key.toLowerCase() === 'content-type') && body.length > 0) {
    headers.set('Content-Type', ['application/json']);
  }
  return { statusCode: result.statusCode, headers, body };
}

/** Writes a mapped response (Content-Length set; no body for HEAD, 204 and 304). */
export function writeResponse(
  res: ServerResponse,
  response: MappedResponse,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  const noBody = response.statusCode === 204 || response.statusCode === 304;
  for (const [name, values] of response.headers) {
    if (name.toLowerCase() === 'content-length') continue;
    res.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
  }
  for (const [name, value] of Object.entries(extraHeaders)) {
    if (!res.hasHeader(name)) res.setHeader(name, value);
  }
  res.statusCode = response.statusCode;
  if (noBody) {
    res.end();
    return;
  }
  res.setHeader('Content-Length', String(response.body.length));
  res.end(response.body);
}

/** The client address of a node:http request. */
export function sourceIpOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
