import {
  type AttributeValue,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type Article,
  type ArticleSummary,
  type Stamp,
  type StoredArticle,
  type StoredStatus,
  type VersionState,
  versionDigest,
  versionState,
} from './article-model.ts';
import { type Content, decodeContent, encodeContent } from './content.ts';
import {
  BadRequestError,
  NotFoundError,
  PreconditionFailedError,
  ServiceUnavailableError,
  SlugTakenError,
  ValidationError,
} from './errors.ts';
import { randomBytesFromPool } from './random.ts';
import { LIST_ATTRIBUTES, TABLE } from './table.ts';

/**
 * The article store: the only code that knows the table's keys and indexes.
 * It takes and returns domain objects, never DynamoDB items.
 *
 * Layout (one table, see table.ts):
 * - `ARTICLE#<slug>` / `A`            the article's head: every field of the current version,
 *                                     its stamp (nonce, digest), the index keys while it is
 *                                     live, and its content (body and HTML, see content.ts)
 *                                     when that takes at most 300 000 bytes: one GetItem reads
 *                                     an article.
 * - `ARTICLE#<slug>` / `C#000`…       larger content, in binary chunks of at most 300 000
 *                                     bytes, so the largest article fits DynamoDB's 400 KB
 *                                     item limit.
 * - `ARTICLE#<slug>` / `R#<version>`  every version as it was written (head fields and
 *   and `R#<version>#C#000`…          content, laid out the same way), written in the same
 *                                     transaction as the version itself. So an update or a
 *                                     take-down never needs to copy the version it replaces,
 *                                     and with an editor ETag (which carries the replaced
 *                                     version's state, see article-model.ts) it is one
 *                                     round trip.
 * - `TAG#<tag>` / `<time>#<slug>`     one entry per tag of a published (or scheduled) article,
 *                                     with the list fields, so a tag page is one Query.
 * Index `byStatus`: `PUB` sorted by publishedAt, `DRAFT` sorted by createdAt.
 * Index `all`: `ALL` (every live article) sorted by createdAt.
 * Every write of an article is one TransactWriteItems, so heads, content, revisions and tag
 * entries never disagree.
 */

export type ListQuery =
  | { readonly kind: 'public'; readonly tag: string | null }
  | { readonly kind: 'editor'; readonly status: 'draft' | 'scheduled' | 'published' | null };

export interface ListRequest {
  readonly query: ListQuery;
  readonly now: Date;
  readonly limit: number;
  readonly startKey: Record<string, string> | undefined;
}

export interface ListPage {
  readonly items: ArticleSummary[];
  /** The key to continue after, or undefined when nothing follows. */
  readonly lastKey: Record<string, string> | undefined;
}

export interface TakeDown {
  readonly by: string;
  readonly at: string;
}

/** The remembered outcome of a create sent with an Idempotency-Key. */
export interface IdempotencyRecord {
  /** The key, already scoped to the caller (see ArticleService). */
  readonly key: string;
  /** Hash of the validated request. */
  readonly requestHash: string;
  /** The original response, serialized. */
  readonly response: string;
  /** Epoch seconds after which the record no longer counts (and TTL deletes it). */
  readonly expiresAt: number;
}

/** The idempotency key of a create is already recorded (and not expired). */
export class IdempotencyKeyUsedError extends Error {
  override name = 'IdempotencyKeyUsedError';
}

export interface ArticleStore {
  /** The live article with this slug, or undefined (never written, or taken down). */
  get(slug: string, options?: { readonly consistent?: boolean }): Promise<StoredArticle | undefined>;
  /** A new stamp for a version about to be written with this content. */
  stampFor(article: Article): Stamp;
  /**
   * Writes a new article; SlugTakenError when the slug was ever used. With an idempotency
   * record, the record is written in the same transaction; IdempotencyKeyUsedError when a
   * live record with that key exists.
   */
  create(article: Article, stamp: Stamp, idempotency?: IdempotencyRecord): Promise<void>;
  /** The body and HTML of one version of an article, or undefined. */
  getContent(slug: string, version: number): Promise<Content | undefined>;
  /** The live (unexpired) idempotency record with this key, or undefined. */
  getIdempotencyRecord(key: string, now: Date): Promise<IdempotencyRecord | undefined>;
  /**
   * Replaces the version described by `expected` by `next` (written with `stamp`), without
   * reading: NotFoundError when the article is gone, PreconditionFailedError when its
   * current version is not `expected`.
   */
  replace(expected: VersionState, next: Article, stamp: Stamp): Promise<void>;
  /** Hides the version `expected` from every read and list, keeping all it holds (errors as `replace`). */
  takeDown(expected: VersionState, takeDown: TakeDown): Promise<void>;
  list(request: ListRequest): Promise<ListPage>;
}

