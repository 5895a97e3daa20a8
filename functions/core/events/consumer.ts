/**
 * The change-stream consumer: for each DynamoDB Streams record of an article's HEAD item
 * (every other item — revisions, slices, tags, idempotency records — is ignored), first
 * schedules or cancels the article's go-live, then announces the derived event. Runs behind
 * the Lambda event source mapping deployed, and behind the local stream reader locally.
 *
 * Failures are reported per record (Powertools batch, `ReportBatchItemFailures`): Lambda
 * retries from the first failed record. Records are processed one after the other, in the
 * stream's order, and once one fails every record after it in the batch is reported failed
 * too without being processed, so no article's events ever overtake an earlier change of it
 * (the retry processes them again, in order). Delivery is thus at least once; `eventId`
 * lets consumers drop the duplicates.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  AttributeValue as LambdaAttributeValue,
} from 'aws-lambda';
import { logger } from '../logger.ts';
import type { SiteSettings } from '../site.ts';
import { HEAD_SK, PK, SK } from '../store/layout.ts';
import { deriveEvent, goLiveChange, type HeadItem } from './derive.ts';
import type { EventPublisher, GoLiveScheduler } from './types.ts';

export interface StreamHandlerDeps {
  readonly publisher: EventPublisher;
  readonly scheduler: GoLiveScheduler;
  readonly site: SiteSettings;
}

/** A stream image (DynamoDB JSON) as a plain item, as the Document client would read it. */
export function fromImage(image: Record<string, LambdaAttributeValue>): HeadItem {
  // The Lambda event's attribute type and the SDK's describe the same JSON.
  return unmarshall(image as Record<string, AttributeValue>);
}

/** Whether the record is about an article's head (`ARTICLE#<slug>` / `A`). */
export function isHeadRecord(record: DynamoDBRecord): boolean {
  const keys = record.dynamodb?.Keys;
  return keys?.[PK]?.S?.startsWith('ARTICLE#') === true && keys[SK]?.S === HEAD_SK;
}

/** The stream handler; a record whose processing throws is reported as a batch item failure. */
export function makeStreamHandler(
  deps: StreamHandlerDeps,
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  const processRecord = async (record: DynamoDBRecord): Promise<void> => {
    if (!isHeadRecord(record)) return;
    const images = record.dynamodb ?? {};
    const before = images.OldImage === undefined ? undefined : fromImage(images.OldImage);
    const after = images.NewImage === undefined ? undefined : fromImage(images.NewImage);

    // The schedule first: an `Article Scheduled` is never announced for a go-live that
    // does not exist (a failure retries both, the event deduplicated by its eventId).
    const goLive = goLiveChange(before, after);
    if (goLive !== undefined) {
      if ('schedule' in goLive) await deps.scheduler.schedule(goLive.schedule);
      else await deps.scheduler.cancel(goLive.cancel);
    }
    const event = deriveEvent(before, after, deps.site);
    if (event !== undefined) await deps.publisher.publish([event]);
  };

  return async (event) => {
    // A fresh processor per invocation: the handler may be called concurrently (locally).
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    let failed = false;
    const recordHandler = async (record: DynamoDBRecord): Promise<void> => {
      if (failed) throw new Error('not processed: an earlier record of the batch failed');
      try {
        await processRecord(record);
      } catch (error) {
        failed = true;
        // Keys and sequence number only: never the images (they hold the article).
        logger.error('stream record failed; it and the records after it will be retried', {
          sequenceNumber: record.dynamodb?.SequenceNumber,
          pk: record.dynamodb?.Keys?.[PK]?.S,
          error,
        });
        throw error;
      }
    };
    return processPartialResponse(event, recordHandler, processor, {
      processInParallel: false,
      // The response lists every failed record, also when all failed (Lambda retries the same way).
      throwOnFullBatchFailure: false,
    });
  };
}
