import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  buildProxyEvent,
  type EventInput,
  encodeBody,
  formatRequestTime,
  headersFromRaw,
  mapProxyResult,
  parseQuery,
  writeResponse,
} from '../../local/event.ts';
import { splitTarget } from '../../local/server.ts';

const base = (overrides: Partial<EventInput> = {}): EventInput => ({
  method: 'GET',
  path: '/articles',
  rawQuery: '',
  rawHeaders: ['Host', '127.0.0.1:3000', 'User-Agent', 'curl/7.88.1', 'Accept', '*/*'],
  body: Buffer.alloc(0),
  resource: '/articles',
  pathParameters: null,
  sourceIp: '127.0.0.1',
  requestId: '00000000-0000-4000-8000-000000000000',
  now: new Date('2026-11-26T20:00:05Z'),
  ...overrides,
});

describe('buildProxyEvent (API Gateway REST v1 proxy event)', () => {
  it('builds a public GET event with nulls where API Gateway puts them', () => {
    const event: APIGatewayProxyEvent = buildProxyEvent(base());
    expect(event).toMatchObject({
      resource: '/articles',
      path: '/articles',
      httpMethod: 'GET',
      headers: { Host: '127.0.0.1:3000', 'User-Agent': 'curl/7.88.1', Accept: '*/*' },
      multiValueHeaders: { Host: ['127.0.0.1:3000'], 'User-Agent': ['curl/7.88.1'], Accept: ['*/*'] },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
    expect(event.requestContext).toMatchObject({
      requestId: '00000000-0000-4000-8000-000000000000',
      stage: 'local',
      resourcePath: '/articles',
      httpMethod: 'GET',
      path: '/articles',
      protocol: 'HTTP/1.1',
      accountId: '000000000000',
      requestTimeEpoch: Date.parse('2026-11-26T20:00:05Z'),
      requestTime: '26/Nov/2026:20:00:05 +0000',
      identity: {
        sourceIp: '127.0.0.1',
        userAgent: 'curl/7.88.1',
        userArn: null,
        accessKey: null,
        accountId: null,
        caller: null,
        user: null,
        cognitoIdentityId: null,
        apiKey: null,
      },
    });
  });

  it('fills the IAM identity of a signed request as API Gateway reports an IAM user', () => {
    const event = buildProxyEvent(
      base({
        method: 'post',
        path: '/editor/articles',
        resource: '/editor/articles',
        identity: {
          accessKeyId: 'AKIAEXAMPLE',
          userName: 'newsdesk-editor',
          userArn: 'arn:aws:iam::000000000000:user/newsdesk-editor',
        },
      }),
    );
    expect(event.httpMethod).toBe('POST');
    expect(event.requestContext.identity).toMatchObject({
      userArn: 'arn:aws:iam::000000000000:user/newsdesk-editor',
      accessKey: 'AKIAEXAMPLE',
      accountId: '000000000000',
      sourceIp: '127.0.0.1',
    });
    expect(event.requestContext.identity.caller).toMatch(/^AIDA[0-9A-Z]{17}$/);
    expect(event.requestContext.identity.user).toBe(event.requestContext.identity.caller);
  });

  it('decodes path parameters and keeps the raw path', () => {
    const event = buildProxyEvent(
      base({ path: '/articles/caf%C3%A9', resource: '/articles/{slug}', pathParameters: { slug: 'café' } }),
    );
    expect(event.path).toBe('/articles/caf%C3%A9');
    expect(event.pathParameters).toEqual({ slug: 'café' });
    expect(event.requestContext.resourcePath).toBe('/articles/{slug}');
  });

  it('maps single and repeated query parameters (last value wins in the single map)', () => {
    const event = buildProxyEvent(base({ rawQuery: 'limit=5&tag=a&tag=b&q=a+b%2Bc&empty&x=%E2%9C%93' }));
    expect(event.queryStringParameters).toEqual({ limit: '5', tag: 'b', q: 'a b+c', empty: '', x: '✓' });
    expect(event.multiValueQueryStringParameters).toEqual({
      limit: ['5'],
      tag: ['a', 'b'],
      q: ['a b+c'],
      empty: [''],
      x: ['✓'],
    });
  });

  it('keeps header casing and every value of a repeated header', () => {
    const { headers, multiValueHeaders } = headersFromRaw([
      'X-Custom',
      'one',
      'content-type',
      'application/json',
      'x-custom',
      'two',
    ]);
    expect(headers).toEqual({ 'X-Custom': 'two', 'content-type': 'application/json' });
    expect(multiValueHeaders).toEqual({ 'X-Custom': ['one', 'two'], 'content-type': ['application/json'] });
  });

  it('passes UTF-8 bodies as text and anything else as base64', () => {
    expect(encodeBody(Buffer.from('{"t":"ünï ✓"}'))).toEqual({
      body: '{"t":"ünï ✓"}',
      isBase64Encoded: false,
    });
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    expect(encodeBody(binary)).toEqual({ body: binary.toString('base64'), isBase64Encoded: true });
    expect(encodeBody(Buffer.alloc(0))).toEqual({ body: null, isBase64Encoded: false });
    const event = buildProxyEvent(base({ method: 'POST', body: binary }));
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(binary);
  });

  it('gives each event its own request id when none is given', () => {
    const { requestId: _none, ...input } = base();
    const a = buildProxyEvent(input);
    const b = buildProxyEvent(input);
    expect(a.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.requestContext.requestId).not.toBe(b.requestContext.requestId);
  });

  it('keeps the received header casing from a real node:http request', async () => {
    let captured: APIGatewayProxyEvent | undefined;
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { path, rawQuery } = splitTarget(req.url ?? '/');
        captured = buildProxyEvent({
          method: req.method ?? 'GET',
          path,
          rawQuery,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks),
          resource: '/editor/articles',
          pathParameters: null,
          sourceIp: req.socket.remoteAddress ?? '',
        });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/editor/articles?status=draft',
          headers: { 'X-Amz-Date': '20261126T200000Z', 'Content-Type': 'application/json', 'x-lower': 'v' },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end('{"a":1}');
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(captured?.headers).toMatchObject({
      'X-Amz-Date': '20261126T200000Z',
      'Content-Type': 'application/json',
      'x-lower': 'v',
    });
    expect(captured?.body).toBe('{"a":1}');
    expect(captured?.queryStringParameters).toEqual({ status: 'draft' });
    expect(captured?.requestContext.identity.sourceIp).toBe('127.0.0.1');
  });
});

describe('parseQuery / splitTarget / formatRequestTime', () => {
  it('returns nulls for an empty query', () => {
    expect(parseQuery('')).toEqual({ single: null, multi: null });
    expect(parseQuery('&&')).toEqual({ single: null, multi: null });
  });

  it('splits origin-form and absolute-form targets', () => {
    expect(splitTarget('/articles?limit=2')).toEqual({ path: '/articles', rawQuery: 'limit=2' });
    expect(splitTarget('/articles')).toEqual({ path: '/articles', rawQuery: '' });
    expect(splitTarget('http://127.0.0.1:3000/articles/a%20b?x=1')).toEqual({
      path: '/articles/a%20b',
      rawQuery: 'x=1',
    });
  });

  it('formats requestTime like API Gateway', () => {
    expect(formatRequestTime(new Date('2024-01-02T03:04:05Z'))).toBe('02/Jan/2024:03:04:05 +0000');
  });
});

describe('mapProxyResult / writeResponse', () => {
  it('merges headers and multiValueHeaders (multi-value wins) and decodes base64 bodies', () => {
    const mapped = mapProxyResult({
      statusCode: 201,
      headers: { ETag: '"1"', 'x-both': 'single' },
      multiValueHeaders: { 'X-Both': ['m1', 'm2'], Link: ['<a>', '<b>'] },
      body: Buffer.from('binary').toString('base64'),
      isBase64Encoded: true,
    });
    expect(mapped.statusCode).toBe(201);
    expect(Object.fromEntries(mapped.headers)).toEqual({
      ETag: ['"1"'],
      'X-Both': ['m1', 'm2'],
      Link: ['<a>', '<b>'],
      'Content-Type': ['application/json'],
    });
    expect(mapped.body.toString()).toBe('binary');
  });

  it('keeps the handler Content-Type and adds none to an empty body', () => {
    expect(
      Object.fromEntries(
        mapProxyResult({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'x' }).headers,
      ),
    ).toEqual({ 'content-type': ['text/plain'] });
    expect(mapProxyResult({ statusCode: 204, body: '' }).headers.size).toBe(0);
  });

  it('lets headers of the handler and headers already set win over the extra ones', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('Connection', 'close');
      writeResponse(
        res,
        mapProxyResult({ statusCode: 200, headers: { 'X-Amzn-RequestId': 'handler' }, body: 'x' }),
        { 'x-amzn-RequestId': 'extra', connection: 'keep-alive', 'X-Extra': 'e' },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.headers.get('x-amzn-requestid')).toBe('handler');
    expect(response.headers.get('connection')).toBe('close');
    expect(response.headers.get('x-extra')).toBe('e');
    expect(response.headers.get('content-length')).toBe('1');
    expect(await response.text()).toBe('x');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers with the right reason phrase after a response whose header was refused', async () => {
    const server = createServer((_req, res) => {
      try {
        writeResponse(res, mapProxyResult({ statusCode: 200, headers: { 'X-Bad': 'a\nb' }, body: 'x' }));
      } catch {
        writeResponse(res, mapProxyResult({ statusCode: 502, body: '{}' }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(502);
    expect(response.statusText).toBe('Bad Gateway');
    expect(response.headers.get('x-bad')).toBeNull();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('writes repeated headers as separate lines and no body for 304', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/304') {
        writeResponse(res, mapProxyResult({ statusCode: 304, headers: { ETag: '"e"' }, body: '' }));
        return;
      }
      writeResponse(
        res,
        mapProxyResult({
          statusCode: 200,
          multiValueHeaders: { 'X-Multi': ['a', 'b'] },
          body: '{"ok":true}',
        }),
        { 'x-amzn-RequestId': 'rid' },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.get('x-amzn-requestid')).toBe('rid');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ ok: true });
    const notModified = await fetch(`http://127.0.0.1:${port}/304`);
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe('"e"');
    expect(await notModified.text()).toBe('');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
