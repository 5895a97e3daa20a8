/**
 * The local stream reader's shard handling and record shape (local/events/stream-reader.ts)
 * with mocked DynamoDB and DynamoDB Streams clients: a shard that closes and a child that
 * appears (read from its start, after its parent), and records in Lambda's shape.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamReader, toLambdaImage } from '../../local/events/stream-reader.ts';

const ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-05-01T00:00:00.000';
const ddb = mockClient(DynamoDBClient);
const streams = mockClient(DynamoDBStreamsClient);

const record = (seq: string, slug: string): _Record => ({
  eventID: `id-${seq}`,
  eventName: 'INSERT',
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'ddblocal',
  dynamodb: {
    ApproximateCreationDateTime: new Date('2026-05-01T10:00:00Z'),
    Keys: { pk: { S: `ARTICLE#${slug}` }, sk: { S: 'A' } },
    NewImage: {
      pk: { S: `ARTICLE#${slug}` },
      sk: { S: 'A' },
      version: { N: '1' },
      data: { B: Uint8Array.from([1, 2]) },
    },
    SequenceNumber: seq,
    SizeBytes: 10,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

afterEach(() => {
  ddb.reset();
  streams.reset();
});

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('StreamReader', () => {
  it('reads a closing shard to its end, then its child from the start; records in Lambda shape', async () => {
    ddb.on(DescribeTableCommand).resolves({
      Table: {
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        LatestStreamArn: ARN,
      },
    });
    streams
      .on(DescribeStreamCommand)
      .resolvesOnce({
        StreamDescription: {
          Shards: [{ ShardId: 'p', SequenceNumberRange: { StartingSequenceNumber: '1' } }],
        },
      })
      .resolves({
        StreamDescription: {
          Shards: [
            { ShardId: 'p', SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '1' } },
            { ShardId: 'c', ParentShardId: 'p', SequenceNumberRange: { StartingSequenceNumber: '2' } },
          ],
        },
      });
    streams
      .on(GetShardIteratorCommand)
      .callsFake((input: { ShardId: string; ShardIteratorType: string }) => ({
        ShardIterator: `it-${input.ShardId}-${input.ShardIteratorType}`,
      }));
    let parentReads = 0;
    streams.on(GetRecordsCommand).callsFake((input: { ShardIterator: string }) => {
      switch (input.ShardIterator) {
        case 'it-p-LATEST':
          parentReads++;
          return { Records: [record('1', 'first')], NextShardIterator: undefined };
        case 'it-c-TRIM_HORIZON':
          return { Records: [record('2', 'second')], NextShardIterator: 'it-c-next' };
        default:
          return { Records: [], NextShardIterator: input.ShardIterator };
      }
    });

    const events: DynamoDBStreamEvent[] = [];
    const reader = new StreamReader({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      tableName: 't',
      handler: async (event) => {
        events.push(event);
        return { batchItemFailures: [] };
      },
      pollMs: 10,
      discoverMs: 0,
    });
    await reader.start();
    try {
      await until(() => events.length >= 2);
    } finally {
      await reader.close();
    }
    expect(parentReads).toBe(1);
    expect(events.map((e) => e.Records.map((r) => r.dynamodb?.SequenceNumber))).toEqual([['1'], ['2']]);
    expect(events[0]?.Records[0]).toEqual({
      eventID: 'id-1',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      eventSourceARN: ARN,
      dynamodb: {
        ApproximateCreationDateTime: Date.parse('2026-05-01T10:00:00Z') / 1000,
        Keys: { pk: { S: 'ARTICLE#first' }, sk: { S: 'A' } },
        NewImage: { pk: { S: 'ARTICLE#first' }, sk: { S: 'A' }, version: { N: '1' }, data: { B: 'AQI=' } },
        SequenceNumber: '1',
        SizeBytes: 10,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  });

  it('converts nested images (maps, lists, sets) to DynamoDB JSON as Lambda sends it', () => {
    expect(
      toLambdaImage({
        m: { M: { l: { L: [{ S: 'a' }, { N: '1' }, { NULL: true }, { BOOL: false }] } } },
        ss: { SS: ['x', 'y'] },
        bs: { BS: [Uint8Array.from([255])] },
      }),
    ).toEqual({
      m: { M: { l: { L: [{ S: 'a' }, { N: '1' }, { NULL: true }, { BOOL: false }] } } },
      ss: { SS: ['x', 'y'] },
      bs: { BS: ['/w=='] },
    });
  });
});
