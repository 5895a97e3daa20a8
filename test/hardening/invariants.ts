import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type StoredStatus, versionDigest } from '../../functions/core/article-model.ts';
import { decodeContent } from '../../functions/core/content.ts';
import { LIST_ATTRIBUTES, TABLE } from '../../functions/core/table.ts';
import type { RawItem } from './table.ts';

/**
 * Consistency of a whole table, checked from the raw items (what a crash, a fault or a
 * race could leave behind): every article has its head, its content (in the head or in
 * exactly its chunks), one revision per version it was written at, a digest that matches
 * its fields, index keys that match its status, and tag entries that match its tags.
 * Returns the violations (empty = consistent).
 */

export type Plain = string | number | boolean | null | Uint8Array | Plain[] | { [key: string]: Plain };

export function plain(value: AttributeValue): Plain {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.B !== undefined) return value.B;
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(plain);
  if (value.SS !== undefined) return [...value.SS];
  if (value.M !== undefined) return plainItem(value.M);
  throw new Error(`unexpected attribute value ${JSON.stringify(Object.keys(value))}`);
}

export function plainItem(item: Record<string, AttributeValue>): { [key: string]: Plain } {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, plain(value)]));
}

const PK = TABLE.partitionKey.name;
const SK = TABLE.sortKey.name;
const BY_STATUS = TABLE.indexes.byStatus;
const ALL = TABLE.indexes.all;

type Item = { [key: string]: Plain };

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const revisionSk = (version: number) => `R#${pad(version, 10)}`;

function decode(parts: Plain[]): { body: string; bodyHtml: string } | string {
  try {
    return decodeContent(Buffer.concat(parts.map((part) => Buffer.from(part as Uint8Array))));
  } catch (error) {
    return `content does not parse: ${String(error)}`;
  }
}

