import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ArticleService } from '../../functions/core/articles.ts';
import { DynamoArticleStore } from '../../functions/core/store/dynamo-store.ts';
import { createTableInput } from '../../functions/core/table.ts';
import '../setup/provided.ts';

export const TEST_CURSOR_SECRET = 'integration-cursor-secret-0123456789abcdef';

/** A Document client on the run's DynamoDB Local. */
export function localDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint: inject('dynamodbEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Creates a fresh table (the shared definition) on DynamoDB Local; returns its name. */
export async function createTestTable(client: DynamoDBDocumentClient): Promise<string> {
  const name = `t-${randomUUID()}`;
  await client.send(new CreateTableCommand(createTableInput(name)));
  return name;
}

export interface Clock {
  now: Date;
  (): Date;
}

/** A settable clock for scheduled-visibility tests (no sleeps). */
export function fixedClock(start: string): Clock {
  const clock = (() => clock.now) as Clock;
  clock.now = new Date(start);
  return clock;
}

/** A service and store on a fresh table of DynamoDB Local. */
export async function localService(clock: () => Date = () => new Date()) {
  const client = localDocumentClient();
  const tableName = await createTestTable(client);
  const store = new DynamoArticleStore(client, tableName);
  const service = new ArticleService({ store, cursorSecret: TEST_CURSOR_SECRET, clock });
  return { client, tableName, store, service };
}
