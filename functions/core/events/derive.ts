/**
 * The contract's events (API.md "Events") derived from one change of an article's HEAD item:
 * its image before and after the write, as the table's change stream carries them. Pure (no
 * clock, no I/O): the instant that decides visibility is the change's own time, so replaying a
 * change at any later moment derives the same event.
 *
 * - A write (create, replace) happens at `after.updatedAt`; a take-down at `after.takenDownAt`.
 * - "Visible" at an instant: live (not taken down), status published, publishedAt ≤ instant.
 *   "Scheduled": live, status published, publishedAt > instant.
 * - Rules, the first that applies wins (the contract's table):
 *   1. not visible before, visible after           → Article Published
 *   2. visible before and after                    → Article Updated
 *   3. visible or scheduled before, not after      → Article Unpublished, reason taken-down |
 *      draft | rescheduled (only a visible article moved to a future publishedAt is
 *      "rescheduled"; a scheduled one moved to another future time is rule 4)
 *   4. not visible before, scheduled after        → Article Scheduled (a scheduled article
 *      edited is a change too: exactly one event per change, so it is announced again)
 *   otherwise (a draft edited, a draft taken down, an item removed) → no event.
 */
import { createHash } from 'node:crypto';
import { articleUrl, type SiteSettings } from '../site.ts';
import type { ArticleEvent, DetailType, GoLive, UnpublishReason } from './types.ts';

/** A head item as the Document client or `unmarshall` gives it. */
export type HeadItem = Record<string, unknown>;

/** What the consumer does about the article's pending go-live after a change. */
export type GoLiveChange = { readonly schedule: GoLive } | { readonly cancel: string } | undefined;

/** `detail.eventId`: the same change always hashes to the same id (consumers drop duplicates). */
export function eventId(slug: string, version: number, detailType: DetailType): string {
  return createHash('sha256').update(`${slug}:${version}:${detailType}`).digest('hex');
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Milliseconds of an ISO 8601 instant, or undefined when absent or unparsable. */
const instant = (value: unknown): number | undefined => {
  const text = str(value);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
};

const isTakenDown = (item: HeadItem) => item.takenDownAt !== undefined && item.takenDownAt !== null;

/** The article's state at instant `at`, as the contract's rules see it. */
type State = 'absent' | 'taken-down' | 'draft' | 'scheduled' | 'visible';

function stateAt(item: HeadItem | undefined, at: number): State {
  if (item === undefined) return 'absent';
  if (isTakenDown(item)) return 'taken-down';
  if (item.status !== 'published') return 'draft';
  const publishedAt = instant(item.publishedAt);
  if (publishedAt === undefined) return 'draft';
  return publishedAt <= at ? 'visible' : 'scheduled';
}

/** The change this pair of images records, or undefined when it records none we speak of. */
interface Change {
  readonly slug: string;
  /** The change's own time (ms): the write's updatedAt, or the take-down's takenDownAt. */
  readonly at: number;
  readonly takeDown: boolean;
  readonly before: State;
  readonly after: State;
}

function changeOf(before: HeadItem | undefined, after: HeadItem | undefined): Change | undefined {
  // A head is never deleted by the API; a removal (by hand) announces nothing.
  if (after === undefined) return undefined;
  const slug = str(after.slug);
  if (slug === undefined) return undefined;
  // A head taken down was already hidden: a change that was not the take-down itself is not one.
  if (before !== undefined && isTakenDown(before)) return undefined;
  // The same version seen twice (no write happened): nothing changed.
  if (before !== undefined && before.version === after.version) return undefined;
  const takeDown = isTakenDown(after);
  const at = instant(takeDown ? after.takenDownAt : after.updatedAt);
  if (at === undefined) return undefined;
  return { slug, at, takeDown, before: stateAt(before, at), after: stateAt(after, at) };
}

function detailTypeOf(change: Change): { detailType: DetailType; reason?: UnpublishReason } | undefined {
  const { before, after } = change;
  if (before !== 'visible' && after === 'visible') return { detailType: 'Article Published' };
  if (before === 'visible' && after === 'visible') return { detailType: 'Article Updated' };
  if ((before === 'visible' || before === 'scheduled') && after !== 'visible') {
    if (after === 'taken-down') return { detailType: 'Article Unpublished', reason: 'taken-down' };
    if (after === 'draft') return { detailType: 'Article Unpublished', reason: 'draft' };
    if (before === 'visible') return { detailType: 'Article Unpublished', reason: 'rescheduled' };
  }
  return undefined;
}

/**
 * The event a change of an article's head announces, or undefined (see the module comment).
 * `before`/`after`: the head's images (undefined when it did not exist / was removed).
 */
export function deriveEvent(
  before: HeadItem | undefined,
  after: HeadItem | undefined,
  site: Pick<SiteSettings, 'articleUrl'>,
): ArticleEvent | undefined {
  const change = changeOf(before, after);
  if (change === undefined || after === undefined) return undefined;
  let decided = detailTypeOf(change);
  if (decided === undefined && change.before !== 'visible' && change.after === 'scheduled') {
    decided = { detailType: 'Article Scheduled' };
  }
  if (decided === undefined) return undefined;

  const version = Number(after.version);
  const time = new Date(change.at).toISOString();
  return {
    detailType: decided.detailType,
    time,
    detail: {
      eventId: eventId(change.slug, version, decided.detailType),
      slug: change.slug,
      version,
      // The editor status after the change, at the change's time; a take-down says so.
      status: change.after === 'visible' ? 'published' : change.after,
      publishedAt: str(after.publishedAt) ?? null,
      // The change's time: a take-down leaves the head's updatedAt as the last edit's.
      updatedAt: change.takeDown ? time : (str(after.updatedAt) ?? time),
      url: articleUrl(site, change.slug),
      by: String((change.takeDown ? after.takenDownBy : after.updatedBy) ?? ''),
      ...(decided.reason === undefined ? {} : { reason: decided.reason }),
    },
  };
}

/**
 * What happens to the article's pending go-live after a change of its head:
 * - it is scheduled after the change (a new article, or a new version of one, with a future
 *   publishedAt) → `schedule` (creating or replacing the one-time schedule: the go-live
 *   checks the version it was scheduled for, so every new scheduled version replaces it);
 * - it was scheduled before and is not after (set to draft, taken down, published now,
 *   moved into the past) → `cancel`;
 * - otherwise nothing.
 * A go-live racing a change is harmless either way: it re-reads the head and publishes only
 * if the article is still that version at that instant.
 */
export function goLiveChange(before: HeadItem | undefined, after: HeadItem | undefined): GoLiveChange {
  const slug = str(after?.slug) ?? str(before?.slug);
  if (slug === undefined) return undefined;
  if (before !== undefined && isTakenDown(before)) return undefined;
  const takeDown = after !== undefined && isTakenDown(after);
  const at = after === undefined ? undefined : instant(takeDown ? after.takenDownAt : after.updatedAt);
  // A removed head: whatever was pending must not fire.
  if (after === undefined || at === undefined) {
    return before === undefined ? undefined : { cancel: slug };
  }
  if (before !== undefined && before.version === after.version) return undefined;
  if (stateAt(after, at) === 'scheduled') {
    return {
      schedule: { slug, version: Number(after.version), publishedAt: String(after.publishedAt) },
    };
  }
  return stateAt(before, at) === 'scheduled' ? { cancel: slug } : undefined;
}