// ---------------------------------------------------------------------------
// Keys

const PK = TABLE.partitionKey.name;
const SK = TABLE.sortKey.name;
const BY_STATUS = TABLE.indexes.byStatus;
const ALL = TABLE.indexes.all;

const HEAD_SK = 'A';
/** Everything of the current version sorts below this: the head and its content chunks. */
const CURRENT_UPPER_BOUND = 'D';
export const CHUNK_BYTES = 300_000;
/**
 * The most an article's stored content (body and HTML, content.ts) may take. A write puts
 * the content twice (the current version and its revision) in one transaction, and DynamoDB
 * caps a transaction at 4 MiB: two of these plus heads and tag entries stay below it.
 * (The largest article the contract accepts, a 256 KiB request of 3-byte characters,
 * takes about 530 000 bytes.)
 */
export const MAX_CONTENT_BYTES = 1_900_000;
const CONFLICT_ATTEMPTS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const articlePk = (slug: string) => `ARTICLE#${slug}`;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const chunkSk = (index: number) => `C#${pad(index, 3)}`;
const revisionSk = (version: number) => `R#${pad(version, 10)}`;
const tagPk = (tag: string) => `TAG#${tag}`;
const idempotencyPk = (key: string) => `IDEMPOTENCY#${key}`;
const IDEMPOTENCY_SK = 'I';
const TTL = TABLE.ttlAttribute;
const PUBLISHED_PARTITION = 'PUB';
const DRAFT_PARTITION = 'DRAFT';
const ALL_PARTITION = 'ALL';

/**
 * Slug encoded so that a descending sort yields slugs in ascending order (lists are newest
 * first, ties by slug ascending): each character's order reversed, then a terminator that
 * sorts above every encoded character (so a prefix sorts before its extensions).
 */
export function descendingSlug(slug: string): string {
  let encoded = '';
  for (const char of slug) encoded += String.fromCharCode(170 - char.charCodeAt(0));
  return `${encoded}~`;
}

const instantKey = (iso: string) => new Date(Date.parse(iso)).toISOString();
/** Key part for "time ≤ now": every key at or before `now` sorts below it ('#' < '$'). */
const nowBound = (now: Date) => `${now.toISOString()}$`;
const timeSlugKey = (iso: string, slug: string) => `${instantKey(iso)}#${descendingSlug(slug)}`;

// ---------------------------------------------------------------------------
// Items

type Item = Record<string, unknown>;

/*
 * DynamoDB's format. The store writes strings, finite numbers, binary, null, booleans and
 * lists of those, nothing else, and does the conversion itself, as util-dynamodb's `marshall`
 * and `unmarshall` (and so the Document client) would, at a fraction of their cost: 14 µs
 * against 87 µs to read a 21-item list page (measured in a loop). Items read are converted
 * with `fromWire`; the items of a write are built in DynamoDB's format directly
 * (`summaryWire` and the builders below it), and `toWire` converts only keys, condition
 * values and the idempotency record. So the store sends DynamoDB's plain commands through
 * the process's Document client (which shares the DynamoDB client's middleware stack and
 * passes plain commands through untranslated).
 */

/** A value the store writes, in DynamoDB's format. */
function wireValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`the store does not write ${value}`);
    return { N: String(value) };
  }
  if (value instanceof Uint8Array) return { B: value };
  if (value === null) return { NULL: true };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(wireValue) };
  throw new TypeError(`the store does not write values of type ${typeof value}`);
}

