import type { ArticleSummary, StoredArticle } from '../article-model.ts';
import type { Key } from './layout.ts';

/**
 * The article store as the services see it: domain objects in and out, never DynamoDB
 * items. Storage outcomes are reported with the errors in ./errors.ts.
 */

export type ListQuery =
  | { readonly kind: 'public'; readonly tag: string | null }
  | { readonly kind: 'editor'; readonly status: 'draft' | 'scheduled' | 'published' | null };

export interface ListRequest {
  readonly query: ListQuery;
  readonly now: Date;
  readonly limit: number;
  readonly startKey: Key | undefined;
}

/** The newest visible articles, for a feed. */
export interface FeedRequest {
  /** Only articles carrying this tag (read from its tag partition), or null for all. */
  readonly tag: string | null;
  readonly now: Date;
  /** At most this many (the newest). */
  readonly limit: number;
}

/** Visible articles by publication time, for the sitemaps. */
export interface PublishedRange {
  /** Earliest publishedAt, inclusive. */
  readonly from: Date;
  /** publishedAt before this instant (exclusive); the caller keeps it at most now + 1 ms. */
  readonly until: Date;
  /** At most this many, newest first. */
  readonly limit: number;
}

export interface ListPage {
  readonly items: ArticleSummary[];
  /** The key to continue after, or undefined when nothing follows. */
  readonly lastKey: Key | undefined;
}

export interface TakeDown {
  readonly by: string;
  readonly at: string;
  /** The ETag the head takes with the take-down. */
  readonly etag: string;
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

/** A page of an article's history, newest version first. */
export interface RevisionsRequest {
  readonly slug: string;
  readonly limit: number;
  readonly startKey: Key | undefined;
}

export interface RevisionsPage {
  /** The version of the live head (the current version). */
  readonly current: number;
  /** The versions of this page, newest first, without their content. */
  readonly items: ArticleSummary[];
  /** The key to continue after, or undefined when nothing follows. */
  readonly lastKey: Key | undefined;
}

export interface ArticleStore {
  /** The live article with this slug, or undefined (never written, or taken down). */
  get(slug: string, options?: { readonly consistent?: boolean }): Promise<StoredArticle | undefined>;
  /** The current version of a live article (one GetItem of its head), or undefined (never written, or taken down). */
  liveVersion(slug: string): Promise<number | undefined>;
  /**
   * A page of a live article's versions, newest first (one GetItem of the head and one
   * Query, whatever the number of versions), or undefined when the article is not live.
   * InvalidStartKeyError for a start key that is not this article's history.
   */
  revisions(request: RevisionsRequest): Promise<RevisionsPage | undefined>;
  /** Version `version` of an article as it was written, or undefined. */
  getVersion(slug: string, version: number): Promise<StoredArticle | undefined>;
  /**
   * Writes a new article: SlugTakenError when the slug was ever used. With an idempotency
   * record, the record is written in the same transaction: IdempotencyKeyUsedError when a
   * live record with that key exists.
   */
  create(article: StoredArticle, idempotency?: IdempotencyRecord): Promise<void>;
  /** The live (unexpired) idempotency record with this key, or undefined. */
  getIdempotencyRecord(key: string, now: Date): Promise<IdempotencyRecord | undefined>;
  /**
   * Writes `next` over `current` if `current` is still the current version:
   * VersionMismatchError when another version has replaced it, ArticleGoneError when the
   * article has been taken down meanwhile.
   */
  replace(current: StoredArticle, next: StoredArticle): Promise<void>;
  /** Hides `current` from every read and list, keeping all it holds (errors as `replace`). */
  takeDown(current: StoredArticle, takeDown: TakeDown): Promise<void>;
  /** A page of a list: InvalidStartKeyError for a start key that is not this list's. */
  list(request: ListRequest): Promise<ListPage>;
  /**
   * The newest visible articles (at most `limit`), newest first, with their content: one
   * Query, one BatchGetItem of their heads, and one more Query per article kept in slices.
   */
  feed(request: FeedRequest): Promise<StoredArticle[]>;
  /** The published articles of a range of publication times, newest first (Queries of that range only). */
  publishedBetween(range: PublishedRange): Promise<ArticleSummary[]>;
  /** The publishedAt of the oldest article visible at `now` (one Query, one item), or undefined. */
  oldestPublishedAt(now: Date): Promise<string | undefined>;
}