const same = (a: Plain | undefined, b: Plain | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** The chunk items under `prefix` (`` for the current content, `R#…#` for a revision's), in key order. */
const chunkItemsOf = (group: readonly Item[], prefix: string) => {
  const chunkKey = new RegExp(`^${prefix}C#\\d{3}$`);
  return group
    .filter((item) => chunkKey.test(String(item[SK])))
    .sort((a, b) => String(a[SK]).localeCompare(String(b[SK])));
};

/**
 * The content of a version item (head or revision): inside it when it says 0 chunks, else
 * in exactly that many chunk items of its version. A string when it is not all there.
 */
function versionContent(
  group: readonly Item[],
  item: Item,
  prefix: string,
  version: number,
): { body: string; bodyHtml: string } | string {
  const chunks = chunkItemsOf(group, prefix);
  if (Number(item.chunks) === 0) {
    if (chunks.length > 0) return `says its content is inside, but ${chunks.length} chunks are left`;
    if (!(item.content instanceof Uint8Array)) return 'says its content is inside, but has none';
    return decode([item.content]);
  }
  if (item.content !== undefined) return `says ${String(item.chunks)} chunks, but holds content too`;
  if (chunks.length !== Number(item.chunks))
    return `says ${String(item.chunks)} chunks, found ${chunks.length}`;
  const other = chunks.find((chunk) => chunk.version !== version);
  if (other !== undefined) return `${String(other[SK])} is version ${String(other.version)}, not ${version}`;
  return decode(chunks.map((chunk) => chunk.data as Plain));
}

/** The digest a version item must carry (article-model.ts `versionDigest` of its fields). */
function expectedDigest(item: Item, version: number): string {
  return versionDigest({
    slug: String(item.slug),
    version,
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
    status: String(item.status) as StoredStatus,
    publishedAt: typeof item.publishedAt === 'string' ? item.publishedAt : null,
    tags: Array.isArray(item.tags) ? item.tags.map(String) : [],
    chunks: Number(item.chunks),
    nonce: String(item.nonce),
  });
}

/** The body of every version of `slug` that the table keeps (current and revisions), by version. */
export function bodiesByVersion(rawItems: readonly RawItem[], slug: string): Map<number, string> {
  const group = rawItems.map(plainItem).filter((item) => item[PK] === `ARTICLE#${slug}`);
  const bodies = new Map<number, string>();
  const head = group.find((item) => item[SK] === 'A');
  if (head !== undefined && head.takenDownAt === undefined) {
    const current = versionContent(group, head, '', Number(head.version));
    if (typeof current !== 'string') bodies.set(Number(head.version), current.body);
  }
  for (const revision of group.filter((item) => /^R#\d{10}$/.test(String(item[SK])))) {
    const v = Number(revision.version);
    const revisionContent = versionContent(group, revision, `${revisionSk(v)}#`, v);
    if (typeof revisionContent !== 'string') bodies.set(v, revisionContent.body);
  }
  return bodies;
}

export interface ArticleState {
  readonly slug: string;
  readonly version: number;
  readonly live: boolean;
  readonly head: Item;
  readonly body: string | undefined;
  /** Versions that have a revision item. */
  readonly revisions: number[];
}

export interface Consistency {
  readonly violations: string[];
  readonly articles: Map<string, ArticleState>;
  /** Items outside the article and tag layouts (e.g. idempotency records), by pk. */
  readonly other: Item[];
}

export function checkConsistency(rawItems: readonly RawItem[]): Consistency {
  const items = rawItems.map(plainItem);
  const violations: string[] = [];
  const byArticle = new Map<string, Item[]>();
  const tagEntries: Item[] = [];
  const other: Item[] = [];
  for (const item of items) {
    const pk = String(item[PK]);
    if (pk.startsWith('ARTICLE#')) {
      const slug = pk.slice('ARTICLE#'.length);
      byArticle.set(slug, [...(byArticle.get(slug) ?? []), item]);
    } else if (pk.startsWith('TAG#')) tagEntries.push(item);
    else other.push(item);
  }
  const articles = new Map<string, ArticleState>();
  const expectedTags = new Map<string, Item>();
  for (const [slug, group] of byArticle) {
    const where = `article ${slug}`;
    const head = group.find((item) => item[SK] === 'A');
    if (head === undefined) {
      violations.push(`${where}: items without a head (${group.map((i) => i[SK]).join(', ')})`);
      continue;
    }
    const version = Number(head.version);
    const live = head.takenDownAt === undefined;
    if (head.slug !== slug) violations.push(`${where}: head says slug ${String(head.slug)}`);
    if (!Number.isInteger(version) || version < 1) violations.push(`${where}: bad version ${version}`);
    // Current content: in the head or in exactly its chunks C#000.., of the version of the
    // content (a take-down bumps the head's version and leaves the content where it was).
    const contentVersion = live ? version : version - 1;
    const current = versionContent(group, head, '', contentVersion);
    if (typeof current === 'string') violations.push(`${where}: head ${current}`);
    if (head.digest !== expectedDigest(head, contentVersion)) {
      violations.push(`${where}: the head's digest does not match its fields`);
    }
    // Revisions: one per version written, each complete; the current one is the head's twin.
    const revisionHeads = group.filter((item) => /^R#\d{10}$/.test(String(item[SK])));
    const revisions = revisionHeads.map((item) => Number(item.version)).sort((a, b) => a - b);
    const expected = Array.from({ length: Math.max(0, contentVersion) }, (_, i) => i + 1);
    if (!same(revisions, expected)) {
      violations.push(
        `${where}: revisions ${JSON.stringify(revisions)}, expected ${JSON.stringify(expected)}`,
      );
    }
    for (const revision of revisionHeads) {
      const v = Number(revision.version);
      if (revision[SK] !== revisionSk(v))
        violations.push(`${where}: revision ${String(revision[SK])} holds version ${v}`);
      const revisionContent = versionContent(group, revision, `${revisionSk(v)}#`, v);
      if (typeof revisionContent === 'string') violations.push(`${where}: revision ${v} ${revisionContent}`);
      if (revision.digest !== expectedDigest(revision, v)) {
        violations.push(`${where}: revision ${v}'s digest does not match its fields`);
      }
      if (v === contentVersion && revision.digest !== head.digest) {
        violations.push(`${where}: revision ${v} is not the version the head holds`);
      }
    }
    const known = new Set([
      'A',
      ...chunkItemsOf(group, '').map((c) => c[SK]),
      ...revisionHeads.flatMap((r) => [r[SK], ...chunkItemsOf(group, `${String(r[SK])}#`).map((c) => c[SK])]),
    ]);
    for (const item of group) {
      const sk = String(item[SK]);
      if (!known.has(sk)) violations.push(`${where}: unexpected item ${sk}`);
    }
    // Index keys follow the status; a taken-down article has none.
    const published = head.status === 'published' && head.publishedAt !== null;
    if (live) {
      if (head[ALL.partitionKey.name] !== 'ALL') violations.push(`${where}: live but not in index all`);
      const partition = head[BY_STATUS.partitionKey.name];
      if (partition !== (published ? 'PUB' : 'DRAFT')) {
        violations.push(
          `${where}: status ${String(head.status)} but byStatus partition ${String(partition)}`,
        );
      }
    } else {
      for (const name of [
        ALL.partitionKey.name,
        ALL.sortKey.name,
        BY_STATUS.partitionKey.name,
        BY_STATUS.sortKey.name,
      ]) {
        if (head[name] !== undefined) violations.push(`${where}: taken down but keeps ${name}`);
      }
    }
    if (live && published) {
      for (const tag of (head.tags as string[] | undefined) ?? [])
        expectedTags.set(`TAG#${tag}|${slug}`, head);
    }
    articles.set(slug, {
      slug,
      version,
      live,
      head,
      body: typeof current === 'string' ? undefined : current.body,
      revisions,
    });
  }
  // Tag entries: exactly one per tag of each live published article, with its list fields.
  const seen = new Set<string>();
  for (const entry of tagEntries) {
    const id = `${String(entry[PK])}|${String(entry.slug)}`;
    const head = expectedTags.get(id);
    if (head === undefined) {
      violations.push(`stray tag entry ${String(entry[PK])} ${String(entry[SK])}`);
      continue;
    }
    if (seen.has(id)) violations.push(`duplicate tag entry ${id}`);
    seen.add(id);
    for (const name of LIST_ATTRIBUTES) {
      if (!same(entry[name], head[name])) violations.push(`tag entry ${id}: ${name} differs from the head`);
    }
  }
  for (const id of expectedTags.keys()) {
    if (!seen.has(id)) violations.push(`missing tag entry ${id}`);
  }
  return { violations, articles, other };
}
