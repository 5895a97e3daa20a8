import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../functions/core/table.ts';

/**
 * Raw access to a table for the hardening tests: a byte-exact snapshot (Scan, which
 * tests may use and functions/ may not), a diff, and a restore to a snapshot.
 */

export type RawItem = Record<string, AttributeValue>;

export interface Snapshot {
  /** Items by "pk\u0000sk", each serialized canonically. */
  readonly items: ReadonlyMap<string, string>;
  readonly raw: ReadonlyMap<string, RawItem>;
  /** Every item, canonically serialized and sorted by key: compare these bytes. */
  readonly bytes: Buffer;
}

const PK = TABLE.partitionKey.name;
const SK = TABLE.sortKey.name;

export function rawClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

/** One attribute value with map keys and set members sorted, binary as base64. */
function canonicalValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: [...value.SS].sort() };
  if (value.NS !== undefined) return { NS: [...value.NS].sort() };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')).sort() };
  if (value.L !== undefined) return { L: value.L.map(canonicalValue) };
  if (value.M !== undefined) return { M: canonicalItem(value.M) };
  return { unknown: Object.keys(value).sort() };
}

function canonicalItem(item: Record<string, AttributeValue>): [string, unknown][] {
  return Object.keys(item)
    .sort()
    .map((name) => [name, canonicalValue(item[name] as AttributeValue)]);
}

export const itemKey = (item: RawItem): string => `${item[PK]?.S ?? '?'}\u0000${item[SK]?.S ?? '?'}`;

export async function scanAll(client: DynamoDBClient, tableName: string): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let start: RawItem | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

export async function snapshot(client: DynamoDBClient, tableName: string): Promise<Snapshot> {
  const scanned = await scanAll(client, tableName);
  const entries = scanned
    .map((item) => [itemKey(item), JSON.stringify(canonicalItem(item)), item] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    items: new Map(entries.map(([key, text]) => [key, text])),
    raw: new Map(entries.map(([key, , item]) => [key, item])),
    bytes: Buffer.from(entries.map(([key, text]) => `${key}\t${text}`).join('\n'), 'utf8'),
  };
}

export interface Diff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}

export function diff(before: Snapshot, after: Snapshot): Diff {
  const added = [...after.items.keys()].filter((key) => !before.items.has(key));
  const removed = [...before.items.keys()].filter((key) => !after.items.has(key));
  const changed = [...before.items.keys()].filter(
    (key) => after.items.has(key) && after.items.get(key) !== before.items.get(key),
  );
  return { added, removed, changed };
}

export const describeDiff = (d: Diff): string =>
  `added ${JSON.stringify(d.added)}, removed ${JSON.stringify(d.removed)}, changed ${JSON.stringify(d.changed)}`;

/**
 * Puts the table back exactly as `baseline` (deletes additions, rewrites changed or removed
 * items); `known` is the table's current snapshot when the caller has just taken one.
 */
export async function restore(
  client: DynamoDBClient,
  tableName: string,
  baseline: Snapshot,
  known?: Snapshot,
): Promise<void> {
  const current = known ?? (await snapshot(client, tableName));
  const d = diff(baseline, current);
  const requests: WriteRequest[] = [
    ...d.added.map((key) => {
      const item = current.raw.get(key) as RawItem;
      return {
        DeleteRequest: { Key: { [PK]: item[PK] as AttributeValue, [SK]: item[SK] as AttributeValue } },
      };
    }),
    ...[...d.changed, ...d.removed].map((key) => ({
      PutRequest: { Item: baseline.raw.get(key) as RawItem },
    })),
  ];
  for (let i = 0; i < requests.length; i += 25) {
    let pending: WriteRequest[] = requests.slice(i, i + 25);
    while (pending.length > 0) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      pending = out.UnprocessedItems?.[tableName] ?? [];
    }
  }
}