/** An item in DynamoDB's format; attributes left undefined are left out. */
function toWire(item: Item): Record<string, AttributeValue> {
  const wire: Record<string, AttributeValue> = {};
  for (const name of Object.keys(item)) {
    const value = item[name];
    if (value !== undefined) wire[name] = wireValue(value);
  }
  return wire;
}

/** A value as DynamoDB sends it, in plain form (a number as a number, binary as bytes). */
function plainValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(plainValue);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.B !== undefined) return value.B;
  if (value.M !== undefined) return fromWire(value.M);
  throw new TypeError('the store reads no sets and no attributes of unknown types');
}

/** An item as DynamoDB sends it, in plain form. */
function fromWire(item: Record<string, AttributeValue>): Item {
  const plain: Item = {};
  for (const name of Object.keys(item)) {
    const value = item[name];
    if (value !== undefined) plain[name] = plainValue(value);
  }
  return plain;
}

/** An item in DynamoDB's format, as a write sends it. */
type WireItem = Record<string, AttributeValue>;

const wireString = (value: string): AttributeValue => ({ S: value });
const wireNullableString = (value: string | null): AttributeValue =>
  value === null ? { NULL: true } : { S: value };

/**
 * The list attributes of a version in DynamoDB's format, built once per write and shared by
 * its head, its revision and its tag entries (attribute values are never changed once built).
 * Items are written in DynamoDB's format directly rather than converted from plain objects,
 * and by assigning attributes one by one, not with object spread: V8 copies a spread of
 * these items (computed key names) through its slow path, about 4–15 µs an item against
 * well under 1 µs (measured in a loop).
 */
function summaryWire(article: ArticleSummary): WireItem {
  return {
    slug: wireString(article.slug),
    title: wireString(article.title),
    summary: wireNullableString(article.summary),
    author: wireNullableString(article.author),
    tags: { L: article.tags.map(wireString) },
    status: wireString(article.status),
    publishedAt: wireNullableString(article.publishedAt),
    createdAt: wireString(article.createdAt),
    updatedAt: wireString(article.updatedAt),
    version: { N: String(article.version) },
    createdBy: wireString(article.createdBy),
    updatedBy: wireString(article.updatedBy),
  } satisfies Record<(typeof LIST_ATTRIBUTES)[number], AttributeValue>;
}

/** An item with this key and the list attributes of `summary`. */
function withSummary(pk: string, sk: string, summary: WireItem): WireItem {
  const item: WireItem = {};
  item[PK] = wireString(pk);
  item[SK] = wireString(sk);
  for (const name of LIST_ATTRIBUTES) {
    const value = summary[name];
    if (value !== undefined) item[name] = value;
  }
  return item;
}

/** The stored content of a version (content.ts), refused when a write could not hold it twice. */
function storedContent(article: Article): Buffer {
  const bytes = encodeContent(article);
  if (bytes.length > MAX_CONTENT_BYTES) {
    throw new ValidationError('The body is too large to store with its HTML.', [
      {
        path: 'body',
        message: `with its rendered HTML it takes ${bytes.length} bytes to store, more than ${MAX_CONTENT_BYTES}; shorten it`,
      },
    ]);
  }
  return bytes;
}

/** Content items a version needs: none when it fits in the head (or revision) item. */
const chunkCount = (content: Buffer) =>
  content.length <= CHUNK_BYTES ? 0 : Math.ceil(content.length / CHUNK_BYTES);

/** The content of a version from its parts: the one in its item, or its chunks in key order. */
function contentFrom(parts: readonly unknown[]): Content {
  const arrays = parts as readonly Uint8Array[];
  const [only] = arrays;
  return decodeContent(arrays.length === 1 && only !== undefined ? only : Buffer.concat(arrays));
}

/** The content of a version item (head or revision) and its chunk items, in key order. */
function contentParts(versionItem: Item, chunkItems: readonly Item[]): unknown[] {
  if (Number(versionItem.chunks) === 0) return [versionItem.content];
  return [...chunkItems]
    .sort((a, b) => String(a[SK]).localeCompare(String(b[SK])))
    .map((chunk) => chunk.data);
}

