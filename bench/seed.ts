import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ArticleService } from '../functions/core/articles.ts';
import { DynamoArticleStore } from '../functions/core/store.ts';
import { BENCH_CURSOR_SECRET } from './env.ts';
import { articleInput, EDITOR_ARN } from './fixtures.ts';
import { capturingClient, type PlainItem } from './sdk-hooks.ts';

/**
 * Fills a table fast with the items the application itself would write: each article goes
 * through `ArticleService.create` and `DynamoArticleStore` (Markdown rendered, keys, index
 * attributes and tag entries as in production), on a client that captures the transaction
 * instead of sending it; the captured items are then written with BatchWriteItem, 25 at a
 * time, a few requests in flight.
 */

const BATCH = 25;
const STEP_MS = 60_000;

export interface SeedPlan {
  readonly tableName: string;
  /** How many articles. */
  readonly count: number;
  /** How many of them carry `tag` (spread evenly); the others carry no tag. */
  readonly tagged: number;
  readonly tag: string;
  /** The newest article's publication time; each next one is a minute older. */
  readonly newest: Date;
  readonly body: string;
  /** BatchWriteItem requests in flight. */
  readonly concurrency: number;
}

const pad = (n: number) => String(n).padStart(6, '0');

/** Index of the articles that carry the plan's tag: `tagged` of them, evenly spread. */
export function isTagged(index: number, count: number, tagged: number): boolean {
  if (tagged <= 0) return false;
  if (tagged >= count) return true;
  return Math.floor(((index + 1) * tagged) / count) > Math.floor((index * tagged) / count);
}

async function writeBatch(client: DynamoDBDocumentClient, tableName: string, items: PlainItem[]) {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 10) throw new Error('BatchWriteItem kept returning unprocessed items');
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
    const unprocessed = result.UnprocessedItems?.[tableName] ?? [];
    requests = unprocessed.flatMap((request) =>
      request.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: request.PutRequest.Item } }],
    );
  }
}

/** Seeds `plan.count` articles; resolves to the number of items written. */
export async function seedArticles(client: DynamoDBDocumentClient, plan: SeedPlan): Promise<number> {
  const capture = capturingClient();
  let now = plan.newest;
  const service = new ArticleService({
    store: new DynamoArticleStore(capture.client, plan.tableName),
    cursorSecret: BENCH_CURSOR_SECRET,
    clock: () => now,
  });
  let pending: PlainItem[] = [];
  let written = 0;
  const inFlight = new Set<Promise<void>>();
  const flush = async (items: PlainItem[]) => {
    const write = writeBatch(client, plan.tableName, items).then(() => {
      inFlight.delete(write);
    });
    inFlight.add(write);
    written += items.length;
    if (inFlight.size >= plan.concurrency) await Promise.race(inFlight);
  };
  for (let i = 0; i < plan.count; i++) {
    now = new Date(plan.newest.getTime() - i * STEP_MS);
    await service.create(
      articleInput({
        slug: `article-${pad(i)}`,
        body: plan.body,
        publishedAt: now.toISOString(),
        tags: isTagged(i, plan.count, plan.tagged) ? [plan.tag] : [],
      }),
      EDITOR_ARN,
    );
    pending.push(...capture.take());
    while (pending.length >= BATCH) {
      await flush(pending.slice(0, BATCH));
      pending = pending.slice(BATCH);
    }
  }
  if (pending.length > 0) await flush(pending);
  await Promise.all(inFlight);
  return written;
}
