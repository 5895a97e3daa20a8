import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveEvent, eventId, goLiveChange, type HeadItem } from '../../functions/core/events/derive.ts';

const SITE = { articleUrl: 'https://news.example.com/articles/{slug}' };
const ALICE = 'arn:aws:iam::000000000000:user/alice';
const BOB = 'arn:aws:iam::000000000000:user/bob';

/** A head item as the Document client reads it. */
function head(overrides: Partial<HeadItem> = {}): HeadItem {
  return {
    pk: 'ARTICLE#hello',
    sk: 'A',
    slug: 'hello',
    title: 'Hello',
    summary: null,
    author: null,
    tags: [],
    status: 'published',
    publishedAt: '2026-01-01T10:00:00Z',
    createdAt: '2026-01-01T10:00:00Z',
    updatedAt: '2026-01-01T10:00:00Z',
    version: 1,
    createdBy: ALICE,
    updatedBy: ALICE,
    etag: 'e1',
    body: 'x',
    bodyHtml: '<p>x</p>',
    ...overrides,
  };
}

/** The next version of `before`, written at `updatedAt` by bob. */
const next = (before: HeadItem, overrides: Partial<HeadItem>): HeadItem =>
  head({ ...before, version: Number(before.version) + 1, updatedBy: BOB, etag: 'e2', ...overrides });

const takenDown = (before: HeadItem, at: string): HeadItem => ({
  ...before,
  version: Number(before.version) + 1,
  etag: 'e3',
  takenDownAt: at,
  takenDownBy: BOB,
});

const draft = head({ status: 'draft', publishedAt: null });
const visible = head();
const scheduled = head({ publishedAt: '2026-02-01T00:00:00Z' }); // written 2026-01-01: in the future