/** What a write of one version needs, computed once. */
interface VersionWrite {
  readonly article: Article;
  readonly stamp: Stamp;
  readonly summary: WireItem;
  readonly digest: string;
  readonly content: Buffer;
}

/** A version item, head or revision: the same attributes under either key. */
function versionItem({ article, stamp, summary, digest, content }: VersionWrite, sortKey: string): WireItem {
  const item = withSummary(articlePk(article.slug), sortKey, summary);
  item.chunks = { N: String(stamp.chunks) };
  item.nonce = wireString(stamp.nonce);
  item.digest = wireString(digest);
  if (stamp.chunks === 0) item.content = { B: content };
  return item;
}

/** The chunk items of a version's content, under `prefix` (`` for the head's, the revision key for a revision's). */
function chunkItems({ article, stamp, content }: VersionWrite, prefix: string): WireItem[] {
  const items: WireItem[] = [];
  for (let index = 0; index < stamp.chunks; index++) {
    items.push({
      [PK]: wireString(articlePk(article.slug)),
      [SK]: wireString(`${prefix}${chunkSk(index)}`),
      version: { N: String(article.version) },
      data: { B: content.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES) },
    });
  }
  return items;
}

function headItem(version: VersionWrite): WireItem {
  const { article } = version;
  const item = versionItem(version, HEAD_SK);
  item[ALL.partitionKey.name] = wireString(ALL_PARTITION);
  item[ALL.sortKey.name] = wireString(timeSlugKey(article.createdAt, article.slug));
  if (article.status === 'published' && article.publishedAt !== null) {
    item[BY_STATUS.partitionKey.name] = wireString(PUBLISHED_PARTITION);
    item[BY_STATUS.sortKey.name] = wireString(timeSlugKey(article.publishedAt, article.slug));
  } else {
    item[BY_STATUS.partitionKey.name] = wireString(DRAFT_PARTITION);
    item[BY_STATUS.sortKey.name] = wireString(timeSlugKey(article.createdAt, article.slug));
  }
  return item;
}

/**
 * The items a version is written as: its head, and the rest (its content chunks, its
 * revision and the revision's chunks, its tag entries). Head and revision hold the same
 * attributes.
 */
function versionItems(article: Article, stamp: Stamp, content: Buffer): { head: WireItem; rest: WireItem[] } {
  const version: VersionWrite = {
    article,
    stamp,
    summary: summaryWire(article),
    digest: versionDigest(versionState(article, stamp)),
    content,
  };
  const revisionKey = revisionSk(article.version);
  return {
    head: headItem(version),
    rest: [
      ...chunkItems(version, ''),
      versionItem(version, revisionKey),
      ...chunkItems(version, `${revisionKey}#`),
      ...tagKeys(article).map((key) => withSummary(String(key[PK]), String(key[SK]), version.summary)),
    ],
  };
}

/** The keys of the tag entries of a version (only a published or scheduled one has any). */
function tagKeys(version: Pick<ArticleSummary, 'slug' | 'status' | 'publishedAt' | 'tags'>): Item[] {
  if (version.status !== 'published' || version.publishedAt === null) return [];
  const sk = timeSlugKey(version.publishedAt, version.slug);
  return version.tags.map((tag) => ({ [PK]: tagPk(tag), [SK]: sk }));
}

const keyString = (item: Item) => `${String(item[PK])}\u0000${String(item[SK])}`;

function toSummary(item: Item): ArticleSummary {
  return {
    slug: String(item.slug),
    title: String(item.title),
    summary: typeof item.summary === 'string' ? item.summary : null,
    author: typeof item.author === 'string' ? item.author : null,
    tags: Array.isArray(item.tags) ? item.tags.map(String) : [],
    status: item.status === 'draft' ? 'draft' : ('published' satisfies StoredStatus),
    publishedAt: typeof item.publishedAt === 'string' ? item.publishedAt : null,
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    version: Number(item.version),
    createdBy: String(item.createdBy),
    updatedBy: String(item.updatedBy),
  };
}

