import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

// The read reference: the smallest handler that fetches an article, with what any DynamoDB
// read pays at least. One Document client at module scope, one GetCommand per request, the
// item answered as JSON; no validation, logging or middleware.

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}),
);

export const handler = async (event: { pathParameters?: { slug?: string } | null }) => {
  const { Item } = await client.send(
    new GetCommand({
      TableName: process.env.TABLE_NAME,
      Key: { pk: `ARTICLE#${event.pathParameters?.slug ?? ''}`, sk: 'A' },
    }),
  );
  return Item === undefined
    ? { statusCode: 404, body: '' }
    : { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(Item) };
};
