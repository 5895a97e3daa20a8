import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The reference of the benchmark: the smallest "fetch one item" Lambda there is. A
 * Document client built once at module scope, one GetCommand per request, the item
 * returned as JSON. No validation, no logging, no middleware: what any handler that
 * reads DynamoDB pays at least. Bundled with the same esbuild settings as Newsdesk's
 * functions (lib/bundling.ts).
 */

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}),
);

interface Event {
  readonly pathParameters?: { readonly slug?: string } | null;
}

export const handler = async (event: Event) => {
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
