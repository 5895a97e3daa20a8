import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedFetch, signedHeaders } from '../support/sigv4.ts';
import { rawRequest } from './raw-http.ts';

/**
 * No secret ever reaches the logs: the local server runs as `npm start` does (a child
 * process) with the handlers' logger at DEBUG, gets signed and unsigned requests that
 * carry secrets in every place a request can, and its whole stdout and stderr are then
 * searched for them.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const token = (label: string) => `${label}-${randomBytes(8).toString('hex')}`;

const credentials = {
  accessKeyId: `AKID${randomBytes(8).toString('hex').toUpperCase()}`,
  secretAccessKey: token('SECRETKEY'),
};
const SECRETS = {
  secretKey: credentials.secretAccessKey,
  body: token('BODYTEXT'),
  summary: token('SUMMARYTEXT'),
  title: token('TITLETEXT'),
  rejectedBody: token('REJECTEDBODY'),
  tamperedBody: token('TAMPEREDBODY'),
  securityToken: token('SESSIONTOKEN'),
  publicAuthorization: token('BEARERTOKEN'),
  cookie: token('COOKIE'),
};

let child: ChildProcess;
let output = '';
let url = '';
let dataDir: string;
const signatures: string[] = [];

async function waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output);
    if (match !== null) return match;
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${output}`);
    if (Date.now() > deadline) throw new Error(`server not ready within ${timeoutMs} ms: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-logs-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    NEWSDESK_DATA_DIR: dataDir,
    DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
    NEWSDESK_TABLE_NAME: `logs-${randomUUID()}`,
    NEWSDESK_EDITOR_ACCESS_KEY_ID: credentials.accessKeyId,
    NEWSDESK_EDITOR_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    // Everything the handlers' logger can say.
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  delete env.TABLE_NAME;
  delete env.CURSOR_SECRET;
  child = spawn(process.execPath, ['--import', 'tsx', 'bin/local-server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  url = (await waitFor(/Newsdesk local API ready at (http:\/\/127\.0\.0\.1:\d+)/, 90_000))[1] ?? '';
  await waitFor(/Stop with Ctrl-C\./, 5_000);

  const send = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = await signedHeaders(credentials, `${url}${path}`, {
      method,
      headers: { ...(text === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
      ...(text === undefined ? {} : { body: text }),
    });
    signatures.push(headers.authorization ?? '');
    return rawRequest({
      base: url,
      method,
      target: path,
      headers: Object.entries(headers),
      ...(text === undefined ? {} : { body: text }),
    });
  };

  const article = {
    slug: 'logged',
    title: SECRETS.title,
    summary: SECRETS.summary,
    body: SECRETS.body,
    tags: ['news'],
  };
  const created = await send('POST', '/editor/articles', article, { 'idempotency-key': 'log-test' });
  expect(created.status, created.body).toBe(201);
  const updated = await send(
    'PUT',
    '/editor/articles/logged',
    { title: article.title, summary: article.summary, body: `${SECRETS.body} v2`, tags: article.tags },
    { 'if-match': created.headers.etag ?? '' },
  );
  expect(updated.status).toBe(200);
  expect((await send('GET', '/editor/articles?limit=5&status=published')).status).toBe(200);
  expect((await send('GET', '/editor/articles/logged')).status).toBe(200);
  // Rejected by the function (validation) and by the gateway (body swapped after signing).
  expect(
    (await send('POST', '/editor/articles', { title: 'x', body: SECRETS.rejectedBody, tags: 'nope' })).status,
  ).toBe(400);
  const tamperedHeaders = await signedHeaders(credentials, `${url}/editor/articles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  signatures.push(tamperedHeaders.authorization ?? '');
  const tampered = await rawRequest({
    base: url,
    method: 'POST',
    target: '/editor/articles',
    headers: Object.entries(tamperedHeaders),
    body: JSON.stringify({ title: 't', body: SECRETS.tamperedBody }),
  });
  expect(tampered.status).toBe(403);
  // A session token the local server does not accept.
  expect(
    (await send('GET', '/editor/articles', undefined, { 'x-amz-security-token': SECRETS.securityToken }))
      .status,
  ).toBe(403);
  // Public routes ignore credentials, but must not log them either.
  const publicRead = await rawRequest({
    base: url,
    method: 'GET',
    target: '/articles/logged',
    headers: [
      ['Authorization', `Bearer ${SECRETS.publicAuthorization}`],
      ['Cookie', `session=${SECRETS.cookie}`],
    ],
  });
  expect(publicRead.status).toBe(200);
  const deleted = await signedFetch(credentials, `${url}/editor/articles/logged`, { method: 'DELETE' });
  expect(deleted.status).toBe(204);
  // Let the last lines flush.
  await new Promise((resolve) => setTimeout(resolve, 300));
}, 120_000);

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('server logs (stdout and stderr of the local server, handler logger at DEBUG)', () => {
  it('record the requests', () => {
    expect(output).toMatch(/POST \/editor\/articles -> 201/);
    expect(output).toMatch(/PUT \/editor\/articles\/logged -> 200/);
    expect(output).toMatch(/POST \/editor\/articles -> 403/);
    // The handlers' structured access log is on (JSON lines), not silenced.
    const accessLines = output
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"message":"request"'));
    expect(accessLines.length).toBeGreaterThanOrEqual(6);
  });

  it.each(Object.entries(SECRETS))('never contain the %s', (_, secret) => {
    expect(output).not.toContain(secret);
  });

  it('never contain an Authorization header or a signature', () => {
    expect(output).not.toMatch(/AWS4-HMAC-SHA256/);
    expect(output).not.toMatch(/authorization/i);
    for (const authorization of signatures) {
      const signature = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1];
      expect(signature).toBeDefined();
      expect(output).not.toContain(signature);
    }
  });

  it('never contain a request or response body field (after the ready block and its curl example)', () => {
    const requestLog = output.slice(output.indexOf('Stop with Ctrl-C.'));
    expect(requestLog).not.toMatch(/"(body|bodyHtml|title|summary)"/);
  });
});
