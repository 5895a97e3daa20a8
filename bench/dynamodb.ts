import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { TABLE } from '../functions/core/table.ts';

/** An item in DynamoDB's JSON wire format, e.g. `{ "pk": { "S": "ARTICLE#a" } }`. */
export type WireItem = Record<string, { readonly S?: string; readonly N?: string }>;

interface DynamoRequest {
  readonly Key?: WireItem;
  readonly Item?: WireItem;
  readonly TransactItems?: readonly { readonly Put?: { readonly Item: WireItem } }[];
  readonly IndexName?: string;
  readonly KeyConditionExpression?: string;
  readonly FilterExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: WireItem;
  readonly ScanIndexForward?: boolean;
  readonly Limit?: number;
  readonly RequestItems?: Record<string, { readonly Keys?: readonly WireItem[] }>;
}

export interface DynamoServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface DynamoStub extends DynamoServer {
  /** Requests received, by operation (`GetItem`, `Query`, `TransactWriteItems`, …). */
  readonly counts: Map<string, number>;
  /** The items written so far, in the order they were first written. */
  items(): WireItem[];
  /** From now on writes are acknowledged and dropped, and each distinct read is answered from a cache. */
  freeze(): void;
}

async function listen(handler: RequestListener): Promise<DynamoServer> {
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': 'BENCH0000000000000000000000000000000000000000000000000',
  });
  response.end(body);
}

const operationOf = (request: IncomingMessage) => String(request.headers['x-amz-target']).split('.')[1] ?? '';
const pick = (item: WireItem, names: readonly string[]): WireItem =>
  Object.fromEntries(names.filter((name) => name in item).map((name) => [name, item[name] ?? {}]));
const keyOf = (item: WireItem) => `${item[TABLE.partitionKey.name]?.S}\u0000${item[TABLE.sortKey.name]?.S}`;
const sortValue = (item: WireItem, name: string) => item[name]?.S ?? Number(item[name]?.N ?? 0);