describe('deriveEvent: the contract table', () => {
  it('Article Published: created visible', () => {
    const event = deriveEvent(undefined, visible, SITE);
    expect(event).toEqual({
      detailType: 'Article Published',
      time: '2026-01-01T10:00:00.000Z',
      detail: {
        eventId: createHash('sha256').update('hello:1:Article Published').digest('hex'),
        slug: 'hello',
        version: 1,
        status: 'published',
        publishedAt: '2026-01-01T10:00:00Z',
        updatedAt: '2026-01-01T10:00:00Z',
        url: 'https://news.example.com/articles/hello',
        by: ALICE,
      },
    });
  });

  it('Article Published: a draft published now, and a scheduled article moved to now', () => {
    const published = next(draft, {
      updatedAt: '2026-01-02T00:00:00Z',
      status: 'published',
      publishedAt: '2026-01-02T00:00:00Z',
    });
    expect(deriveEvent(draft, published, SITE)?.detailType).toBe('Article Published');
    expect(deriveEvent(draft, published, SITE)?.detail.by).toBe(BOB);
    const now = next(scheduled, { updatedAt: '2026-01-05T00:00:00Z', publishedAt: '2026-01-04T00:00:00Z' });
    expect(deriveEvent(scheduled, now, SITE)?.detailType).toBe('Article Published');
  });

  it('Article Updated: a scheduled article edited after its go-live was visible at the change', () => {
    // The change's own time decides: at 03-01 the article had gone live (the go-live sent
    // Article Published), whenever the record is processed.
    const edited = next(scheduled, { updatedAt: '2026-03-01T00:00:00Z', title: 'Edited' });
    expect(deriveEvent(scheduled, edited, SITE)?.detailType).toBe('Article Updated');
    expect(goLiveChange(scheduled, edited)).toBeUndefined();
  });

  it('Article Updated: visible and stays visible', () => {
    const edited = next(visible, { updatedAt: '2026-01-03T00:00:00Z', title: 'New title' });
    const event = deriveEvent(visible, edited, SITE);
    expect(event?.detailType).toBe('Article Updated');
    expect(event?.detail).toMatchObject({ version: 2, status: 'published', by: BOB });
    expect(event?.detail.reason).toBeUndefined();
    expect(event?.time).toBe('2026-01-03T00:00:00.000Z');
  });

  it('Article Unpublished, reason draft: visible or scheduled set to draft', () => {
    const toDraft = next(visible, { updatedAt: '2026-01-03T00:00:00Z', status: 'draft', publishedAt: null });
    expect(deriveEvent(visible, toDraft, SITE)?.detail).toMatchObject({
      reason: 'draft',
      status: 'draft',
      publishedAt: null,
    });
    const scheduledToDraft = next(scheduled, { updatedAt: '2026-01-03T00:00:00Z', status: 'draft' });
    const event = deriveEvent(scheduled, scheduledToDraft, SITE);
    expect(event?.detailType).toBe('Article Unpublished');
    expect(event?.detail.reason).toBe('draft');
  });

  it("Article Unpublished, reason taken-down: by and time are the take-down's", () => {
    const gone = takenDown(visible, '2026-01-04T00:00:00Z');
    const event = deriveEvent(visible, gone, SITE);
    expect(event).toMatchObject({
      detailType: 'Article Unpublished',
      time: '2026-01-04T00:00:00.000Z',
      detail: {
        reason: 'taken-down',
        status: 'taken-down',
        by: BOB,
        version: 2,
        updatedAt: '2026-01-04T00:00:00.000Z',
      },
    });
    // A scheduled article taken down stops being scheduled.
    expect(deriveEvent(scheduled, takenDown(scheduled, '2026-01-04T00:00:00Z'), SITE)?.detail.reason).toBe(
      'taken-down',
    );
  });

  it('Article Unpublished, reason rescheduled: a visible article moved to a future publishedAt (only that event)', () => {
    const moved = next(visible, { updatedAt: '2026-01-03T00:00:00Z', publishedAt: '2026-06-01T00:00:00Z' });
    const event = deriveEvent(visible, moved, SITE);
    expect(event?.detailType).toBe('Article Unpublished');
    expect(event?.detail).toMatchObject({ reason: 'rescheduled', status: 'scheduled' });
  });

  it('Article Scheduled: created scheduled, a draft scheduled, a scheduled article moved to another future time', () => {
    expect(deriveEvent(undefined, scheduled, SITE)?.detail).toMatchObject({
      status: 'scheduled',
      publishedAt: '2026-02-01T00:00:00Z',
    });
    expect(deriveEvent(undefined, scheduled, SITE)?.detailType).toBe('Article Scheduled');
    const fromDraft = next(draft, {
      updatedAt: '2026-01-02T00:00:00Z',
      status: 'published',
      publishedAt: '2026-02-01T00:00:00Z',
    });
    expect(deriveEvent(draft, fromDraft, SITE)?.detailType).toBe('Article Scheduled');
    const moved = next(scheduled, { updatedAt: '2026-01-02T00:00:00Z', publishedAt: '2026-02-02T00:00:00Z' });
    expect(deriveEvent(scheduled, moved, SITE)?.detailType).toBe('Article Scheduled');
  });

  it('Article Scheduled: a scheduled article edited (same instant, another offset) is announced again', () => {
    const edited = next(scheduled, {
      updatedAt: '2026-01-02T00:00:00Z',
      publishedAt: '2026-02-01T01:00:00+01:00',
      title: 'Edited',
    });
    expect(deriveEvent(scheduled, edited, SITE)?.detailType).toBe('Article Scheduled');
  });

  it('no event: a draft edited, a draft created, a draft taken down', () => {
    const edited = next(draft, { updatedAt: '2026-01-02T00:00:00Z', title: 'Edited' });
    expect(deriveEvent(draft, edited, SITE)).toBeUndefined();
    expect(deriveEvent(undefined, draft, SITE)).toBeUndefined();
    expect(deriveEvent(draft, takenDown(draft, '2026-01-02T00:00:00Z'), SITE)).toBeUndefined();
  });

  it('no event: a removed head, a change of a taken-down head, the same version seen again', () => {
    expect(deriveEvent(visible, undefined, SITE)).toBeUndefined();
    const gone = takenDown(visible, '2026-01-04T00:00:00Z');
    expect(deriveEvent(gone, { ...gone, version: 3 }, SITE)).toBeUndefined();
    expect(deriveEvent(visible, { ...visible }, SITE)).toBeUndefined();
  });

  it('precedence: the first row wins (visible → future is Unpublished rescheduled, never also Scheduled)', () => {
    const moved = next(visible, { updatedAt: '2026-01-03T00:00:00Z', publishedAt: '2026-06-01T00:00:00Z' });
    expect(deriveEvent(visible, moved, SITE)?.detailType).toBe('Article Unpublished');
    // Published beats everything for a change that makes the article visible.
    const now = next(draft, {
      updatedAt: '2026-01-03T00:00:00Z',
      status: 'published',
      publishedAt: '2026-01-01T00:00:00Z',
    });
    expect(deriveEvent(draft, now, SITE)?.detailType).toBe('Article Published');
  });

  it('eventId is stable for the same change and differs between changes', () => {
    const edited = next(visible, { updatedAt: '2026-01-03T00:00:00Z' });
    const a = deriveEvent(visible, edited, SITE);
    const b = deriveEvent(visible, { ...edited }, SITE);
    expect(a?.detail.eventId).toBe(b?.detail.eventId);
    expect(a?.detail.eventId).toBe(eventId('hello', 2, 'Article Updated'));
    expect(eventId('hello', 2, 'Article Published')).not.toBe(a?.detail.eventId);
    expect(a?.detail.eventId).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('goLiveChange', () => {
  it('schedules a new scheduled article', () => {
    expect(goLiveChange(undefined, scheduled)).toEqual({
      schedule: { slug: 'hello', version: 1, publishedAt: '2026-02-01T00:00:00Z' },
    });
  });

  it('replaces the go-live when a scheduled article gets a new version or time, or a draft or visible article is scheduled', () => {
    const edited = next(scheduled, { updatedAt: '2026-01-02T00:00:00Z', title: 'Edited' });
    expect(goLiveChange(scheduled, edited)).toEqual({
      schedule: { slug: 'hello', version: 2, publishedAt: '2026-02-01T00:00:00Z' },
    });
    const moved = next(visible, { updatedAt: '2026-01-03T00:00:00Z', publishedAt: '2026-06-01T00:00:00Z' });
    expect(goLiveChange(visible, moved)).toEqual({
      schedule: { slug: 'hello', version: 2, publishedAt: '2026-06-01T00:00:00Z' },
    });
    const fromDraft = next(draft, {
      updatedAt: '2026-01-02T00:00:00Z',
      status: 'published',
      publishedAt: '2026-02-01T00:00:00Z',
    });
    expect(goLiveChange(draft, fromDraft)).toMatchObject({ schedule: { version: 2 } });
  });

  it('cancels when a scheduled article is set to draft, taken down or published now', () => {
    const toDraft = next(scheduled, { updatedAt: '2026-01-02T00:00:00Z', status: 'draft' });
    expect(goLiveChange(scheduled, toDraft)).toEqual({ cancel: 'hello' });
    expect(goLiveChange(scheduled, takenDown(scheduled, '2026-01-02T00:00:00Z'))).toEqual({
      cancel: 'hello',
    });
    const now = next(scheduled, { updatedAt: '2026-01-02T00:00:00Z', publishedAt: '2026-01-02T00:00:00Z' });
    expect(goLiveChange(scheduled, now)).toEqual({ cancel: 'hello' });
  });

  it('does nothing when no go-live was or is pending', () => {
    expect(goLiveChange(undefined, visible)).toBeUndefined();
    expect(goLiveChange(undefined, draft)).toBeUndefined();
    const edited = next(visible, { updatedAt: '2026-01-03T00:00:00Z' });
    expect(goLiveChange(visible, edited)).toBeUndefined();
    expect(goLiveChange(visible, takenDown(visible, '2026-01-03T00:00:00Z'))).toBeUndefined();
    expect(goLiveChange(draft, next(draft, { updatedAt: '2026-01-03T00:00:00Z' }))).toBeUndefined();
  });
});