function storedArticle(head: Item, chunks: readonly Item[]): StoredArticle {
  const { body, bodyHtml } = contentFrom(contentParts(head, chunks));
  return Object.assign(toSummary(head), {
    body,
    bodyHtml,
    stamp: { nonce: String(head.nonce), chunks: Number(head.chunks) },
    digest: String(head.digest),
  });
}

// ---------------------------------------------------------------------------
// Errors: DynamoDB's own never leave the store.

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

/** A Query of the store's table, its values plain (`query` writes them in DynamoDB's format). */
type PlainQuery = Pick<
  QueryCommandInput,
  'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ScanIndexForward' | 'ConsistentRead'
> & { readonly ExpressionAttributeValues: Item };

/** A transaction item's condition, its values plain (`put` writes them in DynamoDB's format). */
interface Condition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Item;
  readonly ReturnValuesOnConditionCheckFailure?: 'ALL_OLD';
}

interface CancellationReason {
  Code?: string;
  Item?: Item;
}

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  /** As DynamoDB sends them: items in its own format. */
  CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[];
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

function translate(error: unknown): unknown {
  return isUnavailable(error) ? new ServiceUnavailableError(1) : error;
}

// ---------------------------------------------------------------------------

export class DynamoArticleStore implements ArticleStore {
  /** Content encoded by `stampFor`, so that the write that follows does not encode it again. */
  private readonly encoded = new WeakMap<Article, Buffer>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(
    slug: string,
    options: { readonly consistent?: boolean } = {},
  ): Promise<StoredArticle | undefined> {
    const consistent = options.consistent ?? false;
    const head = await this.getItem({ [PK]: articlePk(slug), [SK]: HEAD_SK }, consistent);
    if (head === undefined || head.takenDownAt !== undefined) return undefined;
    if (Number(head.chunks) === 0) return storedArticle(head, []);
    return this.getChunked(slug, consistent);
  }

  /** An article whose content is in chunks: its head and chunks, in one Query. */
  private async getChunked(slug: string, consistent: boolean): Promise<StoredArticle | undefined> {
    // An eventually consistent read may catch a head and content of different versions
    // mid-write; then read again, consistently.
    let consistentRead = consistent;
    for (let attempt = 0; attempt < 3; attempt++) {
      const items = await this.queryAll({
        KeyConditionExpression: '#pk = :pk AND #sk < :upper',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: { ':pk': articlePk(slug), ':upper': CURRENT_UPPER_BOUND },
        ConsistentRead: consistentRead,
      });
      const head = items.find((item) => item[SK] === HEAD_SK);
      if (head === undefined || head.takenDownAt !== undefined) return undefined;
      const chunks = items.filter((item) => item[SK] !== HEAD_SK && item.version === head.version);
      if (Number(head.chunks) === 0 || chunks.length === Number(head.chunks)) {
        return storedArticle(head, chunks);
      }
      consistentRead = true;
    }
    throw new ServiceUnavailableError(1);
  }

  stampFor(article: Article): Stamp {
    const content = storedContent(article);
    this.encoded.set(article, content);
    return { nonce: randomBytesFromPool(12).toString('base64url'), chunks: chunkCount(content) };
  }

