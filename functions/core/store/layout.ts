import type { ArticleSummary, StoredArticle } from '../article-model.ts';
import { LIST_ATTRIBUTES, TABLE } from '../table.ts';

/**
 * How articles lie in the table (one table, see table.ts); plain items as the DynamoDB
 * Document client reads and writes them.
 *
 * - `ARTICLE#<slug>` / `A`             the head: every field of the current version (body
 *                                      and bodyHtml as strings), its ETag, and the index
 *                                      keys while it is live. One GetItem reads an article.
 * - `ARTICLE#<slug>` / `R#<version>`   every version as it was written, the same fields,
 *                                      written in the same transaction as the version.
 * - `…` / `C#body#000`, `C#bodyHtml#000`, and `R#<version>#C#…`
 *                                      a version's body or HTML, in slices, only when the
 *                                      version would not fit in one item (400 KB).
 * - `TAG#<tag>` / `<publishedAt>#<slug>` one entry per tag of a published (or scheduled)
 *                                      article, with the list fields: a tag page is one Query.
 * - `IDEMPOTENCY#<key>` / `I`          the remembered outcome of a create (expires by TTL).
 * Index `byStatus`: `PUB` sorted by publishedAt, `DRAFT` sorted by createdAt.
 * Index `all`: `ALL` (every live article) sorted by createdAt.
 */

export type Item = Record<string, unknown>;
export type Key = Record<string, string>;

export const PK = TABLE.partitionKey.name;
export const SK = TABLE.sortKey.name;
export const BY_STATUS = TABLE.indexes.byStatus;
export const ALL = TABLE.indexes.all;
export const TTL = TABLE.ttlAttribute;

export const HEAD_SK = 'A';
export const PUBLISHED_PARTITION = 'PUB';
export const DRAFT_PARTITION = 'DRAFT';
export const ALL_PARTITION = 'ALL';

export const articlePk = (slug: string) => `ARTICLE#${slug}`;
export const revisionSk = (version: number) => `R#${String(version).padStart(10, '0')}`;
export const tagPk = (tag: string) => `TAG#${tag}`;
export const idempotencyKey = (key: string): Key => ({ [PK]: `IDEMPOTENCY#${key}`, [SK]: 'I' });
export const headKey = (slug: string): Key => ({ [PK]: articlePk(slug), [SK]: HEAD_SK });

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

/** A sort key of time then slug: the instant in UTC, so any offset the editor sent sorts right. */
export const timeSlugKey = (iso: string, slug: string) =>
  `${new Date(Date.parse(iso)).toISOString()}#${descendingSlug(slug)}`;
/** Key part for "time ≤ now": every key at or before `now` sorts below it ('#' < '$'). */
export const nowBound = (now: Date) => `${now.toISOString()}$`;
/**
 * Key bounds for "from ≤ time < until" (for a BETWEEN): `<from>#` sorts before every key of
 * that instant, `<until>#` after every key before that instant and before every key of it;
 * neither is a real key (a slug is never empty).
 */
export const timeRangeBounds = (from: Date, until: Date) => ({
  lower: `${from.toISOString()}#`,
  upper: `${until.toISOString()}#`,
});

// ---------------------------------------------------------------------------
// Content: inline, or in slices when a version would pass DynamoDB's 400 KB item limit

/** Body and HTML stay in the version's item up to this many UTF-8 bytes together. */
export const INLINE_CONTENT_BYTES = 350_000;
/** The largest slice of a body or HTML in one content item. */
export const SLICE_BYTES = 350_000;

const CONTENT_FIELDS = ['body', 'bodyHtml'] as const;
type ContentField = (typeof CONTENT_FIELDS)[number];

/** `text` cut into slices of at most `maxBytes` UTF-8 bytes, never inside a character. */
export function slices(text: string, maxBytes: number): string[] {
  const parts: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let index = 0; index < text.length; ) {
    const codePoint = text.codePointAt(index) ?? 0;
    const width = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    const units = codePoint > 0xffff ? 2 : 1;
    if (bytes + width > maxBytes) {
      parts.push(text.slice(start, index));
      start = index;
      bytes = 0;
    }
    bytes += width;
    index += units;
  }
  parts.push(text.slice(start));
  return parts;
}

const isInline = (article: Pick<StoredArticle, 'body' | 'bodyHtml'>) =>
  Buffer.byteLength(article.body, 'utf8') + Buffer.byteLength(article.bodyHtml, 'utf8') <=
  INLINE_CONTENT_BYTES;

const sliceSk = (prefix: string, field: ContentField, index: number) =>
  `${prefix}C#${field}#${String(index).padStart(3, '0')}`;

/** The slice items of a version's content under `prefix` ('' for the head's, `R#…#` for a revision's). */
function sliceItems(article: StoredArticle, prefix: string): Item[] {
  if (isInline(article)) return [];
  return CONTENT_FIELDS.flatMap((field) =>
    slices(article[field], SLICE_BYTES).map((text, index) => ({
      [PK]: articlePk(article.slug),
      [SK]: sliceSk(prefix, field, index),
      version: article.version,
      text,
    })),
  );
}

/** The keys of the head's slice items of `article` (none when its content is inline). */
export const headSliceKeys = (article: StoredArticle): Key[] =>
  sliceItems(article, '').map((item) => ({ [PK]: String(item[PK]), [SK]: String(item[SK]) }));

