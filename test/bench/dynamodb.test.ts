import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoStub, startStub } from '../../bench/dynamodb.ts';
import { routeEvent } from '../../bench/lambda.ts';
import { sampleArticle } from '../../bench/seed.ts';
import { TABLE } from '../../functions/core/table.ts';
import { lambdaContext } from '../../local/event.ts';

// The bench's DynamoDB stub: DynamoDB's wire protocol as the SDK speaks it, and the project's
// own handlers writing to it and reading back what they wrote.

let stub: DynamoStub;
let client: DynamoDBDocumentClient;

beforeAll(async () => {
  stub = await startStub();
  client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stub.endpoint, maxAttempts: 1 }));
});

afterAll(async () => {
  client.destroy();
  await stub.close();
});

const index = TABLE.indexes.byStatus;
const item = (slug: string, at: string) => ({
  [TABLE.partitionKey.name]: `ARTICLE#${slug}`,
  [TABLE.sortKey.name]: 'A',
  [index.partitionKey.name]: 'PUB',
  [index.sortKey.name]: `${at}#${slug}`,
  slug,
  body: 'Not projected into the index.',
  tags: ['news'],
  version: 1,
});

describe('the stub', () => {
  it('keeps what transactions put, gets it by key and queries an index in order, projected', async () => {
    const puts = [item('a', '2025-01-01'), item('b', '2025-01-03'), item('c', '2025-01-02')];
    await client.send(
      new TransactWriteCommand({ TransactItems: puts.map((Item) => ({ Put: { TableName: 't', Item } })) }),
    );
    const { Item } = await client.send(new GetCommand({ TableName: 't', Key: { pk: 'ARTICLE#b', sk: 'A' } }));
    expect(Item).toEqual(puts[1]);
    const page = await client.send(
      new QueryCommand({
        TableName: 't',
        IndexName: index.name,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': index.partitionKey.name },
        ExpressionAttributeValues: { ':p': 'PUB' },
        ScanIndexForward: false,
        Limit: 2,
      }),
    );
    expect(page.Items?.map((i) => i.slug)).toEqual(['b', 'c']);
    expect(page.Items?.[0]).not.toHaveProperty('body');
    expect(page.LastEvaluatedKey).toMatchObject({ pk: 'ARTICLE#c', sk: 'A' });
    expect(stub.counts.get('TransactWriteItems')).toBe(1);
  });

  it('once frozen, acknowledges writes without keeping them', async () => {
    stub.freeze();
    await client.send(new PutCommand({ TableName: 't', Item: item('d', '2025-01-04') }));
    expect(stub.items().map((i) => i.slug?.S)).toEqual(['a', 'b', 'c']);
    expect(stub.counts.get('PutItem')).toBe(1);
  });
});

describe('the project’s handlers on a stub', () => {
  it('read back the article they created', async () => {
    const fresh = await startStub();
    process.env.DYNAMODB_ENDPOINT = fresh.endpoint;
    try {
      const create = (await import('../../functions/create-article.ts')).handler;
      const get = (await import('../../functions/get-article.ts')).handler;
      const article = sampleArticle();
      const created: APIGatewayProxyResult = await create(
        routeEvent({ method: 'POST', resource: '/editor/articles', auth: 'editor' }, { body: article }),
        lambdaContext('bench-test', 'request-1'),
      );
      expect(created.statusCode).toBe(201);
      const read: APIGatewayProxyResult = await get(
        routeEvent(
          { method: 'GET', resource: '/articles/{slug}', auth: 'public' },
          { params: { slug: String(article.slug) } },
        ),
        lambdaContext('bench-test', 'request-1'),
      );
      expect(read.statusCode).toBe(200);
      expect(JSON.parse(read.body)).toMatchObject({ slug: article.slug, title: article.title });
      expect(read.headers?.ETag).toBe(created.headers?.ETag);
    } finally {
      delete process.env.DYNAMODB_ENDPOINT;
      await fresh.close();
    }
  });
});
