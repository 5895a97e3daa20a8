import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { expect, inject, test } from 'vitest';

test('global setup provides a live DynamoDB Local', async () => {
  const endpoint = inject('dynamodbEndpoint');
  const ddb = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const out = await ddb.send(new ListTablesCommand({}));
  expect(out.TableNames).toContain('newsdesk-test');
  ddb.destroy();
});
