import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoArticleStore, type ListQuery } from '../functions/core/store.ts';
import { createTableInput } from '../functions/core/table.ts';
import { BENCH_TAG, sampleBody } from './fixtures.ts';
import { capacityRecordingClient } from './sdk-hooks.ts';
import { seedArticles } from './seed.ts';

/**
 * Read cost against table size: the same list pages on a table of 100 articles and on one
 * of 10 000, with the read capacity DynamoDB (Local) reports for their Queries.
 */

export type PageKind = 'list first' | 'list deep' | 'tag first' | 'tag deep' | 'editor first';
export const PAGE_KINDS: readonly PageKind[] = [
  'list first',
  'list deep',
  'tag first',
  'tag deep',
  'editor first',
];

export interface PageCost {
  readonly kind: PageKind;
  /** 1-based page number. */
  readonly page: number;
  readonly items: number;
  /** Read capacity units of the page's Queries. */
  readonly rcu: number;
  readonly queries: number;
  /** Items the Queries read. */
  readonly scanned: number;
}

export interface SizeCost {
  readonly articles: number;
  readonly tagged: number;
  readonly itemsWritten: number;
  readonly seedSeconds: number;
  readonly pages: PageCost[];
}

export interface RcuOptions {
  readonly sizes: readonly number[];
  readonly pageSize: number;
  /** How many pages a deep page is in (capped at the middle of the list). */
  readonly deepPages: number;
  /** Tagged articles at the largest size; smaller sizes get the same share, at least two pages. */
  readonly taggedAtLargest: number;
  readonly concurrency: number;
  readonly onProgress?: (line: string) => void;
}

/** Tagged articles for a table of `size`: the same share as at the largest size, at least two full pages. */
export function taggedFor(size: number, largest: number, taggedAtLargest: number, pageSize: number): number {
  const share = Math.round((size * taggedAtLargest) / largest);
  return Math.min(size, Math.max(share, 2 * pageSize + 1));
}

/** Pages to skip to reach the deep page: `deepPages`, or to the middle of a shorter list. */
export function pagesToSkip(total: number, pageSize: number, deepPages: number): number {
  const pages = Math.ceil(total / pageSize);
  return Math.max(0, Math.min(deepPages, Math.floor(pages / 2)));
}

async function measurePages(
  client: DynamoDBDocumentClient,
  recorder: ReturnType<typeof capacityRecordingClient>['recorder'],
  tableName: string,
  size: number,
  tagged: number,
  options: RcuOptions,
): Promise<PageCost[]> {
  const store = new DynamoArticleStore(client, tableName);
  const now = new Date();
  const measure = async (kind: PageKind, query: ListQuery, total: number, skip: number) => {
    let startKey: Record<string, string> | undefined;
    for (let page = 0; page < skip; page++) {
      const result = await store.list({ query, now, limit: options.pageSize, startKey });
      startKey = result.lastKey;
      if (startKey === undefined) throw new Error(`${kind}: the list ended after ${page + 1} pages`);
    }
    recorder.reset();
    const result = await store.list({ query, now, limit: options.pageSize, startKey });
    if (result.items.length !== Math.min(options.pageSize, total - skip * options.pageSize)) {
      throw new Error(`${kind}: page ${skip + 1} holds ${result.items.length} items`);
    }
    return {
      kind,
      page: skip + 1,
      items: result.items.length,
      rcu: recorder.units,
      queries: recorder.queries,
      scanned: recorder.scanned,
    };
  };
  const publicList: ListQuery = { kind: 'public', tag: null };
  const tagList: ListQuery = { kind: 'public', tag: BENCH_TAG };
  const deep = pagesToSkip(size, options.pageSize, options.deepPages);
  const tagDeep = pagesToSkip(tagged, options.pageSize, options.deepPages);
  return [
    await measure('list first', publicList, size, 0),
    await measure('list deep', publicList, size, deep),
    await measure('tag first', tagList, tagged, 0),
    await measure('tag deep', tagList, tagged, tagDeep),
    await measure('editor first', { kind: 'editor', status: null }, size, 0),
  ];
}

export async function measureReadCapacity(endpoint: string, options: RcuOptions): Promise<SizeCost[]> {
  const { client, recorder } = capacityRecordingClient(endpoint);
  const largest = Math.max(...options.sizes);
  const body = sampleBody().split('\n\n').slice(0, 3).join('\n\n');
  const results: SizeCost[] = [];
  try {
    for (const size of options.sizes) {
      const tableName = `newsdesk-bench-${size}-${Date.now()}`;
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      const tagged = taggedFor(size, largest, options.taggedAtLargest, options.pageSize);
      const started = performance.now();
      const itemsWritten = await seedArticles(client, {
        tableName,
        count: size,
        tagged,
        tag: BENCH_TAG,
        newest: new Date(Date.now() - 60 * 60_000),
        body,
        concurrency: options.concurrency,
      });
      const seedSeconds = (performance.now() - started) / 1000;
      options.onProgress?.(
        `seeded ${size} articles (${tagged} tagged ${BENCH_TAG}, ${itemsWritten} items) in ${seedSeconds.toFixed(1)} s`,
      );
      const pages = await measurePages(client, recorder, tableName, size, tagged, options);
      results.push({ articles: size, tagged, itemsWritten, seedSeconds, pages });
    }
    return results;
  } finally {
    client.destroy();
  }
}
