import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  EditorClient,
  NetworkError,
  parseRetryAfter,
  type RetryPolicy,
  retryDelay,
} from '../../cli/client.ts';
import { explainResponse } from '../../cli/errors.ts';
import { verifySigV4 } from '../../local/sigv4.ts';

const KEY = { accessKeyId: 'AKIDEXAMPLE12345', secretAccessKey: 'secret/of+the+editor', userName: 'editor' };

interface Seen {
  method: string;
  url: string;
  body: string;
  verified: boolean | string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

let server: Server;
let base: string;
let handler: Handler = (_req, res) => res.end();
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const [path = '', rawQuery = ''] = (req.url ?? '').split('?');
      const result = await verifySigV4(
        { method: req.method ?? 'GET', path, rawQuery, headers: req.headers, body },
        { credentials: new Map([[KEY.accessKeyId, KEY]]), region: 'eu-west-1' },
      );
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: body.toString('utf8'),
        verified: result.ok ? true : result.reason,
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stage`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const fast: RetryPolicy = { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 };

function client(overrides: { secret?: string; retry?: RetryPolicy; sleeps?: number[] } = {}) {
  return new EditorClient({
    baseUrl: new URL(base),
    region: 'eu-west-1',
    credentials: async () => ({
      accessKeyId: KEY.accessKeyId,
      secretAccessKey: overrides.secret ?? KEY.secretAccessKey,
    }),
    retry: overrides.retry ?? fast,
    sleep: async (ms) => {
      overrides.sleeps?.push(ms);
    },
  });
}

describe('EditorClient', () => {
  it('signs requests the way the local server verifies them: stage path, query, exact body bytes', async () => {
    seen.length = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', etag: '"abc"' });
      res.end('{"ok":true}');
    };
    const c = client();
    const body = { title: 'Ünïcödé “quotes” and emoji 📰', tags: ['a'] };
    const put = await c.send('PUT', '/editor/articles/some-slug', { body, ifMatch: '"etag-1"' });
    const list = await c.send('GET', '/editor/articles', {
      query: { status: 'draft', limit: '5', cursor: 'eyJx+/=.abc_-' },
    });
    c.close();
    expect(put).toMatchObject({ status: 200, json: { ok: true }, attempts: 1 });
    expect(put.headers.etag).toBe('"abc"');
    expect(list.status).toBe(200);
    expect(seen.map((s) => s.verified)).toEqual([true, true]);
    expect(seen[0]?.url).toBe('/stage/editor/articles/some-slug');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual(body);
    expect(seen[1]?.url).toBe('/stage/editor/articles?status=draft&limit=5&cursor=eyJx%2B%2F%3D.abc_-');
  });

  it('is refused with a wrong secret', async () => {
    seen.length = 0;
    const c = client({ secret: 'wrong' });
    await c.send('GET', '/editor/articles/x');
    c.close();
    expect(seen[0]?.verified).toBe('signature-mismatch');
  });

  it('retries 503 honouring Retry-After, then returns the success', async () => {
    seen.length = 0;
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      if (calls < 3) {
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' });
        res.end('{"status":503}');
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{}');
    };
    const sleeps: number[] = [];
    const c = client({ sleeps });
    const response = await c.send('POST', '/editor/articles', { body: { title: 't' } });
    c.close();
    expect(response).toMatchObject({ status: 201, attempts: 3, maybeAppliedBefore: false });
    expect(sleeps).toHaveLength(2);
    // Each attempt is signed afresh and verifies.
    expect(seen.every((s) => s.verified === true)).toBe(true);
  });

  it('gives up after maxAttempts and returns the last response; a 500 may have been applied', async () => {
    handler = (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/problem+json' });
      res.end('{"detail":"boom"}');
    };
    const c = client({ retry: { ...fast, maxAttempts: 3 } });
    const response = await c.send('GET', '/editor/articles/x');
    c.close();
    expect(response).toMatchObject({ status: 500, attempts: 3, maybeAppliedBefore: true });
  });

  it('does not retry 4xx other than 429', async () => {
    handler = (_req, res) => {
      res.writeHead(412, { 'content-type': 'application/problem+json' });
      res.end('{"detail":"stale"}');
    };
    const c = client();
    const response = await c.send('PUT', '/editor/articles/x', { body: {}, ifMatch: '"x"' });
    c.close();
    expect(response.attempts).toBe(1);
  });

  it('turns repeated network failures into a NetworkError', async () => {
    const c = new EditorClient({
      baseUrl: new URL('http://127.0.0.1:1'),
      region: 'us-east-1',
      credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }),
      retry: { ...fast, maxAttempts: 2 },
      sleep: async () => {},
    });
    await expect(c.send('GET', '/editor/articles')).rejects.toBeInstanceOf(NetworkError);
    c.close();
  });
});

describe('backoff', () => {
  it('uses full jitter under an exponential ceiling', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(0, policy, undefined, () => 0.999)).toBe(99);
    expect(retryDelay(3, policy, undefined, () => 0.5)).toBe(400);
    expect(retryDelay(10, policy, undefined, () => 0.999)).toBe(999);
    expect(retryDelay(2, policy, undefined, () => 0)).toBe(0);
  });

  it('waits at least Retry-After, bounded', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxRetryAfterMs: 5000 };
    expect(retryDelay(0, policy, 2000, () => 0)).toBe(2000);
    expect(retryDelay(0, policy, 60_000, () => 0)).toBe(5000);
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('explainResponse', () => {
  const context = {
    request: 'PUT /editor/articles/x',
    endpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
    region: 'eu-west-1',
    service: 'execute-api',
    accessKeyId: 'AKIAABCDEFGHWXYZ',
    slug: 'x',
  };
  it('names the region, service and key on 403 and says signature or policy', () => {
    const [first, detail] = explainResponse(403, { message: 'Forbidden' }, context);
    expect(first).toMatch(/refused the request signature or the IAM policy/);
    expect(first).toMatch(/region eu-west-1, service execute-api/);
    expect(first).toMatch(/AKIA…WXYZ/);
    expect(first).not.toMatch(/AKIAABCDEFGHWXYZ/);
    expect(detail).toBe('  Forbidden');
  });

  it('says someone else changed the article on 412', () => {
    expect(explainResponse(412, {}, context)[0]).toMatch(/someone else changed "x"/);
  });

  it('shows problem+json detail and field errors as they came', () => {
    const lines = explainResponse(
      400,
      {
        detail: 'The request body does not follow the article rules.',
        errors: [{ path: 'tags.0', message: 'bad' }],
      },
      context,
    );
    expect(lines.slice(1)).toEqual([
      '  The request body does not follow the article rules.',
      '  tags.0: bad',
    ]);
  });
});
