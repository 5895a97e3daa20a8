import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

// The write reference: the smallest handler that writes an article as Newsdesk keeps it,
// with what any such write pays at least. One Document client at module scope; per request,
// the JSON body as it comes, written in one TransactWriteCommand as the article's head (only
// if the slug is free, for a create), its revision and one entry per tag. For a request to
// an existing article (a slug in the path: update, take-down) it first reads the head with
// a consistent GetCommand, as Newsdesk's editor writes do. No validation, Markdown, logging
// or middleware.

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}),
);
interface Event {
  readonly body?: string | null;
  readonly pathParameters?: { readonly slug?: string } | null;
}

export const handler = async (event: Event) => {
  const TableName = process.env.TABLE_NAME;
  const input = JSON.parse(event.body ?? '{}') as { slug?: string; tags?: string[]; publishedAt?: string };
  const slug = event.pathParameters?.slug ?? input.slug ?? '';
  const pk = `ARTICLE#${slug}`;
  let version = 1;
  if (event.pathParameters?.slug !== undefined) {
    const { Item } = await client.send(
      new GetCommand({ TableName, Key: { pk, sk: 'A' }, ConsistentRead: true }),
    );
    version = Number(Item?.version ?? 0) + 1;
  }
  const now = new Date().toISOString();
  const head = { ...input, slug, pk, sk: 'A', version, updatedAt: now };
  const { body: _body, ...listed } = head as typeof head & { body?: string };
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName,
            Item: head,
            ...(version === 1 ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
          },
        },
        { Put: { TableName, Item: { ...head, sk: `R#${String(version).padStart(10, '0')}` } } },
        ...(input.tags ?? []).map((tag) => ({
          Put: {
            TableName,
            Item: { ...listed, pk: `TAG#${tag}`, sk: `${input.publishedAt ?? now}#${slug}` },
          },
        })),
      ],
    }),
  );
  return {
    statusCode: version === 1 ? 201 : 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(head),
  };
};
