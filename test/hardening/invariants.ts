import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { LIST_ATTRIBUTES, TABLE } from '../../functions/core/table.ts';
import type { RawItem } from './table.ts';

/**
 * Consistency of a whole table, checked from the raw items (what a crash, a fault or a
 * race could leave behind): every article has its head, its content (in the head or in
 * exactly its slices), one revision per version it was written at, the current one with
 * the head's fields and ETag, index keys that match its status, and tag entries that match its tags.
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

const same = (a: Plain | undefined, b: Plain | undefined) => JSON.stringify(a) === JSON.stringify(b);

const CONTENT_FIELDS = ['body', 'bodyHtml'] as const;

/** The slice items under `prefix` (`` for the current content, `R#…#` for a revision's), in key order. */
const sliceItemsOf = (group: readonly Item[], prefix: string, field?: string) => {
  const sliceKey = new RegExp(`^${prefix}C#(${field ?? 'body|bodyHtml'})#\\d{3}$`);
  return group
    .filter((item) => sliceKey.test(String(item[SK])))
    .sort((a, b) => String(a[SK]).localeCompare(String(b[SK])));
};

/**
 * The content of a version item (head or revision): its `body` and `bodyHtml` strings, or,
 * when it has none, exactly as many slice items of its version as it says. A string
 * describing the fault when it is not all there.
 */
function versionContent(
  group: readonly Item[],
  item: Item,
  prefix: string,
  version: number,
): { body: string; bodyHtml: string } | string {
  const slices = sliceItemsOf(group, prefix);
  if (typeof item.body === 'string') {
    if (slices.length > 0) return `holds its content, but ${slices.length} slices are left`;
    if (typeof item.bodyHtml !== 'string') return 'holds a body but no bodyHtml';
    return { body: item.body, bodyHtml: item.bodyHtml };
  }
  const content = { body: '', bodyHtml: '' };
  for (const field of CONTENT_FIELDS) {
    const parts = sliceItemsOf(group, prefix, field);
    const expected = Number(item[`${field}Slices`]);
    if (!Number.isInteger(expected) || expected < 1) return `has no ${field} and no ${field}Slices`;
    if (parts.length !== expected) return `says ${expected} ${field} slices, found ${parts.length}`;
    const other = parts.find((part) => part.version !== version);
    if (other !== undefined)
      return `${String(other[SK])} is version ${String(other.version)}, not ${version}`;
    if (parts.some((part) => typeof part.text !== 'string')) return `a ${field} slice holds no text`;
    content[field] = parts.map((part) => String(part.text)).join('');
  }
  return content;
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
    // Current content: in the head or in exactly its slices, of the version of the content
    // (a take-down bumps the head's version and leaves the content where it was).
    const contentVersion = live ? version : version - 1;
    const current = versionContent(group, head, '', contentVersion);
    if (typeof current === 'string') violations.push(`${where}: head ${current}`);
    if (typeof head.etag !== 'string' || head.etag.length < 16) {
      violations.push(`${where}: the head has no ETag`);
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
      const revisionFields = LIST_ATTRIBUTES.filter((name) => live || name !== 'version');
      if (v === contentVersion && revisionFields.some((name) => !same(revision[name], head[name]))) {
        violations.push(`${where}: revision ${v} is not the version the head holds`);
      }
      if (v === contentVersion && live && revision.etag !== head.etag) {
        violations.push(`${where}: revision ${v} has another ETag than the head`);
      }
    }
    const known = new Set([
      'A',
      ...sliceItemsOf(group, '').map((c) => c[SK]),
      ...revisionHeads.flatMap((r) => [r[SK], ...sliceItemsOf(group, `${String(r[SK])}#`).map((c) => c[SK])]),
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
