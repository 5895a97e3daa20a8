import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as createArticle } from '../../functions/create-article.ts';
import { handler as getArticle } from '../../functions/get-article.ts';
import { apiEvent, EDITOR_ARN, invoke } from '../support/events.ts';

// The logger reads its level once, at cold start (import), like in Lambda.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});

const ddb = mockClient(DynamoDBDocumentClient);

describe('structured logs', () => {
  let lines: string[];

  beforeEach(() => {
    ddb.reset();
    lines = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const records = () =>
    lines
      .join('')
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('logs requests answered below 500 at DEBUG only (API Gateway logs every request)', async () => {
    ddb.on(GetCommand).resolves({});
    const event = apiEvent({
      method: 'GET',
      resource: '/articles/{slug}',
      path: '/articles/x',
      pathParameters: { slug: 'x' },
    });
    expect((await invoke(getArticle, event)).status).toBe(404);
    expect(records().filter((r) => r.message === 'request')).toEqual([]);

    // At DEBUG (read at cold start: a fresh copy of the handler's modules) the line is there.
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    vi.resetModules();
    try {
      const fresh = await import('../../functions/get-article.ts');
      expect((await invoke(fresh.handler, event)).status).toBe(404);
    } finally {
      process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    }
    expect(records().find((r) => r.message === 'request')).toMatchObject({
      level: 'DEBUG',
      route: 'GET /articles/{slug}',
      method: 'GET',
      status: 404,
      latencyMs: expect.any(Number),
      function_request_id: 'aws-req-0001',
      apiRequestId: 'req-0001',
    });
  });

  it('logs a request answered with 500 or more at WARN, with request id, route, status and latency', async () => {
    ddb.on(GetCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await invoke(
      getArticle,
      apiEvent({
        method: 'GET',
        resource: '/articles/{slug}',
        path: '/articles/x',
        pathParameters: { slug: 'x' },
      }),
    );
    const access = records().find((r) => r.message === 'request');
    expect(access).toMatchObject({
      level: 'WARN',
      route: 'GET /articles/{slug}',
      method: 'GET',
      status: 503,
      latencyMs: expect.any(Number),
      function_request_id: 'aws-req-0001',
      apiRequestId: 'req-0001',
    });
  });

  it('never logs an article body or an Authorization header, even on failure', async () => {
    ddb.on(TransactWriteCommand).rejects(new Error('boom'));
    const secretBody = 'SECRET-BODY-TEXT-1234';
    const authorization =
      'AWS4-HMAC-SHA256 Credential=AKIDSECRET/20260101/us-east-1/execute-api/aws4_request';
    const response = await invoke(
      createArticle,
      apiEvent({
        method: 'POST',
        resource: '/editor/articles',
        path: '/editor/articles',
        headers: { 'Content-Type': 'application/json', Authorization: authorization },
        body: JSON.stringify({ title: 'T', body: secretBody }),
        userArn: EDITOR_ARN,
      }),
    );
    expect(response.status).toBe(500);
    const output = lines.join('');
    expect(records().some((r) => r.message === 'unhandled error')).toBe(true);
    expect(output).not.toContain(secretBody);
    expect(output).not.toContain('AKIDSECRET');
    expect(output).not.toContain('AWS4-HMAC-SHA256');
  });
});
