import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The write reference of the benchmark: the smallest "write one article" Lambda that keeps
 * what Newsdesk keeps in one transaction. A Document client built once at module scope; per
 * request, the JSON body as it comes, written as the article's head (only if the slug is
 * free), its first revision and one entry per tag, in one TransactWriteCommand. No
 * validation, no Markdown, no logging, no middleware. It is not a target: the bench sets
 * the writes' time beside it to tell what Newsdesk's code adds to the transaction itself.
 * Bundled with the same esbuild settings as Newsdesk's functions (lib/bundling.ts).
 */

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}),
);

interface Event {
  readonly body?: string | null;
}

interface Article {
  readonly slug: string;
  readonly title: string;
  readonly body: string;
  readonly tags?: readonly string[];
  readonly publishedAt?: string;
  readonly [field: string]: unknown;
}

export const handler = async (event: Event) => {
  const article = JSON.parse(event.body ?? '{}') as Article;
  const now = new Date().toISOString();
  const { body, ...listed } = article;
  const head = { ...article, pk: `ARTICLE#${article.slug}`, sk: 'A', version: 1, createdAt: now };
  const sortKey = `${article.publishedAt ?? now}#${article.slug}`;
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: process.env.TABLE_NAME,
            Item: head,
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Put: { TableName: process.env.TABLE_NAME, Item: { ...head, sk: 'R#0000000001' } } },
        ...(article.tags ?? []).map((tag) => ({
          Put: { TableName: process.env.TABLE_NAME, Item: { ...listed, pk: `TAG#${tag}`, sk: sortKey } },
        })),
      ],
    }),
  );
  return { statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(head) };
};
