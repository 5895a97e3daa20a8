import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { type Credentials, signedFetch, signedHeaders } from '../support/sigv4.ts';
import { badSlug, hostileText, oddEtag, XSS_PAYLOADS } from './arbitraries.ts';
import { type Answer, answerViolations } from './checks.ts';
import { checkConsistency } from './invariants.ts';
import { rawRequest } from './raw-http.ts';
import type { RouteKey } from './routes.ts';
import { describeDiff, diff, rawClient, restore, type Snapshot, scanAll, snapshot } from './table.ts';

/**
 * Hostile input that only exists on the wire, through the local server over real HTTP:
 * repeated headers, huge query strings, odd request targets, wrong methods, every kind
 * of bad signature. FUZZ_HTTP_RUNS requests (default 400). Properties as in-process:
 * never 5xx, errors as problem+json, CORS and nosniff on every answer, a rejected write
 * leaves the table byte-for-byte unchanged.
 */

const RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const credentials: Credentials = {
  accessKeyId: 'AKIDFUZZHTTP00000001',
  secretAccessKey: 'fuzz-http-secret-key-0123456789abcdefghij',
};

let server: LocalServer;
let dataDir: string;
let raw: DynamoDBClient;
let baseline: Snapshot;
const etags: Record<string, string> = {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-fuzz-http-'));
  server = await startLocalServer({
    port: 0,
    dataDir,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `fuzz-http-${randomUUID()}`,
    editor: credentials,
    seed: false,
    log: () => {},
  });
  raw = rawClient(inject('dynamodbEndpoint'));
  const create = async (body: Record<string, unknown>) => {
    const answer = await signedFetch(credentials, `${server.url}/editor/articles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(answer.status, await answer.text()).toBe(201);
    etags[String(body.slug)] = answer.headers.get('etag') ?? '';
  };
  await create({
    slug: 'pub-one',
    title: 'One',
    body: 'One *body*',
    tags: ['news'],
    publishedAt: '2024-05-31T06:00:00Z',
  });
  await create({
    slug: 'pub-two',
    title: 'Two',
    body: 'Two',
    tags: ['news', 'world'],
    publishedAt: '2024-05-30T06:00:00Z',
  });
  await create({ slug: 'draft', title: 'Draft', body: 'Draft', status: 'draft' });
  await create({ slug: 'gone', title: 'Gone', body: 'Gone' });
  const gone = await signedFetch(credentials, `${server.url}/editor/articles/gone`, { method: 'DELETE' });
  expect(gone.status).toBe(204);
  delete etags.gone;
  baseline = await snapshot(raw, server.tableName);
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

type Signing =
  | 'valid'
  | 'none'
  | 'garbage'
  | 'wrong-secret'
  | 'unknown-key'
  | 'expired'
  | 'tampered-body'
  | 'twice';

interface HttpCase {
  readonly method: string;
  readonly path: string;
  /** Raw query string (without '?'), sent as is. */
  readonly query: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string | undefined;
  readonly signing: Signing;
}

const SLUGS = ['pub-one', 'pub-two', 'draft', 'gone', 'missing'];

const path = fc.oneof(
  { arbitrary: fc.constantFrom('/articles', '/editor/articles'), weight: 6 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('/articles/', '/editor/articles/'), fc.constantFrom(...SLUGS))
      .map(([a, b]) => a + b),
    weight: 6,
  },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('/articles/', '/editor/articles/'), fc.oneof(badSlug, hostileText))
      .map(([a, b]) => a + encodeURIComponent(b.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'))),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      '/',
      '/articles/',
      '//articles',
      '/articles//pub-one',
      '/articles/pub-one/',
      '/articles/pub-one/extra',
      '/ARTICLES',
      '/Articles/pub-one',
      '/articles.json',
      '/editor',
      '/editor/',
      '/editor/articles/pub-one/revisions',
      '/articles/%70ub-one',
      '/articles/pub%2Done',
      '/articles/%2e%2e',
      '/articles/..%2f..%2fetc%2fpasswd',
      '/editor/../articles',
      '/articles/a%00b',
      '/articles/%ZZ',
      '/articles/%',
      '/articles/%C0%AF',
      `/articles/${'a'.repeat(3_000)}`,
      '/articles;jsessionid=1',
      '*',
    ),
    weight: 3,
  },
);

const pair = (k: string, v: string) =>
  `${encodeURIComponent(k)}=${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'))}`;

const query = fc.oneof(
  { arbitrary: fc.constant(''), weight: 6 },
  {
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom('limit', 'cursor', 'tag', 'status', 'x'),
          fc.oneof(fc.constantFrom('1', '20', '100', '0', '101', 'news', 'draft', ''), hostileText),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => pairs.map(([k, v]) => pair(k, v)).join('&')),
    weight: 4,
  },
  // Huge: thousands of parameters (up to about 12 KB, inside the server's 16 KB header limit).
  {
    arbitrary: fc
      .constantFrom(300, 1_000)
      .map((n) => Array.from({ length: n }, (_, i) => `p${i}=${i % 10}`).join('&')),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(2, 50).map((n) => Array.from({ length: n }, () => 'limit=5').join('&')),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(
      'limit=%ZZ',
      'limit=%00',
      'limit=1&limit=2',
      'tag=news&tag=world',
      'limit',
      '=&=&=',
      '&&&',
      'limit=+5',
      'limit=5#frag',
      '__proto__=1&constructor=2',
      `cursor=${'A'.repeat(4_000)}`,
      'tag=%F0%9F%98%80',
      'tag=%ED%A0%80',
    ),
    weight: 2,
  },
);

const headerLines = () => {
  const line = (names: string[], values: fc.Arbitrary<string>, weight: number) => ({
    arbitrary: fc.tuple(fc.constantFrom(...names), values),
    weight,
  });
  return fc.array(
    fc.oneof(
      line(
        ['If-None-Match', 'if-none-match', 'If-Match'],
        fc.oneof(
          fc.constantFrom(...Object.values(etags), '"x"'),
          oddEtag.filter((v) => /^[\t\x20-\x7e]*$/.test(v) && v.trim() === v && v.length < 8_000),
        ),
        4,
      ),
      line(
        ['Content-Type', 'content-type'],
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', ''),
        2,
      ),
      line(['Authorization'], fc.constantFrom('Bearer x', 'AWS4-HMAC-SHA256 Credential=x', 'Basic YTpi'), 1),
      line(['X-Amz-Security-Token'], fc.constantFrom('token'), 1),
      line(['Origin'], fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1'), 2),
      line(
        ['X-Forwarded-For', 'X-HTTP-Method-Override', 'Accept-Encoding', 'Cookie'],
        fc.constantFrom('x', 'DELETE', 'gzip', '127.0.0.1, 10.0.0.1'),
        2,
      ),
      line(['Idempotency-Key'], fc.constantFrom('k-1', 'k-2', 'a b', 'x'.repeat(129)), 2),
      line(['X-Padding'], fc.constantFrom('x'.repeat(4_000), 'y'), 1),
    ),
    { maxLength: 4 },
  );
};

const body = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 4 },
  {
    arbitrary: fc
      .record({
        title: fc.oneof(fc.constantFrom('Wire title', 'Ünïcødé'), hostileText),
        body: fc.oneof(fc.constantFrom(...XSS_PAYLOADS), fc.string()),
        tags: fc.constantFrom([], ['news'], ['news', 'news']),
      })
      .map((o) => JSON.stringify(o)),
    weight: 4,
  },
  {
    arbitrary: fc.constantFrom(
      '{',
      'null',
      '[]',
      '',
      '{"__proto__":{"x":1},"title":"t","body":"b"}',
      'x'.repeat(300_000),
    ),
    weight: 1,
  },
);

const ROUTE_TEMPLATES = [
  ['GET', '/articles'],
  ['GET', '/articles/'],
  ['POST', '/editor/articles'],
  ['GET', '/editor/articles'],
  ['GET', '/editor/articles/'],
  ['PUT', '/editor/articles/'],
  ['DELETE', '/editor/articles/'],
] as const;

/** A method and path that name a route (with a known or unknown slug), or any pairing at all. */
const methodAndPath = fc.oneof(
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...ROUTE_TEMPLATES), fc.constantFrom(...SLUGS))
      .map(([[method, prefix], slug]) => ({ method, path: prefix.endsWith('/') ? prefix + slug : prefix })),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      method: fc.oneof(
        { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), weight: 8 },
        {
          arbitrary: fc.constantFrom('PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'PURGE', 'SEARCH'),
          weight: 2,
        },
      ),
      path,
    }),
    weight: 2,
  },
);

