import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

export const EDITOR_ARN = 'arn:aws:iam::000000000000:user/alice';

export interface EventOptions {
  readonly method: string;
  readonly resource: string;
  readonly path: string;
  readonly pathParameters?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string | string[]>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  /** The IAM ARN API Gateway reports for a signed request; omitted for public calls. */
  readonly userArn?: string;
}

/** A fresh, typed API Gateway REST (v1) proxy event, as API Gateway sends it. */
export function apiEvent(options: EventOptions): APIGatewayProxyEvent {
  const headers = { Host: 'api.example.com', ...(options.headers ?? {}) };
  const query = options.query ?? {};
  const single = Object.fromEntries(
    Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? (v.at(-1) ?? '') : v]),
  );
  const multi = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: options.resource,
    path: options.path,
    httpMethod: options.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: hasQuery ? single : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: options.method,
      path: `/v1${options.path}`,
      stage: 'v1',
      requestId: 'req-0001',
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: options.resource,
      identity: {
        accessKey: options.userArn ? 'AKIDEXAMPLE' : null,
        accountId: options.userArn ? '000000000000' : null,
        apiKey: null,
        apiKeyId: null,
        caller: options.userArn ? 'AIDAEXAMPLE' : null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: options.userArn ? 'AIDAEXAMPLE' : null,
        userAgent: 'vitest',
        userArn: options.userArn ?? null,
      },
    },
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'newsdesk-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:newsdesk-test',
    memoryLimitInMB: '512',
    awsRequestId: 'aws-req-0001',
    logGroupName: '/aws/lambda/newsdesk-test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Invokes a handler and parses its JSON body (null for an empty body). */
export async function invoke(handler: Handler, event: APIGatewayProxyEvent) {
  const result = await handler(event, lambdaContext());
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  const json: unknown = result.body ? JSON.parse(result.body) : null;
  return { status: result.statusCode, headers, body: result.body, json: json as Record<string, unknown> };
}

/**
 * A signed `POST /editor/articles`: `body` is serialized as JSON unless it is already a
 * string (sent as is); `headers` are added to its Content-Type.
 */
export function createEvent(
  body: unknown,
  headers: Record<string, string> = {},
  userArn: string = EDITOR_ARN,
): APIGatewayProxyEvent {
  return apiEvent({
    method: 'POST',
    resource: '/editor/articles',
    path: '/editor/articles',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    userArn,
  });
}

/** A signed `PUT /editor/articles/{slug}` with `If-Match` and a JSON body. */
export function replaceEvent(slug: string, ifMatch: string, body: unknown): APIGatewayProxyEvent {
  return apiEvent({
    method: 'PUT',
    resource: '/editor/articles/{slug}',
    path: `/editor/articles/${slug}`,
    pathParameters: { slug },
    headers: { 'Content-Type': 'application/json', 'If-Match': ifMatch },
    body: JSON.stringify(body),
    userArn: EDITOR_ARN,
  });
}
