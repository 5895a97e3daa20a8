import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CreateArticleInput } from '../functions/core/article.ts';
import type { RouteDefinition } from '../functions/core/routes.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

/** Articles and API Gateway events of the benchmark. */

export const BENCH_SLUG = 'bench-article';
export const BENCH_TAG = 'featured';
export const EDITOR_ARN = 'arn:aws:iam::123456789012:user/bench-editor';

/** The Markdown body of the project's sample article (a real news story, ~3 KB). */
export function sampleBody(): string {
  const text = readFileSync(join(PROJECT_ROOT, 'fixtures', 'seed-article.md'), 'utf8');
  const match = /^---\n[\s\S]*?\n---\n+([\s\S]*)$/.exec(text);
  return (match?.[1] ?? text).trim();
}

/** A published article input, as the API would have validated it. */
export function articleInput(options: {
  slug: string;
  body: string;
  publishedAt: string;
  tags: string[];
}): CreateArticleInput {
  return {
    slug: options.slug,
    title: `Benchmark article ${options.slug}`,
    summary: 'A summary of about one line, as list pages show it under the title.',
    body: options.body,
    author: 'Newsdesk Bench',
    tags: options.tags,
    status: 'published',
    publishedAt: options.publishedAt,
  };
}

/** Headers API Gateway passes on for a typical request through its CloudFront edge. */
const GATEWAY_HEADERS: Readonly<Record<string, string>> = {
  Accept: 'application/json',
  'Accept-Encoding': 'gzip, deflate, br',
  'CloudFront-Forwarded-Proto': 'https',
  'CloudFront-Is-Desktop-Viewer': 'true',
  'CloudFront-Is-Mobile-Viewer': 'false',
  'CloudFront-Viewer-Country': 'GB',
  Host: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
  'User-Agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  Via: '2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)',
  'X-Amz-Cf-Id': 'Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Yz3Ab4Cd5Ef6Gh7Ij8==',
  'X-Amzn-Trace-Id': 'Root=1-67891233-abcdef012345678912345678',
  'X-Forwarded-For': '203.0.113.10, 130.176.0.1',
  'X-Forwarded-Port': '443',
  'X-Forwarded-Proto': 'https',
};

interface EventOptions {
  readonly route: Pick<RouteDefinition, 'method' | 'resource' | 'auth'>;
  readonly slug?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/** An API Gateway REST (v1) proxy event for `route`, as the deployed API sends it. */
export function proxyEvent({ route, slug, query, headers, body }: EventOptions): APIGatewayProxyEvent {
  const path = route.resource.replace('{slug}', slug ?? BENCH_SLUG);
  const allHeaders: Record<string, string> = {
    ...GATEWAY_HEADERS,
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...(route.auth === 'editor'
      ? {
          Authorization:
            'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
          'X-Amz-Date': '20250101T000000Z',
        }
      : {}),
    ...headers,
  };
  const editor = route.auth === 'editor';
  const hasQuery = query !== undefined && Object.keys(query).length > 0;
  return {
    resource: route.resource,
    path,
    httpMethod: route.method,
    headers: allHeaders,
    multiValueHeaders: Object.fromEntries(Object.entries(allHeaders).map(([k, v]) => [k, [v]])),
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: route.resource.includes('{slug}') ? { slug: slug ?? BENCH_SLUG } : null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: route.method,
      path: `/v1${path}`,
      stage: 'v1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1_735_689_600_000,
      resourceId: 'abc123',
      resourcePath: route.resource,
      identity: {
        accessKey: editor ? 'AKIDEXAMPLE' : null,
        accountId: editor ? '123456789012' : null,
        apiKey: null,
        apiKeyId: null,
        caller: editor ? 'AIDAEXAMPLEEXAMPLE' : null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: editor ? 'AIDAEXAMPLEEXAMPLE' : null,
        userAgent: GATEWAY_HEADERS['User-Agent'] ?? null,
        userArn: editor ? EDITOR_ARN : null,
      },
    },
  };
}
