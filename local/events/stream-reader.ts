/**
 * Reads the local table's change stream (DynamoDB Local implements DynamoDB Streams) and
 * feeds its records, in the shape Lambda's event source mapping delivers
 * (DynamoDBStreamEvent), to the very stream handler Lambda runs (makeStreamHandler).
 *
 * Like the event source mapping with ReportBatchItemFailures: batches of up to 100 records
 * per shard, in order; when the handler reports failed records (or throws), the batch is
 * sent again from the first failed record after a backoff, and nothing after it in that
 * shard is handed on meanwhile. After `maxAttempts` the records are dropped with a log line
 * (the deployed stack sends them to its dead-letter queue).
 *
 * Shards: every shard open at start is read from LATEST; shards that appear later (DynamoDB
 * rotates them; a child of a split) from TRIM_HORIZON, once their parent is read to its end.
 * Each shard continues AFTER_SEQUENCE_NUMBER of the last record handled.
 *
 * Restarts: positions are kept in memory only, so changes made while the server was down
 * (or in the last poll interval before it stopped) are not announced. Only the local server
 * writes to its table, so nothing is missed in normal use; go-lives are rebuilt from the
 * table at start (go-live-timer.ts).
 */
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  type _Record as StreamRecord,
  type AttributeValue as StreamsAttributeValue,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamReaderOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly tableName: string;
  readonly handler: StreamHandler;
  readonly log?: (line: string) => void;
  /** Pause between polls of a shard that had nothing new (default 250 ms). */
  readonly pollMs?: number;
  /** How often the shard list is read again (default 2 s). */
  readonly discoverMs?: number;
  /** Backoff before re-sending failed records: base and cap (default 250 ms, 10 s). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Attempts per failing record before it is dropped (default 10). */
  readonly maxAttempts?: number;
  /** Records per handler call (default 100, Lambda's default batch size). */
  readonly batchSize?: number;
}

interface ShardState {
  readonly id: string;
  readonly parentId: string | undefined;
  /** Where reading starts when there is no iterator yet. */
  start: ShardIteratorType;
  iterator: string | undefined;
  /** Sequence number of the last record handed on (or dropped). */
  lastSequence: string | undefined;
  /** Records read but not yet handled (the batch being retried, and what follows it). */
  pending: StreamRecord[];
  attempts: number;
  /** The shard is closed and every record of it handled. */
  done: boolean;
  /** Not before this time (ms): the next poll or retry. */
  notBefore: number;
}

