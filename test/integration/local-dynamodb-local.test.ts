import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, JavaNotFoundError, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { type Child, childEnv, killChild, spawnTsx, waitUntilGone } from '../e2e/support/process.ts';

const client = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('startDynamoDbLocal', () => {
  let running: DynamoDbLocal | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('keeps data in dbPath across a stop and a start, creates the table once, and stop() ends Java', async () => {
    const dbPath = mkdtempSync(join(tmpdir(), 'newsdesk-ddb-'));
    dirs.push(dbPath);
    running = await startDynamoDbLocal({ dbPath, tableName: 'persist-test' });
    expect(running.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const first = client(running.endpoint);
    await first.send(
      new PutItemCommand({
        TableName: 'persist-test',
        Item: { pk: { S: 'ARTICLE#a' }, sk: { S: 'A' }, v: { N: '1' } },
      }),
    );
    first.destroy();
    const { pid } = running;
    await running.stop();
    running = undefined;
    expect(await waitUntilGone(pid, 1_000)).toBe(true);

    running = await startDynamoDbLocal({ dbPath, tableName: 'persist-test' });
    const second = client(running.endpoint);
    const { Item } = await second.send(
      new GetItemCommand({ TableName: 'persist-test', Key: { pk: { S: 'ARTICLE#a' }, sk: { S: 'A' } } }),
    );
    expect(Item?.v).toEqual({ N: '1' });
    expect((await second.send(new ListTablesCommand({}))).TableNames).toEqual(['persist-test']);
    second.destroy();
  }, 180_000);

  it('says what to install when there is no java on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const error = await startDynamoDbLocal({}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JavaNotFoundError);
      expect(String((error as Error).message)).toMatch(/Java 17.*openjdk-17-jre-headless/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

// A child process that starts DynamoDB Local, prints its pid, then waits (or exits).
const CHILD = (thenExit: boolean) => `
import { startDynamoDbLocal } from './local/dynamodb-local.ts';
const ddb = await startDynamoDbLocal({});
console.log('JAVA_PID=' + ddb.pid);
${thenExit ? "setTimeout(() => console.log('bye'), 200);" : 'setInterval(() => {}, 60_000);'}
`;

describe('no DynamoDB Local outlives the process that started it', () => {
  let child: Child | undefined;
  afterEach(async () => {
    await killChild(child);
    child = undefined;
  });

  const start = async (thenExit: boolean) => {
    child = spawnTsx(['--input-type=module', '-e', CHILD(thenExit)], childEnv({}));
    const match = await child.waitFor(/JAVA_PID=(\d+)/, 90_000);
    return Number(match[1]);
  };

  it('normal exit', { timeout: 120_000 }, async () => {
    const javaPid = await start(true);
    const exit = await child?.exited();
    expect(exit?.code).toBe(0);
    expect(await waitUntilGone(javaPid, 8_000)).toBe(true);
  });

  it('SIGTERM of the parent', { timeout: 120_000 }, async () => {
    const javaPid = await start(false);
    child?.process.kill('SIGTERM');
    await child?.exited();
    expect(await waitUntilGone(javaPid, 8_000)).toBe(true);
  });

  it('SIGKILL of the parent (the watchdog stops Java)', { timeout: 120_000 }, async () => {
    const javaPid = await start(false);
    child?.process.kill('SIGKILL');
    await child?.exited();
    expect(await waitUntilGone(javaPid, 10_000)).toBe(true);
  });
});
