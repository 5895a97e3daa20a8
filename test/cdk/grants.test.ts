import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ArticleReader } from '../../functions/core/article-reader.ts';
import { ArticleService } from '../../functions/core/articles.ts';
import { PreviewService } from '../../functions/core/preview.ts';
import { ROUTES } from '../../functions/core/routes.ts';
import { parseSiteSettings } from '../../functions/core/site.ts';
import { DynamoArticleStore } from '../../functions/core/store/dynamo-store.ts';
import { SyndicationReader } from '../../functions/core/syndication-reader.ts';
import { makeHandler as createArticle } from '../../functions/create-article.ts';
import { makeHandler as createPreview } from '../../functions/create-preview.ts';
import { makeHandler as deleteArticle } from '../../functions/delete-article.ts';
import { makeHandler as editorGetArticle } from '../../functions/editor-get-article.ts';
import { makeHandler as editorListArticles } from '../../functions/editor-list-articles.ts';
import { makeHandler as atomFeed } from '../../functions/feed-atom.ts';
import { makeHandler as jsonFeed } from '../../functions/feed-json.ts';
import { makeHandler as rssFeed } from '../../functions/feed-rss.ts';
import { makeHandler as getArticle } from '../../functions/get-article.ts';
import { makeHandler as getPreview } from '../../functions/get-preview.ts';
import { makeHandler as getRevision } from '../../functions/get-revision.ts';
import { makeHandler as listArticles } from '../../functions/list-articles.ts';
import { makeHandler as listRevisions } from '../../functions/list-revisions.ts';
import { makeHandler as monthlySitemap } from '../../functions/monthly-sitemap.ts';
import { makeHandler as newsSitemap } from '../../functions/news-sitemap.ts';
import { makeHandler as restoreRevision } from '../../functions/restore-revision.ts';
import { makeHandler as sitemapIndex } from '../../functions/sitemap-index.ts';
import { makeHandler as updateArticle } from '../../functions/update-article.ts';
import { createTestTable, localDocumentClient, TEST_CURSOR_SECRET } from '../support/dynamodb.ts';
import {
  apiEvent,
  createEvent,
  EDITOR_ARN,
  type EventOptions,
  invoke,
  lambdaContext,
  replaceEvent,
} from '../support/events.ts';
import { type Synthesized, synthesize } from './synth.ts';

/**
 * Least privilege, checked against what the code really sends: every route's handler is
 * driven through the paths it can take (small and sliced articles, every list, cursors,
 * idempotent replays, stale ETags) on DynamoDB Local, every DynamoDB call it makes is
 * recorded (a transaction as the action each of its items needs), and the record must
 * equal what the synthesized template grants that route's function: no call without its
 * grant (AccessDenied once deployed), no grant without a call.
 */

// The syndication handler modules build their default service at import (cold start), from
// SITE_SETTINGS as the stack sets it; this test hands them its own service anyway.
const SITE = vi.hoisted(() => {
  const site = { name: 'Grants', url: 'https://www.example.com' };
  process.env.SITE_SETTINGS = JSON.stringify({
    ...site,
    articleUrl: 'https://www.example.com/#/articles/{slug}',
    language: 'en',
    previewUrl: 'https://www.example.com/#/preview/{token}',
  });
  return site;
});

type Json = Record<string, unknown>;
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** `dynamodb:Action on table` or `dynamodb:Query on index/<name>`. */
type Access = string;

const recorded = new Map<string, Set<Access>>();
let current: string | undefined;

/** The accesses one DynamoDB request needs, from its command name and input. */
function accessesOf(commandName: string, input: Json): Access[] {
  const resource = typeof input.IndexName === 'string' ? `index/${input.IndexName}` : 'table';
  if (commandName === 'TransactWriteItemsCommand') {
    const items = (input.TransactItems as Json[] | undefined) ?? [];
    const action: Record<string, string> = {
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      ConditionCheck: 'ConditionCheckItem',
    };
    return items.flatMap((item) =>
      Object.keys(item).map((kind) => `dynamodb:${action[kind] ?? kind} on table`),
    );
  }
  return [`dynamodb:${commandName.replace(/Command$/, '')} on ${resource}`];
}

