import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TABLE } from '../functions/core/table.ts';
import { BENCH_REFERENCE_TABLE_NAME } from './env.ts';

const PK = TABLE.partitionKey.name;
const SK = TABLE.sortKey.name;

/**
 * A DynamoDB stand-in for the warm-handler benchmark: an HTTP server on 127.0.0.1 that
 * speaks DynamoDB's JSON protocol (`X-Amz-Target: DynamoDB_20120810.<Operation>`) and
 * answers GetItem, Query, PutItem and TransactWriteItems with canned items, at once (the
 * reference's GetItem by its own table name, the functions' by key). Each distinct answer is
 * serialized once and then reused, so that the stub's own work adds as little as possible to
 * the latency measured, the reference's and the functions' alike.
 * What is measured is then the handler and the SDK, not a database.
 */

/** An item in DynamoDB's wire format (`{"slug": {"S": "…"}}`). */
export type WireItem = Record<string, WireValue>;
export type WireValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly B: string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly L: WireValue[] }
  | { readonly M: Record<string, WireValue> };

/** A plain value (as the Document client takes it) in DynamoDB's wire format. */
export function toWireValue(value: unknown): WireValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value instanceof Uint8Array) return { B: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return { L: value.map(toWireValue) };
  if (typeof value === 'object') {
    return { M: toWireItem(value as Record<string, unknown>) };
  }
  throw new TypeError(`no DynamoDB representation for ${typeof value}`);
}

/** An item (attributes whose value is `undefined` are left out, as the store's client does). */
export function toWireItem(item: Readonly<Record<string, unknown>>): WireItem {
  const wire: WireItem = {};
  for (const [name, value] of Object.entries(item)) {
    if (value !== undefined) wire[name] = toWireValue(value);
  }
  return wire;
}

export interface StubData {
  /** What a GetItem on the reference's table returns (the reference's one item). */
  readonly referenceItem: WireItem;
  /** The article's items (head, content, revisions): what a GetItem of one of their keys returns. */
  readonly articleItems: readonly WireItem[];
  /** What a Query on an index returns (list items), cut to the query's Limit. */
  readonly indexItems: readonly WireItem[];
  /** What a Query on a tag partition returns, cut to the query's Limit. */
  readonly tagItems: readonly WireItem[];
}

export type StubCounts = Record<string, number>;

const JSON_TYPE = 'application/x-amz-json-1.0';

interface GetItemInput {
  readonly TableName?: string;
  readonly Key?: Record<string, { S?: string }>;
}

interface QueryInput {
  readonly IndexName?: string;
  readonly Limit?: number;
  readonly ExpressionAttributeValues?: Record<string, { S?: string }>;
}

/** The key of `StubCounts` that tallies the items returned (the others are operations). */
export const ITEMS_RETURNED = '#items';

const keyString = (item: Readonly<Record<string, { S?: string } | WireValue>>) =>
  `${(item[PK] as { S?: string } | undefined)?.S}\u0000${(item[SK] as { S?: string } | undefined)?.S}`;

function getItem(data: StubData, input: GetItemInput): WireItem | undefined {
  if (input.TableName === BENCH_REFERENCE_TABLE_NAME) return data.referenceItem;
  const key = keyString(input.Key ?? {});
  return data.articleItems.find((item) => keyString(item) === key);
}

function queryKind(input: QueryInput): 'index' | 'tag' | 'article' {
  const partition = Object.values(input.ExpressionAttributeValues ?? {})[0]?.S ?? '';
  return input.IndexName !== undefined ? 'index' : partition.startsWith('TAG#') ? 'tag' : 'article';
}

function queryItems(data: StubData, input: QueryInput): readonly WireItem[] {
  const kind = queryKind(input);
  const all = kind === 'index' ? data.indexItems : kind === 'tag' ? data.tagItems : data.articleItems;
  return input.Limit === undefined ? all : all.slice(0, input.Limit);
}

/** Starts the stub on 127.0.0.1 (port 0 = any free one); `counts` tallies requests by operation. */
export function startStub(
  data: StubData,
  port = 0,
): Promise<{ server: Server; port: number; counts: StubCounts }> {
  const counts: StubCounts = {};
  const serialized = new Map<unknown, string>();
  const answer = (key: unknown, build: () => unknown) => {
    let body = serialized.get(key);
    if (body === undefined) {
      body = JSON.stringify(build());
      serialized.set(key, body);
    }
    return body;
  };
  const respond = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, {
      'Content-Type': JSON_TYPE,
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': 'BENCHSTUB0000000000000000000000000000000000000000000',
    });
    response.end(body);
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      counts[operation] = (counts[operation] ?? 0) + 1;
      switch (operation) {
        case 'GetItem': {
          const item = getItem(data, JSON.parse(Buffer.concat(chunks).toString('utf8')));
          if (item !== undefined) counts[ITEMS_RETURNED] = (counts[ITEMS_RETURNED] ?? 0) + 1;
          respond(
            response,
            200,
            answer(item, () => (item === undefined ? {} : { Item: item })),
          );
          return;
        }
        case 'Query': {
          const input: QueryInput = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const items = queryItems(data, input);
          counts[ITEMS_RETURNED] = (counts[ITEMS_RETURNED] ?? 0) + items.length;
          const key = `${queryKind(input)} ${input.Limit}`;
          respond(
            response,
            200,
            answer(key, () => ({ Items: items, Count: items.length, ScannedCount: items.length })),
          );
          return;
        }
        case 'PutItem':
        case 'TransactWriteItems':
          respond(response, 200, '{}');
          return;
        default:
          respond(
            response,
            400,
            JSON.stringify({
              __type: 'com.amazon.coral.service#UnknownOperationException',
              message: `the bench stub does not answer ${operation}`,
            }),
          );
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0, counts });
    });
  });
}