const cases = (): fc.Arbitrary<HttpCase> =>
  fc
    .record({
      route: methodAndPath,
      query,
      headers: headerLines(),
      body,
      signing: fc.oneof(
        { arbitrary: fc.constant<Signing>('valid'), weight: 6 },
        {
          arbitrary: fc.constantFrom<Signing>(
            'none',
            'garbage',
            'wrong-secret',
            'unknown-key',
            'expired',
            'tampered-body',
            'twice',
          ),
          weight: 3,
        },
      ),
    })
    .map(({ route, ...rest }) => ({ ...rest, method: route.method, path: route.path }))
    // Inside the server's 16 KB limit for the request line and headers (past it, see the test below).
    .filter(
      (c) =>
        c.path.length + c.query.length + c.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0) <
        14_000,
    );

/** The route a request names, when it names one exactly. */
function routeOf(method: string, target: string): RouteKey | undefined {
  if (target.includes('//')) return undefined;
  const editor = target.startsWith('/editor/articles');
  const rest = target.slice(editor ? '/editor/articles'.length : '/articles'.length);
  if (!editor && !target.startsWith('/articles')) return undefined;
  const item = /^\/[^/]+$/.test(rest);
  if (rest !== '' && !item) return undefined;
  const key = `${method} ${editor ? '/editor' : ''}/articles${item ? '/{slug}' : ''}`;
  const known: RouteKey[] = [
    'GET /articles',
    'GET /articles/{slug}',
    'POST /editor/articles',
    'GET /editor/articles',
    'GET /editor/articles/{slug}',
    'PUT /editor/articles/{slug}',
    'DELETE /editor/articles/{slug}',
  ];
  return known.find((k) => k === key);
}