/** Every table access the template grants `routeId`'s function. */
function granted(synth: Synthesized, routeId: string): Set<Access> {
  const fn = synth.stack.functions.get(routeId);
  if (fn === undefined) throw new Error(`no function for ${routeId}`);
  const resolved = synth.stack.resolve(fn.role.roleName) as Json;
  const roleId = (resolved.Ref as string | undefined) ?? '';
  const tableId = synth.stack.resolve(synth.stack.table.table.tableArn) as { 'Fn::GetAtt': [string, string] };
  const resources = synth.template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
  const asArray = <T>(value: T | T[]) => (Array.isArray(value) ? value : [value]);
  const name = (resource: unknown): string => {
    if (JSON.stringify(resource) === JSON.stringify(tableId)) return 'table';
    const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    const [arn, suffix] = join?.[1] ?? [];
    if (JSON.stringify(arn) === JSON.stringify(tableId) && typeof suffix === 'string') return suffix.slice(1);
    return JSON.stringify(resource);
  };
  const accesses = new Set<Access>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    if (!(resource.Properties.Roles as Json[]).some((role) => role.Ref === roleId)) continue;
    for (const statement of (resource.Properties.PolicyDocument as { Statement: Json[] }).Statement) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of asArray(statement.Action as string | string[])) {
        if (!action.startsWith('dynamodb:')) continue;
        for (const target of asArray(statement.Resource)) accesses.add(`${action} on ${name(target)}`);
      }
    }
  }
  return accesses;
}

let synth: Synthesized;
const handlers = new Map<string, Handler>();

beforeAll(async () => {
  // The template's policies do not depend on the bundles: skip bundling.
  synth = synthesize({ 'aws:cdk:bundling-stacks': [] });
  const client = localDocumentClient();
  const tableName = await createTestTable(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (current === undefined) throw new Error('a DynamoDB call outside any route');
      const set = recorded.get(current) ?? new Set<Access>();
      for (const access of accessesOf(context.commandName ?? '', args.input as Json)) set.add(access);
      recorded.set(current, set);
      return next(args);
    },
    { step: 'initialize', name: 'recordAccess' },
  );
  const service = new ArticleService({
    store: new DynamoArticleStore(client, tableName),
    cursorSecret: TEST_CURSOR_SECRET,
  });
  const reader: ArticleReader = service;
  handlers.set('ListArticles', listArticles(reader));
  handlers.set('GetArticle', getArticle(reader));
  handlers.set('EditorListArticles', editorListArticles(reader));
  handlers.set('EditorGetArticle', editorGetArticle(reader));
  handlers.set('CreateArticle', createArticle(service));
  handlers.set('UpdateArticle', updateArticle(service));
  handlers.set('DeleteArticle', deleteArticle(service));
  handlers.set('ListRevisions', listRevisions(reader));
  handlers.set('GetRevision', getRevision(reader));
  handlers.set('RestoreRevision', restoreRevision(service));
  const previews = new PreviewService({
    store: new DynamoArticleStore(client, tableName),
    key: async () => 'grants-preview-key-0123456789abcdef0123456789',
  });
  handlers.set('CreatePreview', createPreview(previews, parseSiteSettings(SITE, { url: SITE.url })));
  handlers.set('GetPreview', getPreview(previews));
  const syndication = new SyndicationReader({
    store: new DynamoArticleStore(client, tableName),
    site: parseSiteSettings(SITE, { url: SITE.url }),
  });
  handlers.set('RssFeed', rssFeed(syndication));
  handlers.set('AtomFeed', atomFeed(syndication));
  handlers.set('JsonFeed', jsonFeed(syndication));
  handlers.set('SitemapIndex', sitemapIndex(syndication));
  handlers.set('MonthlySitemap', monthlySitemap(syndication));
  handlers.set('NewsSitemap', newsSitemap(syndication));
});

async function as(routeId: string, event: APIGatewayProxyEvent) {
  const handler = handlers.get(routeId);
  if (handler === undefined) throw new Error(`no handler for ${routeId}`);
  current = routeId;
  try {
    return await invoke(handler, event);
  } finally {
    current = undefined;
  }
}

