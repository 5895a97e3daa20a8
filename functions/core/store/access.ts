/**
 * The DynamoDB actions each store operation sends: the one place a function's table grants
 * come from (functions/core/routes.ts names the operations each route's handler uses; the
 * stack grants their union). A transaction is authorized per item it holds: a Put needs
 * `PutItem`, an Update `UpdateItem`, a Delete `DeleteItem`. `index` actions are granted on
 * the indexes a route names, `table` actions on the table.
 *
 * test/cdk/grants.test.ts records what every handler really sends on DynamoDB Local and
 * checks it against the synthesized policies, and `npm run rehearse` enforces them, so a
 * call added without its grant fails a test.
 */
export const STORE_ACCESS = {
  // GetItem for the head; Query for an article whose content lies in slices.
  get: { table: ['dynamodb:GetItem', 'dynamodb:Query'] },
  getVersion: { table: ['dynamodb:Query'] },
  getIdempotencyRecord: { table: ['dynamodb:GetItem'] },
  // Whether an article is live, and its current version: the head alone (GetItem).
  liveVersion: { table: ['dynamodb:GetItem'] },
  // A page of an article's history: the head (GetItem) and one Query of its revisions.
  revisions: { table: ['dynamodb:GetItem', 'dynamodb:Query'] },
  // Lists by status read an index; a tag's list reads its tag partition of the table.
  list: { index: ['dynamodb:Query'] },
  listTag: { table: ['dynamodb:Query'] },
  // Feeds: the newest by the index (a tag's by its tag partition of the table: Query), their
  // heads by one BatchGetItem, and an article whose content lies in slices by its own Query.
  feed: { index: ['dynamodb:Query'], table: ['dynamodb:BatchGetItem', 'dynamodb:Query'] },
  // Sitemaps: a range of publication times, and the oldest visible article, on the index.
  publishedBetween: { index: ['dynamodb:Query'] },
  oldestPublished: { index: ['dynamodb:Query'] },
  create: { table: ['dynamodb:PutItem'] },
  replace: { table: ['dynamodb:PutItem', 'dynamodb:DeleteItem'] },
  takeDown: { table: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'] },
} as const satisfies Record<string, { table?: readonly string[]; index?: readonly string[] }>;

export type StoreOperation = keyof typeof STORE_ACCESS;

const union = (lists: readonly (readonly string[] | undefined)[]) =>
  [...new Set(lists.flatMap((list) => list ?? []))].sort();

/** The table actions a function needs for these store operations, sorted, each once. */
export const tableActions = (operations: readonly StoreOperation[]): string[] =>
  union(operations.map((operation) => (STORE_ACCESS[operation] as { table?: readonly string[] }).table));

/** The index actions a function needs for these store operations, sorted, each once. */
export const indexActions = (operations: readonly StoreOperation[]): string[] =>
  union(operations.map((operation) => (STORE_ACCESS[operation] as { index?: readonly string[] }).index));
