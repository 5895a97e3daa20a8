import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { parseSeedArticle } from '../local/seed.ts';
import { startStub, type WireItem } from './dynamodb.ts';
import { type LambdaBundle, type LambdaResponse, routeEvent, startLambda } from './lambda.ts';

export type ArticleInput = ReturnType<typeof parseSeedArticle>;

/** The project's sample article (fixtures/seed-article.md, a ~3 KB news story), as POSTed. */
export function sampleArticle(): ArticleInput {
  return parseSeedArticle(readFileSync(join(PROJECT_ROOT, 'fixtures', 'seed-article.md'), 'utf8'));
}

/** The `i`th of the bench's other articles, each a minute older than the one before. */
export function benchArticle(i: number, body: string, tags: string[]): ArticleInput {
  return {
    slug: `bench-article-${i}`,
    title: `Benchmark article ${i}`,
    summary: 'A summary of about one line, as list pages show it under the title.',
    body,
    author: 'Newsdesk Bench',
    tags,
    status: 'published',
    publishedAt: new Date(Date.parse('2024-05-01T00:00:00Z') - i * 60_000).toISOString(),
  };
}

const CREATE_ROUTE = { method: 'POST', resource: '/editor/articles', auth: 'editor' } as const;

/**
 * Writes `articles` the way an editor would: each one POSTed to the create function's bundle,
 * which writes to a fresh stub. The stub then holds exactly the items the store writes;
 * `responses` are the create function's answers.
 */
export async function seedThroughStub(create: LambdaBundle, articles: readonly ArticleInput[]) {
  const stub = await startStub();
  const lambda = await startLambda('seed', create.file, { ...create.env, DYNAMODB_ENDPOINT: stub.endpoint });
  const responses: LambdaResponse[] = [];
  try {
    for (let start = 0; start < articles.length; start += 500) {
      const events = articles.slice(start, start + 500).map((body) => routeEvent(CREATE_ROUTE, { body }));
      responses.push(...(await lambda.invoke(events, 201)).responses);
    }
    return { stub, responses };
  } catch (error) {
    await stub.close();
    throw error;
  } finally {
    await lambda.stop();
  }
}

/** Writes `items` to `tableName` with BatchWriteItem, 25 a request, four requests in flight. */
export async function batchWrite(client: DynamoDBClient, tableName: string, items: readonly WireItem[]) {
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) =>
    items.slice(i * 25, i * 25 + 25),
  );
  const worker = async () => {
    for (let batch = batches.pop(); batch !== undefined; batch = batches.pop()) {
      let requests: WriteRequest[] = batch.map((item) => ({
        PutRequest: { Item: item as Record<string, AttributeValue> },
      }));
      while (requests.length > 0) {
        const command = new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } });
        requests = (await client.send(command)).UnprocessedItems?.[tableName] ?? [];
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