/** A syndication route's answer (its body is XML or JSON Feed, so it is not parsed here). */
async function document(routeId: string, path: string, options: Partial<EventOptions> = {}) {
  const handler = handlers.get(routeId);
  if (handler === undefined) throw new Error(`no handler for ${routeId}`);
  current = routeId;
  try {
    const result = await handler(
      apiEvent({ method: 'GET', resource: path, path, ...options }),
      lambdaContext(),
    );
    return { status: result.statusCode, body: result.body };
  } finally {
    current = undefined;
  }
}
const month = (path: string) => ({
  resource: '/sitemaps/{month}',
  path: `/sitemaps/${path}`,
  pathParameters: { month: path },
});

/** A GET of a list (`slug` undefined) or of one article, public or signed. */
const read = (editor: boolean, slug?: string, query: Record<string, string> = {}) => {
  const base = editor ? '/editor/articles' : '/articles';
  return apiEvent({
    method: 'GET',
    resource: slug === undefined ? base : `${base}/{slug}`,
    path: slug === undefined ? base : `${base}/${slug}`,
    ...(slug === undefined ? {} : { pathParameters: { slug } }),
    query,
    ...(editor ? { userArn: EDITOR_ARN } : {}),
  });
};
/** A signed request under `/editor/articles/{slug}/…` (`rest` after the slug, e.g. `/revisions/{version}`). */
const underArticle = (
  method: string,
  slug: string,
  rest: string,
  params: Record<string, string> = {},
  extra: Partial<EventOptions> = {},
) =>
  apiEvent({
    method,
    resource: `/editor/articles/{slug}${rest.replace(/\/[0-9]+/g, '/{version}')}`,
    path: `/editor/articles/${slug}${rest}`,
    pathParameters: { slug, ...params },
    userArn: EDITOR_ARN,
    ...extra,
  });
const takeDown = (slug: string, ifMatch?: string) =>
  apiEvent({
    method: 'DELETE',
    resource: '/editor/articles/{slug}',
    path: `/editor/articles/${slug}`,
    pathParameters: { slug },
    headers: ifMatch === undefined ? {} : { 'If-Match': ifMatch },
    userArn: EDITOR_ARN,
  });

// A body whose HTML makes the version too large for one item: it is stored in slices.
const LARGE_BODY = '漢'.repeat(70_000);
const fields = (title: string, extra: Record<string, unknown> = {}) => ({
  title,
  body: 'Some *Markdown*.',
  tags: ['news'],
  ...extra,
});