/** The credentials DynamoDB Local accepts; real ones in the environment are not needed here. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export class StreamReader {
  private readonly ddb: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  private readonly options: Required<Omit<StreamReaderOptions, 'log'>> & { log: (line: string) => void };
  private readonly shards = new Map<string, ShardState>();
  private streamArn = '';
  private loop: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private lastDiscovery = 0;

  constructor(options: StreamReaderOptions) {
    this.options = {
      pollMs: 250,
      discoverMs: 2_000,
      retryBaseMs: 250,
      retryMaxMs: 10_000,
      maxAttempts: 10,
      batchSize: 100,
      log: () => {},
      ...options,
    };
    const client = { endpoint: options.endpoint, region: options.region, credentials: LOCAL_CREDENTIALS };
    this.ddb = new DynamoDBClient(client);
    this.streams = new DynamoDBStreamsClient(client);
  }

  /** The stream's ARN (after start). */
  get arn(): string {
    return this.streamArn;
  }

  /**
   * Finds the table's stream (enabling it on a table created before streams were part of
   * the definition), positions every open shard at LATEST, then polls in the background.
   * Changes written after start() resolves are all seen.
   */
  async start(): Promise<void> {
    this.streamArn = await this.ensureStream();
    await this.discover(true);
    // Iterators now, so "LATEST" means "after start()", not "after the first poll".
    await Promise.all([...this.shards.values()].map((shard) => this.ensureIterator(shard)));
    this.loop = this.run();
  }

  /** Stops polling; a batch under way finishes first. Idempotent. */
  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.ddb.destroy();
    this.streams.destroy();
  }

  private async ensureStream(): Promise<string> {
    const { tableName } = this.options;
    const described = await this.ddb.send(new DescribeTableCommand({ TableName: tableName }));
    const table = described.Table;
    if (table?.StreamSpecification?.StreamEnabled === true && table.LatestStreamArn !== undefined) {
      return table.LatestStreamArn;
    }
    this.options.log(`table ${tableName} has no change stream yet: enabling it (NEW_AND_OLD_IMAGES)`);
    const updated = await this.ddb.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const arn = updated.TableDescription?.LatestStreamArn;
    if (arn === undefined) throw new Error(`table ${tableName}: no stream ARN after enabling its stream`);
    return arn;
  }

  /** Reads the shard list; new shards are added (at LATEST on the first read, else TRIM_HORIZON). */
  private async discover(initial: boolean): Promise<void> {
    this.lastDiscovery = Date.now();
    const found: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await this.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.streamArn,
          ...(exclusiveStartShardId === undefined ? {} : { ExclusiveStartShardId: exclusiveStartShardId }),
        }),
      );
      found.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId !== undefined);
    for (const shard of found) {
      if (shard.ShardId === undefined || this.shards.has(shard.ShardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      this.shards.set(shard.ShardId, {
        id: shard.ShardId,
        parentId: shard.ParentShardId,
        start: initial ? 'LATEST' : 'TRIM_HORIZON',
        iterator: undefined,
        lastSequence: undefined,
        pending: [],
        attempts: 0,
        // A shard already closed at start holds only changes from before it.
        done: initial && closed,
        notBefore: 0,
      });
    }
  }

  private async ensureIterator(shard: ShardState): Promise<void> {
    if (shard.iterator !== undefined || shard.done) return;
    const position =
      shard.lastSequence === undefined
        ? { ShardIteratorType: shard.start }
        : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.lastSequence };
    const answer = await this.streams.send(
      new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shard.id, ...position }),
    );
    shard.iterator = answer.ShardIterator;
    if (shard.iterator === undefined) shard.done = true;
  }

  /**
   * A child shard waits until its parent (when we know it) is read to its end. Finished
   * shards stay in the map (a few a day), so a later DescribeStream does not add them again.
   */
  private ready(shard: ShardState): boolean {
    if (shard.done) return false;
    const parent = shard.parentId === undefined ? undefined : this.shards.get(shard.parentId);
    return parent === undefined || parent.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (Date.now() - this.lastDiscovery >= this.options.discoverMs) await this.discover(false);
        for (const shard of this.shards.values()) {
          if (this.stopped) break;
          if (!this.ready(shard) || Date.now() < shard.notBefore) continue;
          await this.step(shard);
        }
      } catch (error) {
        this.options.log(`stream reader: ${error instanceof Error ? error.message : String(error)}`);
      }
      await this.pause(this.options.pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** One shard: hand on pending records, or read more and hand those on. */
  private async step(shard: ShardState): Promise<void> {
    if (shard.pending.length === 0) {
      await this.ensureIterator(shard);
      if (shard.iterator === undefined) return;
      let answer: GetRecordsCommandOutput;
      try {
        answer = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }),
        );
      } catch (error) {
        if (error instanceof ExpiredIteratorException) {
          shard.iterator = undefined; // a new one, after the last record handled
          return;
        }
        throw error;
      }
      shard.pending = answer.Records ?? [];
      shard.iterator = answer.NextShardIterator;
      // No next iterator: the shard is closed; it is done once its records are handled.
      if (shard.iterator === undefined && shard.pending.length === 0) shard.done = true;
    }
    while (shard.pending.length > 0 && !this.stopped) {
      const batch = shard.pending.slice(0, this.options.batchSize);
      const handled = await this.deliver(shard, batch);
      if (handled < batch.length) {
        // Retry from the first failed record, after a backoff.
        shard.attempts++;
        const failed = batch[handled];
        if (shard.attempts >= this.options.maxAttempts) {
          this.options.log(
            `stream reader: dropping record ${failed?.dynamodb?.SequenceNumber} of shard ${shard.id} after ${shard.attempts} attempts`,
          );
          shard.lastSequence = failed?.dynamodb?.SequenceNumber ?? shard.lastSequence;
          shard.pending = shard.pending.slice(1); // deliver() left the failed record first
          shard.attempts = 0;
          continue;
        }
        const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (shard.attempts - 1));
        shard.notBefore = Date.now() + delay;
        return;
      }
      shard.attempts = 0;
    }
    if (shard.pending.length === 0 && shard.iterator === undefined) shard.done = true;
  }

  /** Calls the handler with a batch; returns how many records from the start were handled. */
  private async deliver(shard: ShardState, batch: StreamRecord[]): Promise<number> {
    const event: DynamoDBStreamEvent = { Records: batch.map((record) => this.toLambdaRecord(record)) };
    let failedIds: string[];
    try {
      const response = await this.options.handler(event);
      failedIds = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
    } catch (error) {
      this.options.log(
        `stream reader: handler failed on ${batch.length} record(s): ${error instanceof Error ? error.message : String(error)}`,
      );
      return 0;
    }
    // Like Lambda: the batch counts as handled up to the first failed record (in stream order).
    let handled = batch.length;
    if (failedIds.length > 0) {
      const failed = new Set(failedIds);
      const index = batch.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      // An identifier that is not one of the batch's: Lambda retries the whole batch.
      handled = index === -1 ? 0 : index;
      this.options.log(
        `stream reader: handler reported ${failedIds.length} failed record(s); retrying from ${batch[handled]?.dynamodb?.SequenceNumber}`,
      );
    }
    const last = batch[handled - 1];
    if (last !== undefined) shard.lastSequence = last.dynamodb?.SequenceNumber ?? shard.lastSequence;
    shard.pending = shard.pending.slice(handled);
    return handled;
  }

  /** A record of the Streams API in the shape Lambda's event source mapping delivers. */
  private toLambdaRecord(record: StreamRecord): DynamoDBRecord {
    const data = record.dynamodb ?? {};
    const created = data.ApproximateCreationDateTime;
    return {
      eventID: record.eventID ?? '',
      ...(record.eventName === undefined ? {} : { eventName: record.eventName }),
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: record.awsRegion ?? this.options.region,
      eventSourceARN: this.streamArn,
      dynamodb: {
        ...(created === undefined
          ? {}
          : { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) }),
        ...(data.Keys === undefined ? {} : { Keys: toLambdaImage(data.Keys) }),
        ...(data.NewImage === undefined ? {} : { NewImage: toLambdaImage(data.NewImage) }),
        ...(data.OldImage === undefined ? {} : { OldImage: toLambdaImage(data.OldImage) }),
        ...(data.SequenceNumber === undefined ? {} : { SequenceNumber: data.SequenceNumber }),
        ...(data.SizeBytes === undefined ? {} : { SizeBytes: data.SizeBytes }),
        ...(data.StreamViewType === undefined ? {} : { StreamViewType: data.StreamViewType }),
      },
    };
  }
}

/** An image in DynamoDB JSON as Lambda delivers it (binary as base64 strings). */
export function toLambdaImage(image: Record<string, StreamsAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

function toLambdaValue(value: StreamsAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  throw new Error(`stream record: an attribute value of no known type (${Object.keys(value).join(', ')})`);
}
