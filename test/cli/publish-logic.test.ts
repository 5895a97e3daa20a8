import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/errors.ts';
import { expandArticleFiles, matchGlob } from '../../cli/files.ts';
import { renderTable } from '../../cli/list.ts';
import { changedFields, createBody, runPool, updateBody } from '../../cli/publish.ts';
import type { CreateArticleInput } from '../../functions/core/article.ts';

const desired: CreateArticleInput = {
  slug: 'a',
  title: 'Title',
  summary: null,
  body: 'Body',
  author: 'Me',
  tags: ['x', 'y'],
  status: 'published',
  publishedAt: '2024-05-31T08:00:00+02:00',
};

const current = {
  slug: 'a',
  title: 'Title',
  summary: null,
  body: 'Body',
  bodyHtml: '<p>Body</p>',
  author: 'Me',
  tags: ['x', 'y'],
  status: 'published',
  publishedAt: '2024-05-31T06:00:00Z',
  version: 3,
};

describe('changedFields', () => {
  it('finds nothing when every field matches; publishedAt compares as instants', () => {
    expect(changedFields(desired, current)).toEqual([]);
  });

  it('treats a scheduled article as published', () => {
    expect(changedFields(desired, { ...current, status: 'scheduled' })).toEqual([]);
    expect(changedFields({ ...desired, status: 'draft' }, { ...current, status: 'scheduled' })).toEqual([
      'status',
    ]);
  });

  it('ignores publishedAt when the file does not set it (the API keeps the current one)', () => {
    expect(changedFields({ ...desired, publishedAt: null }, current)).toEqual([]);
  });

  it('names each differing field, tag order included', () => {
    expect(
      changedFields(
        { ...desired, title: 'New', summary: 'S', tags: ['y', 'x'], publishedAt: '2024-06-01T00:00:00Z' },
        current,
      ),
    ).toEqual(['title', 'summary', 'tags', 'publishedAt']);
  });

  it('builds PUT and POST bodies: every editable field, publishedAt only when set', () => {
    expect(updateBody({ ...desired, publishedAt: null })).toEqual({
      title: 'Title',
      summary: null,
      body: 'Body',
      author: 'Me',
      tags: ['x', 'y'],
      status: 'published',
    });
    expect(createBody('a', desired)).toMatchObject({ slug: 'a', publishedAt: '2024-05-31T08:00:00+02:00' });
  });
});

describe('runPool', () => {
  it('never runs more than the limit at once and runs everything', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      done.push(n);
      running--;
    });
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('file arguments', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'newsdesk-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'a/b'), { recursive: true });
  mkdirSync(path.join(dir, '.hidden'));
  for (const file of [
    'one.md',
    'two.markdown',
    'notes.txt',
    'a/three.md',
    'a/b/four.md',
    '.hidden/five.md',
  ]) {
    writeFileSync(path.join(dir, file), 'x');
  }

  it('expands directories recursively to Markdown files, skipping hidden ones', () => {
    expect(expandArticleFiles(['.'], dir)).toEqual(['a/b/four.md', 'a/three.md', 'one.md', 'two.markdown']);
  });

  it('expands quoted globs and takes plain files as given, once each', () => {
    expect(expandArticleFiles(['*.md', 'one.md', 'notes.txt'], dir)).toEqual(['one.md', 'notes.txt']);
    expect(expandArticleFiles(['a/**/*.md'], dir)).toEqual(['a/b/four.md', 'a/three.md']);
    expect(expandArticleFiles(['{one,two}.*'], dir)).toEqual(['one.md', 'two.markdown']);
  });

  it('is a usage error when an argument names nothing', () => {
    expect(() => expandArticleFiles(['missing.md', '*.nothing'], dir)).toThrow(UsageError);
    expect(() => expandArticleFiles(['missing.md'], dir)).toThrow(/missing\.md: no such file/);
  });

  it('matches globs segment by segment', () => {
    expect(matchGlob('**/*.md', 'x.md')).toBe(true);
    expect(matchGlob('**/*.md', 'a/b/x.md')).toBe(true);
    expect(matchGlob('*.md', 'a/x.md')).toBe(false);
    expect(matchGlob('a/?.md', 'a/x.md')).toBe(true);
    expect(matchGlob('[ab]*.md', 'bx.md')).toBe(true);
    expect(matchGlob('[!ab]*.md', 'bx.md')).toBe(false);
    expect(matchGlob('*.md', '.x.md')).toBe(false);
  });
});

describe('renderTable', () => {
  it('aligns columns and counts the articles', () => {
    const table = renderTable([
      {
        slug: 'a',
        title: 'First',
        status: 'published',
        publishedAt: '2024-01-01T00:00:00Z',
        updatedAt: '',
        tags: ['x'],
        version: 1,
      },
      {
        slug: 'bbb',
        title: 'Second',
        status: 'draft',
        publishedAt: null,
        updatedAt: '',
        tags: [],
        version: 1,
      },
    ]);
    expect(table.split('\n')).toEqual([
      'STATUS     PUBLISHED AT          SLUG  TITLE   TAGS',
      'published  2024-01-01T00:00:00Z  a     First   x',
      'draft      -                     bbb   Second',
      '2 articles',
    ]);
    expect(renderTable([])).toBe('No articles.');
  });
});