async function send(c: HttpCase): Promise<Answer> {
  const target = c.query === '' ? c.path : `${c.path}?${c.query}`;
  const contentType =
    c.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ??
    (c.body === undefined ? undefined : 'application/json');
  const lines: [string, string][] = c.headers
    .filter(([n]) => n.toLowerCase() !== 'content-type')
    .map(([n, v]) => [n, v]);
  if (contentType !== undefined) lines.push(['Content-Type', contentType]);
  // Repeated content types: the second one travels unsigned.
  for (const [n, v] of c.headers.filter(([n]) => n.toLowerCase() === 'content-type').slice(1))
    lines.push([n, v]);
  const url = `${server.url}${target.startsWith('/') ? target : `/${target}`}`;
  let sentBody = c.body;
  if (c.signing !== 'none' && !lines.some(([n]) => n === 'Authorization')) {
    const keys =
      c.signing === 'wrong-secret'
        ? { ...credentials, secretAccessKey: `${credentials.secretAccessKey}x` }
        : c.signing === 'unknown-key'
          ? { ...credentials, accessKeyId: 'AKIDUNKNOWN000000000' }
          : credentials;
    const signingDate = c.signing === 'expired' ? new Date(Date.now() - 10 * 60_000) : undefined;
    let signed: Record<string, string>;
    try {
      signed = await signedHeaders(keys, url, {
        method: c.method,
        headers: contentType === undefined ? {} : { 'content-type': contentType },
        ...(c.body === undefined ? {} : { body: c.body }),
        ...(signingDate === undefined ? {} : { signingDate }),
      });
    } catch {
      signed = {};
    }
    const authorization = c.signing === 'garbage' ? 'AWS4-HMAC-SHA256 garbage' : (signed.authorization ?? '');
    for (const [name, value] of Object.entries(signed)) {
      if (!['host', 'content-type', 'authorization'].includes(name.toLowerCase())) lines.push([name, value]);
    }
    lines.push(['Authorization', authorization]);
    if (c.signing === 'twice') lines.push(['Authorization', authorization]);
    if (c.signing === 'tampered-body') sentBody = `${c.body ?? ''} `;
  }
  try {
    return await rawRequest({
      base: server.url,
      method: c.method,
      target,
      headers: lines,
      ...(sentBody === undefined ? {} : { body: sentBody }),
    });
  } catch (error) {
    return { status: 0, headers: {}, body: `request failed: ${String(error)}` };
  }
}

