/**
 * The API's routes: one Lambda handler module per route. The CDK stack builds the
 * REST API from this list and the local server routes requests with it, so both
 * expose exactly the same surface.
 *
 * Pure data (one type import), safe to load from CDK code, the local server and Lambda.
 */

import type { StoreOperation } from './store/access.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteDefinition {
  /** Stable identifier, also the function's name suffix in the stack. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly resource: string;
  /** `public` = no authorization; `editor` = AWS_IAM (SigV4). */
  readonly auth: 'public' | 'editor';
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** The store operations the handler uses: its table grants follow from them (store/access.ts). */
  readonly store: readonly StoreOperation[];
  /** Indexes the handler queries (by name in TABLE.indexes). */
  readonly indexes: readonly ('byStatus' | 'all')[];
}

export const ROUTES: readonly RouteDefinition[] = [
  {
    id: 'ListArticles',
    method: 'GET',
    resource: '/articles',
    auth: 'public',
    entry: 'functions/list-articles.ts',
    store: ['list', 'listTag'],
    indexes: ['byStatus'],
  },
  {
    id: 'GetArticle',
    method: 'GET',
    resource: '/articles/{slug}',
    auth: 'public',
    entry: 'functions/get-article.ts',
    store: ['get'],
    indexes: [],
  },
  {
    id: 'CreateArticle',
    method: 'POST',
    resource: '/editor/articles',
    auth: 'editor',
    entry: 'functions/create-article.ts',
    // An Idempotency-Key replay reads the record and the first version.
    store: ['create', 'getIdempotencyRecord', 'getVersion'],
    indexes: [],
  },
  {
    id: 'EditorListArticles',
    method: 'GET',
    resource: '/editor/articles',
    auth: 'editor',
    entry: 'functions/editor-list-articles.ts',
    store: ['list'],
    indexes: ['byStatus', 'all'],
  },
  {
    id: 'EditorGetArticle',
    method: 'GET',
    resource: '/editor/articles/{slug}',
    auth: 'editor',
    entry: 'functions/editor-get-article.ts',
    store: ['get'],
    indexes: [],
  },
  {
    id: 'UpdateArticle',
    method: 'PUT',
    resource: '/editor/articles/{slug}',
    auth: 'editor',
    entry: 'functions/update-article.ts',
    store: ['get', 'replace'],
    indexes: [],
  },
  {
    id: 'DeleteArticle',
    method: 'DELETE',
    resource: '/editor/articles/{slug}',
    auth: 'editor',
    entry: 'functions/delete-article.ts',
    store: ['get', 'takeDown'],
    indexes: [],
  },
];