  async getContent(slug: string, version: number): Promise<Content | undefined> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: {
        ':pk': articlePk(slug),
        ':from': revisionSk(version),
        ':to': `${revisionSk(version)}#C#~`,
      },
      ConsistentRead: true,
    });
    const revision = items.find((item) => item[SK] === revisionSk(version));
    if (revision === undefined) return undefined;
    return contentFrom(
      contentParts(
        revision,
        items.filter((item) => item !== revision),
      ),
    );
  }

  async create(article: Article, stamp: Stamp, idempotency?: IdempotencyRecord): Promise<void> {
    const version = versionItems(article, stamp, this.contentOf(article, stamp));
    const transaction = [
      this.put(version.head, {
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
      ...(idempotency === undefined ? [] : [this.idempotencyPut(idempotency, article.createdAt)]),
      ...version.rest.map((item) => this.put(item)),
    ];
    await this.transact(transaction, (reasons) =>
      // The idempotency record decides first: a replayed create also finds its slug taken.
      idempotency !== undefined && reasons[1]?.Code === 'ConditionalCheckFailed'
        ? new IdempotencyKeyUsedError()
        : new SlugTakenError(article.slug),
    );
  }

  async getIdempotencyRecord(key: string, now: Date): Promise<IdempotencyRecord | undefined> {
    const item = await this.getItem({ [PK]: idempotencyPk(key), [SK]: IDEMPOTENCY_SK }, true);
    if (item === undefined || Number(item[TTL]) < Math.floor(now.getTime() / 1000)) return undefined;
    return {
      key,
      requestHash: String(item.requestHash),
      response: String(item.response),
      expiresAt: Number(item[TTL]),
    };
  }

  async replace(expected: VersionState, next: Article, stamp: Stamp): Promise<void> {
    const version = versionItems(next, stamp, this.contentOf(next, stamp));
    const pk = articlePk(next.slug);
    const newTagKeys = new Set(tagKeys(next).map(keyString));
    const staleTagKeys = tagKeys(expected).filter((key) => !newTagKeys.has(keyString(key)));
    const staleChunks: Item[] = [];
    for (let index = stamp.chunks; index < expected.chunks; index++) {
      staleChunks.push({ [PK]: pk, [SK]: chunkSk(index) });
    }
    await this.transact(
      [
        this.put(version.head, this.versionCondition(expected)),
        ...version.rest.map((item) => this.put(item)),
        ...[...staleChunks, ...staleTagKeys].map((key) => this.delete(key)),
      ],
      (reasons) => this.conditionFailure(reasons[0]?.Item),
      expected,
    );
  }

  async takeDown(expected: VersionState, takeDown: TakeDown): Promise<void> {
    // The head keeps every field and its content, gains the take-down stamp and loses its
    // index keys; every version stays in its revision: nothing is destroyed by a take-down.
    const condition = this.versionCondition(expected);
    const indexKeys = [BY_STATUS, ALL].flatMap((index) => [index.partitionKey.name, index.sortKey.name]);
    await this.transact(
      [
        {
          Update: {
            TableName: this.tableName,
            Key: toWire({ [PK]: articlePk(expected.slug), [SK]: HEAD_SK }),
            UpdateExpression: `SET #version = :next, #takenDownAt = :at, #takenDownBy = :by REMOVE ${indexKeys.map((_, i) => `#index${i}`).join(', ')}`,
            ConditionExpression: condition.ConditionExpression,
            ExpressionAttributeNames: {
              ...condition.ExpressionAttributeNames,
              '#version': 'version',
              '#takenDownBy': 'takenDownBy',
              ...Object.fromEntries(indexKeys.map((name, i) => [`#index${i}`, name])),
            },
            ExpressionAttributeValues: toWire({
              ...condition.ExpressionAttributeValues,
              ':next': expected.version + 1,
              ':at': takeDown.at,
              ':by': takeDown.by,
            }),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        ...tagKeys(expected).map((key) => this.delete(key)),
      ],
      (reasons) => this.conditionFailure(reasons[0]?.Item),
      expected,
    );
  }

  async list({ query, now, limit, startKey }: ListRequest): Promise<ListPage> {
    const plan = this.listPlan(query, now);
    if (startKey !== undefined) {
      const names = Object.keys(startKey).sort();
      if (
        names.join() !== [...plan.keyNames].sort().join() ||
        startKey[plan.partitionName] !== plan.partition
      ) {
        throw new BadRequestError('The cursor is not one this API returned for this query.');
      }
      // A scheduled-list cursor whose article has been published since: nothing after it is scheduled.
      if (plan.lowerBound !== undefined && String(startKey[plan.sortName]) <= plan.lowerBound) {
        return { items: [], lastKey: undefined };
      }
    }
    const items: Item[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined = startKey;
    // Ask for one more than the page so that the last page says so (nextCursor null).
    do {
      const page = await this.query(plan.input, exclusiveStartKey, limit + 1 - items.length);
      items.push(...page.items);
      exclusiveStartKey = page.lastKey;
    } while (items.length <= limit && exclusiveStartKey !== undefined);
    const more = items.length > limit;
    const pageItems = items.slice(0, limit);
    const last = pageItems.at(-1);
    const lastKey =
      more && last !== undefined
        ? Object.fromEntries(plan.keyNames.map((name) => [name, String(last[name])]))
        : undefined;
    return { items: pageItems.map(toSummary), lastKey };
  }

  // -------------------------------------------------------------------------

  private listPlan(query: ListQuery, now: Date) {
    const bound = nowBound(now);
    const onIndex = (
      index: typeof BY_STATUS | typeof ALL,
      partition: string,
      condition: '<' | '>' | '=',
      value?: string,
    ) => ({
      partition,
      partitionName: index.partitionKey.name,
      sortName: index.sortKey.name,
      keyNames: [PK, SK, index.partitionKey.name, index.sortKey.name],
      lowerBound: condition === '>' ? value : undefined,
      input: {
        IndexName: index.name,
        KeyConditionExpression: value === undefined ? '#p = :p' : `#p = :p AND #s ${condition} :s`,
        ExpressionAttributeNames: {
          '#p': index.partitionKey.name,
          ...(value === undefined ? {} : { '#s': index.sortKey.name }),
        } as Record<string, string>,
        ExpressionAttributeValues: { ':p': partition, ...(value === undefined ? {} : { ':s': value }) },
        ScanIndexForward: false,
      } satisfies PlainQuery,
    });
    if (query.kind === 'public') {
      if (query.tag === null) return onIndex(BY_STATUS, PUBLISHED_PARTITION, '<', bound);
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
        } satisfies PlainQuery,
      };
    }
    switch (query.status) {
      case 'published':
        return onIndex(BY_STATUS, PUBLISHED_PARTITION, '<', bound);
      case 'scheduled':
        return onIndex(BY_STATUS, PUBLISHED_PARTITION, '>', bound);
      case 'draft':
        return onIndex(BY_STATUS, DRAFT_PARTITION, '=');
      default:
        return onIndex(ALL, ALL_PARTITION, '=');
    }
  }

  /**
   * The condition of a write over the version `expected`: the head holds exactly that state
   * (its digest covers every field the write relies on) and is not taken down.
   */
  private versionCondition(expected: VersionState): Condition {
    return {
      ConditionExpression: '#digest = :expected AND attribute_not_exists(#takenDownAt)',
      ExpressionAttributeNames: { '#digest': 'digest', '#takenDownAt': 'takenDownAt' },
      ExpressionAttributeValues: { ':expected': versionDigest(expected) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  /** A transaction's Put of `item`, only when `condition` (if any) holds. */
  private put(item: WireItem, condition?: Condition): TransactWriteItem {
    const put: NonNullable<TransactWriteItem['Put']> = { TableName: this.tableName, Item: item };
    if (condition !== undefined) {
      put.ConditionExpression = condition.ConditionExpression;
      put.ExpressionAttributeNames = condition.ExpressionAttributeNames;
      if (condition.ExpressionAttributeValues !== undefined) {
        put.ExpressionAttributeValues = toWire(condition.ExpressionAttributeValues);
      }
      put.ReturnValuesOnConditionCheckFailure = condition.ReturnValuesOnConditionCheckFailure;
    }
    return { Put: put };
  }

  /** A transaction's Delete of the item with this key. */
  private delete(key: Item): TransactWriteItem {
    return { Delete: { TableName: this.tableName, Key: toWire(key) } };
  }

  /** The content as `stampFor` encoded it (encoded again for a stamp made elsewhere). */
  private contentOf(article: Article, stamp: Stamp): Buffer {
    const content = this.encoded.get(article) ?? storedContent(article);
    if (chunkCount(content) !== stamp.chunks) throw new Error('the stamp was made for other content');
    return content;
  }

  private conditionFailure(old: Item | undefined): Error {
    return old === undefined || old.takenDownAt !== undefined
      ? new NotFoundError('No article with this slug.')
      : new PreconditionFailedError();
  }

  /** Runs a transaction whose first item is the conditional head write. */
  private async transact(
    TransactItems: TransactWriteItem[],
    onConditionFailed: (reasons: CancellationReason[]) => Error,
    expected?: VersionState,
  ) {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems }));
        return;
      } catch (error) {
        const e = asSdkError(error);
        const reasons: CancellationReason[] =
          e.name === 'TransactionCanceledException'
            ? (e.CancellationReasons ?? []).map(({ Code, Item }) => ({
                Code,
                Item: Item === undefined ? undefined : fromWire(Item),
              }))
            : [];
        if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed'))
          throw onConditionFailed(reasons);
        // Another transaction held one of these items: run it again, and the condition on
        // the head decides (a lost race becomes 412/409, not a 503).
        const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict');
        if (conflict && attempt < CONFLICT_ATTEMPTS) {
          await sleep(10 + Math.random() * 40 * attempt);
          continue;
        }
        // Still conflicting: when another writer has replaced the version meanwhile, this
        // write has lost the race (412 or 404), it is not the database's fault.
        if (conflict && expected !== undefined) {
          const lost = await this.lostRace(expected);
          if (lost !== undefined) throw lost;
        }
        throw translate(error);
      }
    }
  }

  /** The error a write over `expected` would get from its condition now, or undefined when it would pass. */
  private async lostRace(expected: VersionState): Promise<Error | undefined> {
    const head = await this.getItem({ [PK]: articlePk(expected.slug), [SK]: HEAD_SK }, true, {
      ProjectionExpression: '#digest, #takenDownAt',
      ExpressionAttributeNames: { '#digest': 'digest', '#takenDownAt': 'takenDownAt' },
    });
    if (head !== undefined && head.takenDownAt === undefined && head.digest === versionDigest(expected)) {
      return undefined;
    }
    return this.conditionFailure(head);
  }

  /** The item with this key, or undefined; with `projection`, only the attributes it names. */
  private async getItem(
    key: Item,
    consistent: boolean,
    projection?: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> },
  ): Promise<Item | undefined> {
    const command = new GetItemCommand({
      TableName: this.tableName,
      Key: toWire(key),
      ConsistentRead: consistent,
      ProjectionExpression: projection?.ProjectionExpression,
      ExpressionAttributeNames: projection?.ExpressionAttributeNames,
    });
    const { Item } = await this.send(() => this.client.send(command));
    return Item === undefined ? undefined : fromWire(Item);
  }

  /** One page of a Query (of at most `limit` items), from `startKey` on. */
  private async query(
    input: PlainQuery,
    startKey?: Item,
    limit?: number,
  ): Promise<{ items: Item[]; lastKey?: Item }> {
    const command = new QueryCommand({
      TableName: this.tableName,
      IndexName: input.IndexName,
      KeyConditionExpression: input.KeyConditionExpression,
      ExpressionAttributeNames: input.ExpressionAttributeNames,
      ExpressionAttributeValues: toWire(input.ExpressionAttributeValues),
      ScanIndexForward: input.ScanIndexForward,
      ConsistentRead: input.ConsistentRead,
      Limit: limit,
      ExclusiveStartKey: startKey === undefined ? undefined : toWire(startKey),
    });
    const page = await this.send(() => this.client.send(command));
    return {
      items: (page.Items ?? []).map(fromWire),
      lastKey: page.LastEvaluatedKey === undefined ? undefined : fromWire(page.LastEvaluatedKey),
    };
  }

  /** Runs a request to DynamoDB; an error that says it is unavailable becomes a 503. */
  private async send<Output>(request: () => Promise<Output>): Promise<Output> {
    try {
      return await request();
    } catch (error) {
      throw translate(error);
    }
  }

  private idempotencyPut(record: IdempotencyRecord, createdAt: string): TransactWriteItem {
    return this.put(
      toWire({
        [PK]: idempotencyPk(record.key),
        [SK]: IDEMPOTENCY_SK,
        requestHash: record.requestHash,
        response: record.response,
        [TTL]: record.expiresAt,
      }),
      {
        // A record past its expiry that TTL has not deleted yet no longer counts.
        ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
        ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
        ExpressionAttributeValues: { ':now': Math.floor(Date.parse(createdAt) / 1000) },
      },
    );
  }

  private async queryAll(input: PlainQuery): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.query(input, startKey);
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey !== undefined);
    return items;
  }
}
