import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type ArticleSummary, isVisible, type StoredArticle } from '../article-model.ts';
import { LIST_ATTRIBUTES } from '../table.ts';
import {
  ArticleGoneError,
  IdempotencyKeyUsedError,
  InvalidStartKeyError,
  SlugTakenError,
  StoreUnavailableError,
  VersionMismatchError,
} from './errors.ts';
import {
  ALL,
  ALL_PARTITION,
  articlePk,
  BY_STATUS,
  DRAFT_PARTITION,
  hasSlices,
  headItem,
  headKey,
  headSliceKeys,
  type Item,
  idempotencyKey,
  isRevisionSk,
  isTakenDown,
  type Key,
  keyOf,
  nowBound,
  PK,
  PUBLISHED_PARTITION,
  REVISIONS_RANGE,
  SK,
  TTL,
  tagItems,
  tagKeys,
  tagPk,
  timeRangeBounds,
  toArticle,
  toSummary,
  versionItems,
  versionRange,
} from './layout.ts';
import type {
  ArticleStore,
  FeedRequest,
  IdempotencyRecord,
  ListPage,
  ListQuery,
  ListRequest,
  PublishedRange,
  RevisionsPage,
  RevisionsRequest,
  TakeDown,
} from './port.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** How often a transaction that meets another one on the same items is run again. */
const CONFLICT_ATTEMPTS = 5;
/** How often a BatchGetItem is sent for the keys DynamoDB left unprocessed (throttling, 16 MB). */
const BATCH_ATTEMPTS = 5;
/** BatchGetItem takes at most 100 keys. */
const BATCH_MAX_KEYS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const UNAVAILABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionInProgressException',
  'AbortError',
]);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  /** As DynamoDB sends them (the Document client does not translate errors). */
  CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[];
}

const asSdkError = (error: unknown): SdkError => (typeof error === 'object' && error !== null ? error : {});

/** True when the database is throttling, failing or out of reach (after the SDK's own retries). */
export function isUnavailable(error: unknown): boolean {
  const e = asSdkError(error);
  if (e.name !== undefined && UNAVAILABLE_NAMES.has(e.name)) return true;
  if (e.code !== undefined && UNAVAILABLE_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.name === 'TransactionCanceledException') {
    return (e.CancellationReasons ?? []).some(
      (reason) => reason.Code === 'ThrottlingError' || reason.Code === 'TransactionConflict',
    );
  }
  return false;
}

/** Runs one request to DynamoDB; an error that says it is unavailable becomes StoreUnavailableError. */
async function send<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    throw isUnavailable(error) ? new StoreUnavailableError({ cause: error }) : error;
  }
}

