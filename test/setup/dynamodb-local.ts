/**
 * Vitest global setup: ONE DynamoDB Local for the whole run (random port on 127.0.0.1,
 * in memory), always stopped (teardown, plus the exit/signal handlers and watchdog of
 * local/dynamodb-local.ts). Tests read its URL with `inject('dynamodbEndpoint')`.
 *
 * The table named by the test env's TABLE_NAME is created (from the shared table
 * definition) so handler-level tests can use it directly; tests that need an isolated
 * table create their own with `createTableInput(uniqueName)`.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import './provided.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tableName = project.config.env?.TABLE_NAME ?? 'newsdesk-test';
  const started = Date.now();
  const ddb = await startDynamoDbLocal({ tableName: String(tableName) });
  if (process.env.NEWSDESK_TEST_VERBOSE) {
    console.log(`DynamoDB Local on ${ddb.endpoint} (pid ${ddb.pid}) in ${Date.now() - started} ms`);
  }
  project.provide('dynamodbEndpoint', ddb.endpoint);
  return async () => {
    await ddb.stop();
  };
}