describe('every DynamoDB call a handler makes is granted to its function, and nothing more', () => {
  it('drives every route through its paths', async () => {
    const created = await as('CreateArticle', createEvent(fields('small', { slug: 'small' })));
    expect(created.status).toBe(201);
    const large = await as(
      'CreateArticle',
      createEvent(fields('large', { slug: 'large', body: LARGE_BODY })),
    );
    expect(large.status).toBe(201);
    expect(
      (await as('CreateArticle', createEvent(fields('draft', { slug: 'draft', status: 'draft' })))).status,
    ).toBe(201);
    const keyed = createEvent(fields('keyed', { slug: 'keyed' }), { 'Idempotency-Key': 'grants-1' });
    expect((await as('CreateArticle', keyed)).status).toBe(201);
    expect((await as('CreateArticle', keyed)).status).toBe(201); // replay
    expect((await as('CreateArticle', createEvent(fields('small', { slug: 'small' })))).status).toBe(409);

    for (const slug of ['small', 'large', 'missing']) {
      expect((await as('GetArticle', read(false, slug))).status).toBe(slug === 'missing' ? 404 : 200);
      expect((await as('EditorGetArticle', read(true, slug))).status).toBe(slug === 'missing' ? 404 : 200);
    }

    const firstPage = await as('ListArticles', read(false, undefined, { limit: '1' }));
    expect(firstPage.status).toBe(200);
    const cursor = String(firstPage.json.nextCursor);
    expect((await as('ListArticles', read(false, undefined, { limit: '1', cursor }))).status).toBe(200);
    expect((await as('ListArticles', read(false, undefined, { tag: 'news' }))).status).toBe(200);
    for (const status of [undefined, 'draft', 'scheduled', 'published']) {
      const query: Record<string, string> = status === undefined ? {} : { status };
      expect((await as('EditorListArticles', read(true, undefined, query))).status).toBe(200);
    }

    const small = await as('EditorGetArticle', read(true, 'small'));
    const updated = await as(
      'UpdateArticle',
      replaceEvent('small', String(small.headers.etag), fields('small', { tags: ['other'] })),
    );
    expect(updated.status).toBe(200);
    expect(
      (await as('UpdateArticle', replaceEvent('small', String(small.headers.etag), fields('small')))).status,
    ).toBe(412);
    // A sliced article made small: its slices are deleted.
    const shrunk = await as(
      'UpdateArticle',
      replaceEvent('large', String(large.headers.etag), fields('large')),
    );
    expect(shrunk.status).toBe(200);

    expect((await as('DeleteArticle', takeDown('small', '"stale"'))).status).toBe(412);
    expect((await as('DeleteArticle', takeDown('small', String(updated.headers.etag)))).status).toBe(204);
    expect((await as('DeleteArticle', takeDown('large'))).status).toBe(204);
    // A sliced article taken down: its current version is read with its slices.
    const sliced = createEvent(fields('sliced', { slug: 'sliced', body: LARGE_BODY }));
    expect((await as('CreateArticle', sliced)).status).toBe(201);
    expect((await as('DeleteArticle', takeDown('sliced'))).status).toBe(204);
    expect((await as('DeleteArticle', takeDown('small'))).status).toBe(404);

    // Syndication: feeds (all, by tag, with an article in slices), the sitemaps, an empty month.
    const old = createEvent(fields('old', { slug: 'old', publishedAt: '2020-01-15T12:00:00Z' }));
    expect((await as('CreateArticle', old)).status).toBe(201);
    const slicedLive = createEvent(fields('sliced live', { slug: 'sliced-live', body: LARGE_BODY }));
    expect((await as('CreateArticle', slicedLive)).status).toBe(201);
    for (const [routeId, path] of [
      ['RssFeed', '/feed.xml'],
      ['AtomFeed', '/feed.atom'],
      ['JsonFeed', '/feed.json'],
    ] as const) {
      const all = await document(routeId, path);
      expect(all.status).toBe(200);
      expect(all.body).toContain('sliced-live');
      expect((await document(routeId, path, { query: { tag: 'news' } })).status).toBe(200);
      expect((await document(routeId, path, { query: { tag: 'Not A Tag' } })).status).toBe(400);
    }
    expect((await document('SitemapIndex', '/sitemap.xml')).body).toContain('/v1/sitemaps/2020-01.xml');
    expect((await document('MonthlySitemap', '', month('2020-01.xml'))).status).toBe(200);
    expect((await document('MonthlySitemap', '', month('2020-02.xml'))).status).toBe(200); // empty
    expect((await document('MonthlySitemap', '', month('2019-12.xml'))).status).toBe(404); // before
    expect((await document('MonthlySitemap', '', month('2020-1.xml'))).status).toBe(404); // ill-formed
    expect((await document('NewsSitemap', '/news-sitemap.xml')).body).toContain('sliced-live');

    // Revisions: a history with sliced versions (paged), one version, a restore, and the
    // same on an article taken down or never written.
    const live = await as('EditorGetArticle', read(true, 'sliced-live'));
    const smaller = await as(
      'UpdateArticle',
      replaceEvent('sliced-live', String(live.headers.etag), fields('sliced live', { tags: ['other'] })),
    );
    expect(smaller.status).toBe(200);
    const history = await as(
      'ListRevisions',
      underArticle('GET', 'sliced-live', '/revisions', {}, { query: { limit: '1' } }),
    );
    expect(history.status).toBe(200);
    const next = { limit: '1', cursor: String(history.json.nextCursor) };
    expect(
      (await as('ListRevisions', underArticle('GET', 'sliced-live', '/revisions', {}, { query: next })))
        .status,
    ).toBe(200);
    for (const slug of ['sliced', 'missing']) {
      expect((await as('ListRevisions', underArticle('GET', slug, '/revisions'))).status).toBe(404);
      expect(
        (await as('GetRevision', underArticle('GET', slug, '/revisions/1', { version: '1' }))).status,
      ).toBe(404);
    }
    for (const version of ['1', '2', '9']) {
      const got = await as(
        'GetRevision',
        underArticle('GET', 'sliced-live', `/revisions/${version}`, { version }),
      );
      expect(got.status).toBe(version === '9' ? 404 : 200);
    }
    const restoreOf = (slug: string, version: string, ifMatch: string) =>
      underArticle(
        'POST',
        slug,
        `/revisions/${version}/restore`,
        { version },
        { headers: { 'If-Match': ifMatch } },
      );
    // Version 1 (in slices) restored: the current version's tag entries move.
    const restored = await as('RestoreRevision', restoreOf('sliced-live', '1', String(smaller.headers.etag)));
    expect(restored.status).toBe(200);
    expect(
      (await as('RestoreRevision', restoreOf('sliced-live', '2', String(smaller.headers.etag)))).status,
    ).toBe(412);
    expect(
      (await as('RestoreRevision', restoreOf('sliced-live', '2', String(restored.headers.etag)))).status,
    ).toBe(200);
    expect((await as('RestoreRevision', restoreOf('sliced', '1', '"any"'))).status).toBe(404);

    // Previews: made for a live article (one in slices too), read back; taken down → 404.
    for (const slug of ['sliced-live', 'draft']) {
      const made = await as('CreatePreview', underArticle('POST', slug, '/preview'));
      expect(made.status).toBe(201);
      const token = String(made.json.token);
      const shown = await as(
        'GetPreview',
        apiEvent({
          method: 'GET',
          resource: '/preview/{token}',
          path: `/preview/${token}`,
          pathParameters: { token },
        }),
      );
      expect(shown.status).toBe(200);
    }
    expect((await as('CreatePreview', underArticle('POST', 'sliced', '/preview'))).status).toBe(404);
    const doomed = await as('CreatePreview', underArticle('POST', 'old', '/preview'));
    expect((await as('DeleteArticle', takeDown('old'))).status).toBe(204);
    const token = String(doomed.json.token);
    const gone = await as(
      'GetPreview',
      apiEvent({
        method: 'GET',
        resource: '/preview/{token}',
        path: `/preview/${token}`,
        pathParameters: { token },
      }),
    );
    expect(gone.status).toBe(404);
  });

  it('only the preview functions may read the preview signing key, and only it', () => {
    const resources = synth.template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
    const keyRef = synth.stack.resolve(synth.stack.previewKey.secretArn) as Json;
    for (const route of ROUTES) {
      const fn = synth.stack.functions.get(route.id);
      if (fn === undefined) throw new Error(`no function for ${route.id}`);
      const roleRef = (synth.stack.resolve(fn.role.roleName) as Json).Ref;
      const secretStatements = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy')
        .filter((r) => (r.Properties.Roles as Json[]).some((role) => role.Ref === roleRef))
        .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Json[] }).Statement)
        .filter((statement) =>
          [statement.Action].flat().some((a) => String(a).startsWith('secretsmanager:')),
        );
      if (route.previewKey) {
        expect(secretStatements).toHaveLength(1);
        expect(secretStatements[0]?.Resource).toEqual(keyRef);
        expect([secretStatements[0]?.Action].flat()).toContain('secretsmanager:GetSecretValue');
      } else {
        expect(secretStatements, route.id).toEqual([]);
      }
      const env = (resources[(synth.stack.resolve(fn.function.functionName) as { Ref: string }).Ref]
        ?.Properties.Environment ?? {}) as { Variables?: Json };
      const value = env.Variables?.PREVIEW_KEY_SECRET;
      expect(value === undefined ? undefined : JSON.stringify(value), route.id).toBe(
        route.previewKey ? JSON.stringify(keyRef) : undefined,
      );
    }
  });

  it.each(ROUTES.map((route) => route.id))('%s: the calls it made are exactly its grants', (routeId) => {
    const made = [...(recorded.get(routeId) ?? [])].sort();
    expect(made.length, `${routeId} made no DynamoDB call`).toBeGreaterThan(0);
    expect(made).toEqual([...granted(synth, routeId)].sort());
  });

  it('a call without its grant is found (the check is not vacuous)', () => {
    const grants = granted(synth, 'DeleteArticle');
    grants.delete('dynamodb:UpdateItem on table');
    const made = recorded.get('DeleteArticle') ?? new Set<Access>();
    expect([...made].filter((access) => !grants.has(access))).toEqual(['dynamodb:UpdateItem on table']);
  });
});
