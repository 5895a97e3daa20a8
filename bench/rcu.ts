import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../functions/core/table.ts';
import { type CapacityProxy, startCapacityProxy } from './dynamodb.ts';
import { type LambdaBundle, type LambdaProcess, routeEvent, startLambda } from './lambda.ts';
import { batchWrite, benchArticle, seedThroughStub } from './seed.ts';

const PAGE = 20;
const TAG = 'featured';
/** How many pages in the deep page is (or the middle of a shorter list). */
const DEEP = 50;
const BODY = 'A first paragraph.\n\nA second one, with **some** emphasis.\n\nA third.';

export interface PageCost {
  readonly page: string;
  /** 1-based. */
  readonly number: number;
  readonly rcu: number;
}

export interface SizeCost {
  readonly articles: number;
  readonly tagged: number;
  readonly pages: readonly PageCost[];
}

/** Tagged articles in a table of `size`: a tenth, but at least two full pages. */
export function taggedFor(size: number): number {
  return Math.min(size, Math.max(Math.round(size / 10), 2 * PAGE + 1));
}

/** Whether the `index`th of `count` articles is one of the `tagged`, spread evenly. */
export function isTagged(index: number, count: number, tagged: number): boolean {
  return Math.floor(((index + 1) * tagged) / count) > Math.floor((index * tagged) / count);
}

/** Pages to skip to the deep page: `DEEP`, or to the middle of a shorter list. */
export function pagesToSkip(total: number): number {
  return Math.min(DEEP, Math.floor(Math.ceil(total / PAGE) / 2));
}

/** The read capacity of page `skip + 1` of a list, following the cursors of the pages before it. */
async function pageCost(
  proxy: CapacityProxy,
  lambda: LambdaProcess,
  resource: string,
  query: string,
  skip: number,
) {
  const route = {
    method: 'GET',
    resource,
    auth: resource.startsWith('/editor') ? 'editor' : 'public',
  } as const;
  let cursor: string | null = null;
  for (let page = 0; page <= skip; page++) {
    proxy.reset();
    const after = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const reply = await lambda.invoke([routeEvent(route, { query: `limit=${PAGE}${query}${after}` })], 200);
    cursor =
      (JSON.parse(reply.responses[0]?.body ?? '{}') as { nextCursor?: string | null }).nextCursor ?? null;
    if (cursor === null && page < skip) throw new Error(`${resource}?${query}: only ${page + 1} pages`);
  }
  return proxy.readUnits;
}

/**
 * The read capacity DynamoDB (Local) charges for the same list pages on a small and a large
 * table. The create function writes the articles (to the stub, whose items are then copied
 * into the table); the list functions read the pages through a proxy that adds up capacity.
 */
export async function measureReadCapacity(
  endpoint: string,
  sizes: readonly number[],
  fns: {
    readonly create: LambdaBundle;
    readonly list: LambdaBundle;
    readonly editorList: LambdaBundle;
    readonly feed: LambdaBundle;
  },
  log: (line: string) => void,
): Promise<SizeCost[]> {
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  const proxy = await startCapacityProxy(endpoint);
  const results: SizeCost[] = [];
  try {
    for (const size of sizes) {
      const tableName = `newsdesk-bench-${size}`;
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      const tagged = taggedFor(size);
      const articles = Array.from({ length: size }, (_, i) =>
        benchArticle(i, BODY, isTagged(i, size, tagged) ? [TAG] : []),
      );
      const { stub } = await seedThroughStub(fns.create, articles);
      await batchWrite(client, tableName, stub.items());
      await stub.close();
      log(`rcu: ${size} articles (${tagged} tagged ${TAG}) written`);
      const env = { TABLE_NAME: tableName, DYNAMODB_ENDPOINT: proxy.endpoint };
      const list = await startLambda('ListArticles', fns.list.file, { ...fns.list.env, ...env });
      const editorList = await startLambda('EditorListArticles', fns.editorList.file, {
        ...fns.editorList.env,
        ...env,
      });
      const feed = await startLambda('RssFeed', fns.feed.file, { ...fns.feed.env, ...env });
      try {
        const pages: [string, LambdaProcess, string, string, number][] = [
          ['list first', list, '/articles', '', 0],
          ['list deep', list, '/articles', '', pagesToSkip(size)],
          ['tag first', list, '/articles', `&tag=${TAG}`, 0],
          ['tag deep', list, '/articles', `&tag=${TAG}`, pagesToSkip(tagged)],
          ['editor first', editorList, '/editor/articles', '', 0],
        ];
        const costs: PageCost[] = [];
        for (const [page, lambda, resource, query, skip] of pages) {
          costs.push({ page, number: skip + 1, rcu: await pageCost(proxy, lambda, resource, query, skip) });
        }
        // The feed: its newest entries with their content (a Query and a BatchGetItem).
        proxy.reset();
        await feed.invoke([routeEvent({ method: 'GET', resource: '/feed.xml', auth: 'public' }, {})], 200);
        costs.push({ page: 'feed', number: 1, rcu: proxy.readUnits });
        results.push({ articles: size, tagged, pages: costs });
      } finally {
        await Promise.all([list.stop(), editorList.stop(), feed.stop()]);
      }
    }
    return results;
  } finally {
    client.destroy();
    await proxy.close();
  }
}