/**
 * Sort key bounds of every revision item, newest last. The slices of revision `n`
 * (`R#<n>#C#…`) sort inside this range too, between revision `n` and `n + 1`: a Query of
 * it filters them out (they carry no `title`).
 */
export const REVISIONS_RANGE = { from: revisionSk(0), to: revisionSk(9_999_999_999) } as const;

/** True for the sort key of a revision item or one of its slices. */
export const isRevisionSk = (sk: string) => /^R#[0-9]{10}(#C#|$)/.test(sk);

/** Sort key range of a version's item and its slices: the head's, or revision `version`'s. */
export function versionRange(version: number | 'head'): { from: string; to: string } {
  if (version === 'head') return { from: HEAD_SK, to: 'C#~' };
  const sk = revisionSk(version);
  return { from: sk, to: `${sk}#C#~` };
}

// ---------------------------------------------------------------------------
// Items ↔ articles

function listAttributes(article: ArticleSummary): Item {
  return Object.fromEntries(LIST_ATTRIBUTES.map((name) => [name, article[name]]));
}

/** A version item (head or revision): the article's fields, its content when inline, its ETag. */
function versionItem(article: StoredArticle, sk: string): Item {
  const inline = isInline(article);
  return {
    [PK]: articlePk(article.slug),
    [SK]: sk,
    ...listAttributes(article),
    etag: article.etag,
    ...(inline
      ? { body: article.body, bodyHtml: article.bodyHtml }
      : {
          bodySlices: slices(article.body, SLICE_BYTES).length,
          bodyHtmlSlices: slices(article.bodyHtml, SLICE_BYTES).length,
        }),
  };
}

/** The head item of the current version, with its index keys. */
export function headItem(article: StoredArticle): Item {
  const published = article.status === 'published' && article.publishedAt !== null;
  return {
    ...versionItem(article, HEAD_SK),
    [ALL.partitionKey.name]: ALL_PARTITION,
    [ALL.sortKey.name]: timeSlugKey(article.createdAt, article.slug),
    [BY_STATUS.partitionKey.name]: published ? PUBLISHED_PARTITION : DRAFT_PARTITION,
    [BY_STATUS.sortKey.name]: timeSlugKey(
      published && article.publishedAt !== null ? article.publishedAt : article.createdAt,
      article.slug,
    ),
  };
}

/** Everything a version is written as besides its head: head slices, revision, revision slices. */
export function versionItems(article: StoredArticle): Item[] {
  const revision = revisionSk(article.version);
  return [...sliceItems(article, ''), versionItem(article, revision), ...sliceItems(article, `${revision}#`)];
}

/** The keys of a version's tag entries (only a published or scheduled one has any). */
export function tagKeys(article: Pick<ArticleSummary, 'slug' | 'status' | 'publishedAt' | 'tags'>): Key[] {
  if (article.status !== 'published' || article.publishedAt === null) return [];
  const sk = timeSlugKey(article.publishedAt, article.slug);
  return article.tags.map((tag) => ({ [PK]: tagPk(tag), [SK]: sk }));
}

export const tagItems = (article: ArticleSummary): Item[] =>
  tagKeys(article).map((key) => ({ ...key, ...listAttributes(article) }));

const text = (value: unknown) => (typeof value === 'string' ? value : null);

export function toSummary(item: Item): ArticleSummary {
  return {
    slug: String(item.slug),
    title: String(item.title),
    summary: text(item.summary),
    author: text(item.author),
    tags: Array.isArray(item.tags) ? item.tags.map(String) : [],
    status: item.status === 'draft' ? 'draft' : 'published',
    publishedAt: text(item.publishedAt),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    version: Number(item.version),
    createdBy: String(item.createdBy),
    updatedBy: String(item.updatedBy),
  };
}

/** True when a version item keeps its content in slice items. */
export const hasSlices = (item: Item) => typeof item.body !== 'string';

/**
 * The article a version item and its slice items (in any order) describe, or undefined
 * when the slices present are not all of that version's (a read that caught a write
 * half-way: read again, consistently).
 */
export function toArticle(versionItem: Item, sliceItems: readonly Item[] = []): StoredArticle | undefined {
  const content: Record<ContentField, string> = { body: '', bodyHtml: '' };
  if (hasSlices(versionItem)) {
    const prefix = `${String(versionItem[SK]) === HEAD_SK ? '' : `${String(versionItem[SK])}#`}C#`;
    for (const field of CONTENT_FIELDS) {
      const expected = Number(versionItem[`${field}Slices`]);
      const parts = sliceItems
        .filter(
          (item) => String(item[SK]).startsWith(`${prefix}${field}#`) && item.version === versionItem.version,
        )
        .sort((a, b) => String(a[SK]).localeCompare(String(b[SK])));
      if (parts.length !== expected) return undefined;
      content[field] = parts.map((part) => String(part.text)).join('');
    }
  } else {
    content.body = String(versionItem.body);
    content.bodyHtml = String(versionItem.bodyHtml);
  }
  return { ...toSummary(versionItem), ...content, etag: String(versionItem.etag) };
}

/** True for a head item that has been taken down. */
export const isTakenDown = (item: Item) => item.takenDownAt !== undefined;

/** The key of an item, as the list cursor carries it. */
export function keyOf(item: Item, names: readonly string[]): Key {
  return Object.fromEntries(names.map((name) => [name, String(item[name])]));
}