/** The DynamoDB implementation of the store, on the Document client: plain items in and out. */
export class DynamoArticleStore implements ArticleStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  // -------------------------------------------------------------------------
  // Reads

  async get(slug: string, { consistent = false } = {}): Promise<StoredArticle | undefined> {
    const { Item: head } = await send(
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: headKey(slug), ConsistentRead: consistent }),
      ),
    );
    if (head === undefined || isTakenDown(head)) return undefined;
    if (!hasSlices(head)) return toArticle(head);
    return this.readVersion(slug, 'head', consistent);
  }

  async liveVersion(slug: string): Promise<number | undefined> {
    const { Item: head } = await send(
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: headKey(slug),
          ConsistentRead: true,
          ProjectionExpression: '#version, #takenDownAt',
          ExpressionAttributeNames: { '#version': 'version', '#takenDownAt': 'takenDownAt' },
        }),
      ),
    );
    return head === undefined || isTakenDown(head) ? undefined : Number(head.version);
  }

  async revisions({ slug, limit, startKey }: RevisionsRequest): Promise<RevisionsPage | undefined> {
    if (startKey !== undefined) {
      const names = Object.keys(startKey).sort().join();
      const sk = startKey[SK];
      if (
        names !== [PK, SK].sort().join() ||
        startKey[PK] !== articlePk(slug) ||
        sk === undefined ||
        !isRevisionSk(sk)
      ) {
        throw new InvalidStartKeyError();
      }
    }
    // The head (is the article live?) and the page, side by side: one round trip of latency.
    const projected = [PK, SK, ...LIST_ATTRIBUTES];
    const [current, page] = await Promise.all([
      this.liveVersion(slug),
      send(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            // Content slices of large revisions sort between the revisions: left out here.
            // They still count against Limit, so such a page can come out short (with a cursor).
            FilterExpression: 'attribute_exists(#title)',
            ProjectionExpression: projected.map((_, i) => `#p${i}`).join(', '),
            ExpressionAttributeNames: {
              '#pk': PK,
              '#sk': SK,
              '#title': 'title',
              ...Object.fromEntries(projected.map((name, i) => [`#p${i}`, name])),
            },
            ExpressionAttributeValues: {
              ':pk': articlePk(slug),
              ':from': REVISIONS_RANGE.from,
              ':to': REVISIONS_RANGE.to,
            },
            ScanIndexForward: false,
            // One more than the page, so that a full last page says it is the last.
            Limit: limit + 1,
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      ),
    ]);
    if (current === undefined) return undefined;
    const items = page.Items ?? [];
    const pageItems = items.slice(0, limit);
    const last = pageItems.at(-1);
    let lastKey: Key | undefined;
    if (items.length > limit && last !== undefined) lastKey = keyOf(last, [PK, SK]);
    else if (page.LastEvaluatedKey !== undefined) lastKey = keyOf(page.LastEvaluatedKey, [PK, SK]);
    return { current, items: pageItems.map(toSummary), lastKey };
  }

  getVersion(slug: string, version: number): Promise<StoredArticle | undefined> {
    return this.readVersion(slug, version, true);
  }

  /** A version item with its content slices, in one Query (read again, consistently, if caught mid-write). */
  private async readVersion(
    slug: string,
    version: number | 'head',
    consistent: boolean,
  ): Promise<StoredArticle | undefined> {
    const { from, to } = versionRange(version);
    for (const consistentRead of consistent ? [true, true] : [false, true, true]) {
      const items = await this.queryAll({
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: { ':pk': articlePk(slug), ':from': from, ':to': to },
        ConsistentRead: consistentRead,
      });
      const [first, ...rest] = items;
      if (first === undefined || first[SK] !== from || (version === 'head' && isTakenDown(first))) {
        return undefined;
      }
      const article = toArticle(first, rest);
      if (article !== undefined) return article;
    }
    throw new StoreUnavailableError();
  }

  async getIdempotencyRecord(key: string, now: Date): Promise<IdempotencyRecord | undefined> {
    const { Item: item } = await send(
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: idempotencyKey(key), ConsistentRead: true }),
      ),
    );
    if (item === undefined || Number(item[TTL]) < Math.floor(now.getTime() / 1000)) return undefined;
    return {
      key,
      requestHash: String(item.requestHash),
      response: String(item.response),
      expiresAt: Number(item[TTL]),
    };
  }

  async list({ query, now, limit, startKey }: ListRequest): Promise<ListPage> {
    const plan = listPlan(query, now);
    if (startKey !== undefined) {
      const names = Object.keys(startKey).sort().join();
      if (names !== [...plan.keyNames].sort().join() || startKey[plan.partitionName] !== plan.partition) {
        throw new InvalidStartKeyError();
      }
      // A scheduled-list key whose article has been published since: nothing after it is scheduled.
      if (plan.lowerBound !== undefined && String(startKey[plan.sortName]) <= plan.lowerBound) {
        return { items: [], lastKey: undefined };
      }
    }
    const items: Item[] = [];
    let exclusiveStartKey: Item | undefined = startKey;
    // Ask for one more than the page, so that the last page says it is the last.
    do {
      const page = await send(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            ...plan.input,
            Limit: limit + 1 - items.length,
            ExclusiveStartKey: exclusiveStartKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (items.length <= limit && exclusiveStartKey !== undefined);
    const pageItems = items.slice(0, limit);
    const last = pageItems.at(-1);
    return {
      items: pageItems.map(toSummary),
      lastKey: items.length > limit && last !== undefined ? keyOf(last, plan.keyNames) : undefined,
    };
  }

  // -------------------------------------------------------------------------
  // Syndication reads: bounded by their limits or by a range of publication times

  async feed({ tag, now, limit }: FeedRequest): Promise<StoredArticle[]> {
    if (limit > BATCH_MAX_KEYS) throw new RangeError(`a feed holds at most ${BATCH_MAX_KEYS} articles`);
    // The same Query as the first page of the public list (the index, or the tag's partition).
    const entries = await this.queryUpTo(listPlan({ kind: 'public', tag }, now).input, limit);
    const slugs = entries.map((entry) => String(entry.slug));
    const heads = await this.batchGetHeads(slugs);
    const articles = await Promise.all(
      slugs.map((slug) => {
        const head = heads.get(slug);
        if (head === undefined || isTakenDown(head)) return undefined;
        // Content over 350 KB lies in slices: that article alone takes one more Query.
        return hasSlices(head) ? this.readVersion(slug, 'head', false) : toArticle(head);
      }),
    );
    // The index and the heads are read at slightly different times: an article changed in
    // between (taken down, made a draft, rescheduled, retagged) is left out, never shown.
    return articles.filter(
      (article): article is StoredArticle =>
        article !== undefined && isVisible(article, now) && (tag === null || article.tags.includes(tag)),
    );
  }

  async publishedBetween({ from, until, limit }: PublishedRange): Promise<ArticleSummary[]> {
    if (until.getTime() <= from.getTime()) return [];
    const { lower, upper } = timeRangeBounds(from, until);
    const items = await this.queryUpTo(
      {
        IndexName: BY_STATUS.name,
        KeyConditionExpression: '#p = :p AND #s BETWEEN :lower AND :upper',
        ExpressionAttributeNames: { '#p': BY_STATUS.partitionKey.name, '#s': BY_STATUS.sortKey.name },
        ExpressionAttributeValues: { ':p': PUBLISHED_PARTITION, ':lower': lower, ':upper': upper },
        ScanIndexForward: false,
      },
      limit,
    );
    return items.map(toSummary);
  }

  async oldestPublishedAt(now: Date): Promise<string | undefined> {
    const { Items: items = [] } = await send(
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_STATUS.name,
          KeyConditionExpression: '#p = :p AND #s < :now',
          ExpressionAttributeNames: { '#p': BY_STATUS.partitionKey.name, '#s': BY_STATUS.sortKey.name },
          ExpressionAttributeValues: { ':p': PUBLISHED_PARTITION, ':now': nowBound(now) },
          ScanIndexForward: true,
          Limit: 1,
        }),
      ),
    );
    const publishedAt = items[0]?.publishedAt;
    return typeof publishedAt === 'string' ? publishedAt : undefined;
  }

  /**
   * The head items of these slugs, by slug (absent ones missing), in one BatchGetItem; the
   * keys DynamoDB leaves unprocessed (throttling, or past 16 MB) are sent again, with backoff.
   */
  private async batchGetHeads(slugs: readonly string[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    let keys: Key[] = [...new Set(slugs)].map(headKey);
    for (let attempt = 1; keys.length > 0; attempt++) {
      if (attempt > BATCH_ATTEMPTS) throw new StoreUnavailableError();
      if (attempt > 1) await sleep(10 * 2 ** attempt + Math.random() * 20);
      const { Responses, UnprocessedKeys } = await send(
        this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } })),
      );
      for (const item of Responses?.[this.tableName] ?? []) found.set(String(item.slug), item);
      keys = (UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Key[];
    }
    return found;
  }

  // -------------------------------------------------------------------------
  // Writes: each one transaction, so heads, revisions and tag entries never disagree

  async create(article: StoredArticle, idempotency?: IdempotencyRecord): Promise<void> {
    const items: TransactItem[] = [
      this.put(headItem(article), {
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
      ...(idempotency === undefined ? [] : [this.idempotencyPut(idempotency, article.createdAt)]),
      ...[...versionItems(article), ...tagItems(article)].map((item) => this.put(item)),
    ];
    await this.transact(items, (reasons) =>
      // The idempotency record decides first: a replayed create also finds its slug taken.
      idempotency !== undefined && reasons[1]?.Code === 'ConditionalCheckFailed'
        ? new IdempotencyKeyUsedError()
        : new SlugTakenError(article.slug),
    );
  }

  async replace(current: StoredArticle, next: StoredArticle): Promise<void> {
    // Tag entries and head slices of the current version that the next one does not overwrite.
    const id = (key: Key) => `${key[PK]}\u0000${key[SK]}`;
    const keep = new Set([...tagKeys(next), ...headSliceKeys(next)].map(id));
    const stale = [...tagKeys(current), ...headSliceKeys(current)].filter((key) => !keep.has(id(key)));
    await this.transact(
      [
        this.put(headItem(next), this.currentVersion(current)),
        ...[...versionItems(next), ...tagItems(next)].map((item) => this.put(item)),
        ...stale.map((key) => this.delete(key)),
      ],
      (reasons) => writeRefused(reasons[0]?.Item),
    );
  }

  async takeDown(current: StoredArticle, { by, at, etag }: TakeDown): Promise<void> {
    // The head keeps every field and its content, gains the take-down and loses its index
    // keys; every version stays in its revision: nothing is destroyed by a take-down.
    const condition = this.currentVersion(current);
    const indexKeys = [BY_STATUS, ALL].flatMap((index) => [index.partitionKey.name, index.sortKey.name]);
    await this.transact(
      [
        {
          Update: {
            TableName: this.tableName,
            Key: headKey(current.slug),
            UpdateExpression: `SET #version = :version, #etag = :etag, #takenDownAt = :at, #takenDownBy = :by REMOVE ${indexKeys.map((_, i) => `#index${i}`).join(', ')}`,
            ...condition,
            ExpressionAttributeNames: {
              ...condition.ExpressionAttributeNames,
              '#version': 'version',
              '#takenDownBy': 'takenDownBy',
              ...Object.fromEntries(indexKeys.map((name, i) => [`#index${i}`, name])),
            },
            ExpressionAttributeValues: {
              ...condition.ExpressionAttributeValues,
              ':version': current.version + 1,
              ':etag': etag,
              ':at': at,
              ':by': by,
            },
          },
        },
        ...tagKeys(current).map((key) => this.delete(key)),
      ],
      (reasons) => writeRefused(reasons[0]?.Item),
    );
  }

  // -------------------------------------------------------------------------

  /** The condition of a write over `current`: the head is still that version, and live. */
  private currentVersion(current: StoredArticle) {
    return {
      ConditionExpression: '#etag = :current AND attribute_not_exists(#takenDownAt)',
      ExpressionAttributeNames: { '#etag': 'etag', '#takenDownAt': 'takenDownAt' } as Record<string, string>,
      ExpressionAttributeValues: { ':current': current.etag } as Record<string, unknown>,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
  }

  private put(
    item: Item,
    condition?: Omit<NonNullable<TransactItem['Put']>, 'TableName' | 'Item'>,
  ): TransactItem {
    return { Put: { TableName: this.tableName, Item: item, ...condition } };
  }

  private delete(key: Key): TransactItem {
    return { Delete: { TableName: this.tableName, Key: key } };
  }

  private idempotencyPut(record: IdempotencyRecord, createdAt: string): TransactItem {
    return this.put(
      {
        ...idempotencyKey(record.key),
        requestHash: record.requestHash,
        response: record.response,
        [TTL]: record.expiresAt,
      },
      {
        // A record past its expiry that TTL has not deleted yet no longer counts.
        ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
        ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
        ExpressionAttributeValues: { ':now': Math.floor(Date.parse(createdAt) / 1000) },
      },
    );
  }

  /**
   * Runs a transaction. A condition that fails becomes `refused(reasons)`; a conflict with
   * another transaction on the same items runs it again, so that the conditions decide who
   * lost a race; anything unavailable becomes StoreUnavailableError.
   */
  private async transact(
    TransactItems: TransactItem[],
    refused: (reasons: NonNullable<SdkError['CancellationReasons']>) => Error,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems }));
        return;
      } catch (error) {
        const e = asSdkError(error);
        const reasons = e.name === 'TransactionCanceledException' ? (e.CancellationReasons ?? []) : [];
        if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) throw refused(reasons);
        const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict');
        if (conflict && attempt < CONFLICT_ATTEMPTS) {
          await sleep(10 + Math.random() * 40 * attempt);
          continue;
        }
        throw isUnavailable(error) ? new StoreUnavailableError({ cause: error }) : error;
      }
    }
  }

  /** At most `limit` items of a Query, following its pages until it has them or ends. */
  private async queryUpTo(input: Omit<QueryCommandInput, 'TableName'>, limit: number): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await send(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            ...input,
            Limit: limit - items.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (items.length < limit && startKey !== undefined);
    return items;
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await send(
        this.client.send(
          new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: startKey }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}

/**
 * Why a write over a version was refused, from the head as it was (DynamoDB's format: only
 * the presence of attributes is read here).
 */
function writeRefused(old: Record<string, unknown> | undefined): Error {
  return old === undefined || old.takenDownAt !== undefined
    ? new ArticleGoneError()
    : new VersionMismatchError();
}

/** The Query that reads a list, and how its keys look (to check a start key against). */
function listPlan(query: ListQuery, now: Date) {
  const bound = nowBound(now);
  const onIndex = (
    index: typeof BY_STATUS | typeof ALL,
    partition: string,
    condition?: { op: '<' | '>'; value: string },
  ) => ({
    partition,
    partitionName: index.partitionKey.name,
    sortName: index.sortKey.name,
    keyNames: [PK, SK, index.partitionKey.name, index.sortKey.name],
    lowerBound: condition?.op === '>' ? condition.value : undefined,
    input: {
      IndexName: index.name,
      KeyConditionExpression: condition === undefined ? '#p = :p' : `#p = :p AND #s ${condition.op} :s`,
      ExpressionAttributeNames: {
        '#p': index.partitionKey.name,
        ...(condition === undefined ? {} : { '#s': index.sortKey.name }),
      },
      ExpressionAttributeValues: {
        ':p': partition,
        ...(condition === undefined ? {} : { ':s': condition.value }),
      },
      ScanIndexForward: false,
    },
  });
  if (query.kind === 'public') {
    if (query.tag === null) return onIndex(BY_STATUS, PUBLISHED_PARTITION, { op: '<', value: bound });
    return {
      partition: tagPk(query.tag),
      partitionName: PK,
      sortName: SK,
      keyNames: [PK, SK],
      lowerBound: undefined,
      input: {
        KeyConditionExpression: '#p = :p AND #s < :s',
        ExpressionAttributeNames: { '#p': PK, '#s': SK },
        ExpressionAttributeValues: { ':p': tagPk(query.tag), ':s': bound },
        ScanIndexForward: false,
      },
    };
  }
  switch (query.status) {
    case 'published':
      return onIndex(BY_STATUS, PUBLISHED_PARTITION, { op: '<', value: bound });
    case 'scheduled':
      return onIndex(BY_STATUS, PUBLISHED_PARTITION, { op: '>', value: bound });
    case 'draft':
      return onIndex(BY_STATUS, DRAFT_PARTITION);
    default:
      return onIndex(ALL, ALL_PARTITION);
  }
}