function httpViolations(c: HttpCase, answer: Answer): string[] {
  const v: string[] = [];
  if (answer.status === 0 || answer.status >= 500)
    v.push(`status ${answer.status}: ${answer.body.slice(0, 300)}`);
  // nosniff matters for answers with a body (a preflight's 204 has none).
  if (answer.body !== '' && answer.headers['x-content-type-options'] !== 'nosniff') v.push('no nosniff');
  if (c.method !== 'OPTIONS' && answer.headers['access-control-allow-origin'] === undefined)
    v.push('no Access-Control-Allow-Origin');
  if (answer.status >= 400) {
    if (answer.headers['content-type'] !== 'application/problem+json')
      v.push(`error content type ${answer.headers['content-type']}`);
    if (c.method !== 'HEAD') {
      try {
        const problem = JSON.parse(answer.body) as { status?: unknown; title?: unknown };
        if (problem.status !== answer.status || typeof problem.title !== 'string')
          v.push('not a problem document');
      } catch {
        v.push(`error body is not JSON: ${answer.body.slice(0, 100)}`);
      }
    }
  }
  const route = routeOf(c.method, c.path);
  if (route !== undefined && answer.status !== 403 && answer.status !== 413) {
    v.push(...answerViolations(route, answer).filter((x) => !x.startsWith('no Access-Control')));
  }
  return v;
}

describe('hostile requests on the wire (local server)', () => {
  it(`${RUNS} requests: never 5xx, problem+json errors, a rejected write leaves the table unchanged`, async () => {
    const statuses: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(cases(), async (c) => {
        const answer = await send(c);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        const problems = httpViolations(c, answer);
        if (['POST', 'PUT', 'DELETE'].includes(c.method)) {
          const after = await snapshot(raw, server.tableName);
          if ((answer.status < 200 || answer.status >= 300) && !after.bytes.equals(baseline.bytes)) {
            problems.push(
              `rejected (${answer.status}) but the table changed: ${describeDiff(diff(baseline, after))}`,
            );
          }
          if (!after.bytes.equals(baseline.bytes)) {
            problems.push(...checkConsistency([...after.raw.values()]).violations);
            await restore(raw, server.tableName, baseline, after);
          }
        }
        if (problems.length > 0) {
          throw new Error(
            `${c.method} ${c.path}?${c.query.slice(0, 80)} → ${answer.status}\n  ${problems.join('\n  ')}\n  body: ${answer.body.slice(0, 300)}`,
          );
        }
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    if (process.env.NEWSDESK_TEST_VERBOSE)
      console.log(`HTTP fuzz: ${RUNS} requests, statuses ${JSON.stringify(statuses)}`);
    const final = await scanAll(raw, server.tableName);
    expect(checkConsistency(final).violations).toEqual([]);
    expect(Object.keys(statuses).some((s) => Number(s) < 300)).toBe(true);
  }, 300_000);

  it('the same header twice reaches the function as API Gateway passes it, and never confuses it', async () => {
    const target = '/articles/pub-one';
    const etag = etags['pub-one'] ?? '';
    // If-None-Match twice: the function sees the last one (a miss, then a hit).
    const twice = await rawRequest({
      base: server.url,
      method: 'GET',
      target,
      headers: [
        ['If-None-Match', etag],
        ['If-None-Match', '"other"'],
      ],
    });
    expect([200, 304]).toContain(twice.status);
    const hit = await rawRequest({
      base: server.url,
      method: 'GET',
      target,
      headers: [
        ['If-None-Match', '"other"'],
        ['If-None-Match', etag],
      ],
    });
    expect([200, 304]).toContain(hit.status);
    // A public route ignores any Authorization, even two of them.
    const authed = await rawRequest({
      base: server.url,
      method: 'GET',
      target,
      headers: [
        ['Authorization', 'x'],
        ['Authorization', 'y'],
      ],
    });
    expect(authed.status).toBe(200);
  });

  it('a request line past the server header limit is refused with a 4xx, never a 5xx', async () => {
    const huge = Array.from({ length: 3_000 }, (_, i) => `p${i}=xxxxxx`).join('&');
    const answer = await rawRequest({ base: server.url, method: 'GET', target: `/articles?${huge}` });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });
});
