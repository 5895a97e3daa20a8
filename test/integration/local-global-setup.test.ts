import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, inject, test } from 'vitest';
import { TABLE } from '../../functions/core/table.ts';

test('global setup provides a live DynamoDB Local with the test table (TABLE_NAME) created', async () => {
  const endpoint = inject('dynamodbEndpoint');
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const ddb = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  try {
    const { Table } = await ddb.send(
      new DescribeTableCommand({ TableName: process.env.TABLE_NAME ?? 'newsdesk-test' }),
    );
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      Object.values(TABLE.indexes)
        .map((index) => index.name)
        .sort(),
    );
  } finally {
    ddb.destroy();
  }
});
