/**
 * `startLocalServer` in-process (what benchmarks and tools use): on the run's DynamoDB
 * Local, a table of its own, closed at the end.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { signedFetch, tempDataDir } from './support/server.ts';

describe('startLocalServer', () => {
  let server: LocalServer;
  const lines: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer({
      port: 0,
      dataDir: tempDataDir(),
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: `newsdesk-inproc-${randomUUID().slice(0, 8)}`,
      editor: { accessKeyId: 'AKIAINPROCESSTEST001', secretAccessKey: `in-process-${randomUUID()}` },
      log: (line) => lines.push(line),
    });
  }, 60_000);

  afterAll(async () => {
    await server.close();
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('serves the API on 127.0.0.1 with the sample article and logs one line per request', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.seed.state).toBe('published');
    const list = await fetch(`${server.url}/articles`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^GET \/articles -> 200 \d+ms$/);
  });

  it('checks signatures with the given editor key and reports the caller as an IAM user', async () => {
    const credentials = {
      accessKeyId: server.editor.accessKeyId,
      secretAccessKey: server.editor.secretAccessKey,
    };
    const created = await signedFetch({ credentials }, `${server.url}/editor/articles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'In process', body: 'hello' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      slug: 'in-process',
      createdBy: 'arn:aws:iam::000000000000:user/newsdesk-editor',
    });
    const refused = await signedFetch(
      { credentials: { ...credentials, secretAccessKey: 'wrong' } },
      `${server.url}/editor/articles`,
    );
    expect(refused.status).toBe(403);
    expect(lines.at(-1)).toMatch(/-> 403 .*signature-mismatch/);
  });

  it('close() stops listening', async () => {
    const other = await startLocalServer({
      port: 0,
      dataDir: server.dataDir,
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: server.tableName,
      editor: { accessKeyId: server.editor.accessKeyId, secretAccessKey: server.editor.secretAccessKey },
    });
    expect(other.seed.state).toBe('already-seeded');
    await other.close();
    await expect(fetch(`${other.url}/articles`)).rejects.toThrow();
  });
});
