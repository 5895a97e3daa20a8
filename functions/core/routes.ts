/**
 * The API's routes: one Lambda handler module per route. The CDK stack builds the
 * REST API from this list and the local server routes requests with it, so both
 * expose exactly the same surface.
 *
 * Pure data: no imports, safe to load from CDK code, the local server and Lambda.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What the handler may do with the table (drives least-privilege IAM grants). */
export type TableAccess = 'read' | 'write';

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
  /** DynamoDB actions the handler uses, nothing more. */
  readonly actions: readonly string[];
  /** Indexes the handler queries (by name in TABLE.indexes). */
  readonly indexes: readonly ('byStatus' | 'all')[];
  readonly access: TableAccess;
}

// TransactWriteItems is authorized per contained action (PutItem, DeleteItem, ...).
const READ = ['dynamodb:Query'] as const;
// Create reads back an Idempotency-Key record (GetItem) when a retry hits it.
const CREATE = ['dynamodb:PutItem', 'dynamodb:GetItem'] as const;
const REPLACE = ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

export const ROUTES: readonly RouteDefinition[] = [
  {
    id: 'ListArticles',
    method: 'GET',
    resource: '/articles',
    auth: 'public',
    entry: 'functions/list-articles.ts',
    actions: READ,
    indexes: ['byStatus'],
    access: 'read',
  },
  {
    id: 'GetArticle',
    method: 'GET',
    resource: '/articles/{slug}',
    auth: 'public',
    entry: 'functions/get-article.ts',
    actions: READ,
    indexes: [],
    access: 'read',
  },
  {
    id: 'CreateArticle',
    method: 'POST',
    resource: '/editor/articles',
    auth: 'editor',
    entry: 'functions/create-article.ts',
    actions: CREATE,
    indexes: [],
    access: 'write',
  },
  {
    id: 'EditorListArticles',
    method: 'GET',
    resource: '/editor/articles',
    auth: 'editor',
    entry: 'functions/editor-list-articles.ts',
    actions: READ,
    indexes: ['byStatus', 'all'],
    access: 'read',
  },
  {
    id: 'EditorGetArticle',
    method: 'GET',
    resource: '/editor/articles/{slug}',
    auth: 'editor',
    entry: 'functions/editor-get-article.ts',
    actions: READ,
    indexes: [],
    access: 'read',
  },
  {
    id: 'UpdateArticle',
    method: 'PUT',
    resource: '/editor/articles/{slug}',
    auth: 'editor',
    entry: 'functions/update-article.ts',
    actions: REPLACE,
    indexes: [],
    access: 'write',
  },
  {
    id: 'DeleteArticle',
    method: 'DELETE',
    resource: '/editor/articles/{slug}',
    auth: 'editor',
    entry: 'functions/delete-article.ts',
    actions: REPLACE,
    indexes: [],
    access: 'write',
  },
];

/** Headers a browser may send to the editor routes (what a SigV4 client sends). */
export const EDITOR_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Amz-Date',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
  'If-Match',
  'Idempotency-Key',
] as const;

/** Headers a browser may send to the public routes. */
export const PUBLIC_ALLOW_HEADERS = ['Content-Type', 'If-None-Match'] as const;

/** Response headers a browser script may read. */
export const EXPOSE_HEADERS = ['ETag', 'Location', 'Retry-After'] as const;