/** The value a Query's key condition sets its partition key `name` to (`#p = :p` or `pk = :pk`). */
function partitionValue(input: DynamoRequest, name: string): string | undefined {
  for (const [, operand, value] of (input.KeyConditionExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const attribute = operand?.startsWith('#') ? input.ExpressionAttributeNames?.[operand] : operand;
    if (attribute === name && value !== undefined) return input.ExpressionAttributeValues?.[value]?.S;
  }
  return undefined;
}

/** The attribute a `#name` or plain operand of an expression stands for. */
const attributeOf = (input: DynamoRequest, operand: string) =>
  operand.startsWith('#') ? (input.ExpressionAttributeNames?.[operand] ?? operand) : operand;

/**
 * Whether `item` meets the Query's sort-key condition (`BETWEEN`, `<`, `<=`, `>`, `>=`,
 * `begins_with` on a string key) and its filter (`attribute_exists(...)` only).
 */
function meetsConditions(item: WireItem, input: DynamoRequest, sortKey: string): boolean {
  const value = (name: string | undefined) =>
    name === undefined ? undefined : input.ExpressionAttributeValues?.[name]?.S;
  const key = item[sortKey]?.S ?? '';
  const condition = input.KeyConditionExpression ?? '';
  for (const [, operand, from, to] of condition.matchAll(/([#\w]+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)/g)) {
    if (attributeOf(input, operand ?? '') !== sortKey) continue;
    if (key < (value(from) ?? '') || key > (value(to) ?? '')) return false;
  }
  for (const [, operand, op, name] of condition.matchAll(/([#\w]+)\s*(<=|>=|<|>)\s*(:\w+)/g)) {
    if (attributeOf(input, operand ?? '') !== sortKey) continue;
    const bound = value(name) ?? '';
    const ok =
      op === '<' ? key < bound : op === '<=' ? key <= bound : op === '>' ? key > bound : key >= bound;
    if (!ok) return false;
  }
  for (const [, operand, name] of condition.matchAll(/begins_with\(\s*([#\w]+)\s*,\s*(:\w+)\s*\)/g)) {
    if (attributeOf(input, operand ?? '') === sortKey && !key.startsWith(value(name) ?? '')) return false;
  }
  for (const [, operand] of (input.FilterExpression ?? '').matchAll(/attribute_exists\(\s*([#\w]+)\s*\)/g)) {
    if (item[attributeOf(input, operand ?? '')] === undefined) return false;
  }
  return true;
}

/**
 * A Query over `items`: the partition's items that meet the key condition and filter, in
 * sort-key order, cut to the Limit, projected as the index projects them.
 */
function query(items: Iterable<WireItem>, input: DynamoRequest): object {
  const index = Object.values(TABLE.indexes).find((candidate) => candidate.name === input.IndexName);
  const { partitionKey, sortKey } = index ?? TABLE;
  const value = partitionValue(input, partitionKey.name);
  const matches = [...items]
    .filter((item) => value !== undefined && item[partitionKey.name]?.S === value)
    .filter((item) => meetsConditions(item, input, sortKey.name))
    .sort((a, b) => {
      const [x, y] = [sortValue(a, sortKey.name), sortValue(b, sortKey.name)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
  if (input.ScanIndexForward === false) matches.reverse();
  const page = matches.slice(0, input.Limit ?? matches.length);
  const keys = [TABLE.partitionKey.name, TABLE.sortKey.name, partitionKey.name, sortKey.name];
  const last = page.length < matches.length ? page.at(-1) : undefined;
  return {
    Items: index === undefined ? page : page.map((item) => pick(item, [...keys, ...index.nonKeyAttributes])),
    Count: page.length,
    ScannedCount: page.length,
    ...(last === undefined ? {} : { LastEvaluatedKey: pick(last, keys) }),
  };
}

/**
 * A DynamoDB stand-in on 127.0.0.1 that speaks DynamoDB's JSON protocol from memory. It keeps
 * the items that PutItem and the Puts of TransactWriteItems write, so the bench gets its data
 * by sending requests through the project's own handlers and never needs to know the item
 * layout. Once frozen it answers at once and always alike, so that what a warm invocation
 * measures is the handler and the SDK, not a database.
 */
/** The preview signing key the stub answers Secrets Manager with. */
export const BENCH_PREVIEW_KEY = 'bench-preview-key-'.padEnd(64, 'k');

export async function startStub(): Promise<DynamoStub> {
  const items = new Map<string, WireItem>();
  const counts = new Map<string, number>();
  const cache = new Map<string, string>();
  let frozen = false;
  const store = (item: WireItem | undefined) => {
    if (item !== undefined && !frozen) items.set(keyOf(item), item);
  };
  const answer = (operation: string, body: string): [number, string] => {
    const input = JSON.parse(body) as DynamoRequest;
    switch (operation) {
      case 'GetItem': {
        const item = items.get(keyOf(input.Key ?? {}));
        return [200, JSON.stringify(item === undefined ? {} : { Item: item })];
      }
      case 'Query':
        return [200, JSON.stringify(query(items.values(), input))];
      case 'BatchGetItem': {
        const requested = Object.entries(input.RequestItems ?? {});
        const Responses = Object.fromEntries(
          requested.map(([table, { Keys = [] }]) => [
            table,
            Keys.map((key) => items.get(keyOf(key))).filter((item) => item !== undefined),
          ]),
        );
        return [200, JSON.stringify({ Responses, UnprocessedKeys: {} })];
      }
      case 'PutItem':
        store(input.Item);
        return [200, '{}'];
      case 'TransactWriteItems':
        for (const entry of input.TransactItems ?? []) store(entry.Put?.Item);
        return [200, '{}'];
      case 'UpdateItem':
      case 'DeleteItem':
        return [200, '{}'];
      // The preview functions' signing key (Secrets Manager speaks the same JSON protocol).
      case 'GetSecretValue':
        return [200, JSON.stringify({ Name: 'newsdesk-preview', SecretString: BENCH_PREVIEW_KEY })];
      default:
        return [
          400,
          JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#UnknownOperationException' }),
        ];
    }
  };
  const server = await listen(async (request, response) => {
    const operation = operationOf(request);
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const body = await readBody(request);
    const reads = operation === 'GetItem' || operation === 'Query' || operation === 'BatchGetItem';
    const cacheKey = `${operation} ${body}`;
    const cached = frozen && reads ? cache.get(cacheKey) : undefined;
    if (cached !== undefined) return reply(response, 200, cached);
    const [status, answered] = answer(operation, body);
    if (frozen && reads) cache.set(cacheKey, answered);
    reply(response, status, answered);
  });
  return {
    ...server,
    counts,
    items: () => [...items.values()],
    freeze: () => {
      frozen = true;
    },
  };
}

interface Capacity {
  readonly CapacityUnits?: number;
}

export interface CapacityProxy extends DynamoServer {
  /** Read capacity units consumed by the reads that passed since the last `reset`. */
  readonly readUnits: number;
  reset(): void;
}

/**
 * A pass-through to DynamoDB (Local) that asks each GetItem and Query for its consumed capacity
 * and adds it up. DynamoDB Local does not check request signatures, so the body may change.
 */
export async function startCapacityProxy(upstream: string): Promise<CapacityProxy> {
  let readUnits = 0;
  const server = await listen(async (request, response) => {
    const operation = operationOf(request);
    let body = await readBody(request);
    const read = operation === 'GetItem' || operation === 'Query' || operation === 'BatchGetItem';
    if (read) body = JSON.stringify({ ...JSON.parse(body), ReturnConsumedCapacity: 'TOTAL' });
    const headers = Object.entries(request.headers).filter(
      (entry): entry is [string, string] =>
        typeof entry[1] === 'string' && !['host', 'content-length', 'connection'].includes(entry[0]),
    );
    const upstreamResponse = await fetch(upstream, { method: 'POST', headers, body });
    const text = await upstreamResponse.text();
    if (read && upstreamResponse.ok) {
      // One entry for a GetItem or Query, one per table for a BatchGetItem.
      const consumed = (JSON.parse(text) as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      if (consumed === undefined) throw new Error(`DynamoDB reported no consumed capacity for ${operation}`);
      for (const entry of Array.isArray(consumed) ? consumed : [consumed])
        readUnits += entry.CapacityUnits ?? 0;
    }
    reply(response, upstreamResponse.status, text);
  });
  return {
    ...server,
    get readUnits() {
      return readUnits;
    },
    reset: () => {
      readUnits = 0;
    },
  };
}
