/**
 * The purge function's handler: SQS messages, each the EventBridge event a rule on the bus
 * forwarded (lib/edge.ts), batched by the event source mapping's window. The batch's events
 * become one deduplicated list of paths (paths.ts) and one purge whose reference is a hash of
 * their event ids. A message that is not a Newsdesk event fails alone; when the purge fails,
 * every message of the batch is reported failed (Powertools batch, ReportBatchItemFailures)
 * and comes back after the queue's visibility timeout — then, after every retry, lands in
 * the dead-letter queue.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DETAIL_TYPES, EVENT_SOURCE } from '../events/types.ts';
import { logger } from '../logger.ts';
import { callerReference, type EdgePurger, purgePaths } from './paths.ts';

/** What a purge needs from an event (the EventBridge envelope's `detail`). */
export interface PurgeableEvent {
  readonly detail: { readonly eventId: string; readonly slug: string };
}

/** The Newsdesk event an SQS message carries, or an error saying why it is not one. */
export function parseMessage(body: string): PurgeableEvent {
  const event: unknown = JSON.parse(body);
  if (typeof event !== 'object' || event === null) throw new Error('not an event object');
  const { source, 'detail-type': detailType, detail } = event as Record<string, unknown>;
  if (source !== EVENT_SOURCE) throw new Error(`source is not ${EVENT_SOURCE}`);
  if (!(DETAIL_TYPES as readonly unknown[]).includes(detailType)) throw new Error('unknown detail-type');
  const { eventId, slug } = (detail ?? {}) as Record<string, unknown>;
  if (typeof eventId !== 'string' || typeof slug !== 'string' || slug === '') {
    throw new Error('detail has no eventId or slug');
  }
  return { detail: { eventId, slug } };
}

/** Purges what the events changed, once for all of them. */
export async function purgeEvents(events: readonly PurgeableEvent[], purger: EdgePurger): Promise<string[]> {
  const paths = purgePaths(events);
  if (paths.length > 0) {
    await purger.purge(paths, callerReference(events.map((event) => event.detail.eventId)));
  }
  return paths;
}

export function makePurgeHandler(deps: { readonly purger: EdgePurger }) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const parsed = new Map<string, PurgeableEvent>();
    const unreadable = new Map<string, Error>();
    for (const record of event.Records) {
      try {
        parsed.set(record.messageId, parseMessage(record.body));
      } catch (error) {
        unreadable.set(record.messageId, error instanceof Error ? error : new Error(String(error)));
      }
    }
    let purgeError: unknown;
    try {
      const paths = await purgeEvents([...parsed.values()], deps.purger);
      logger.info('edge purged', { events: parsed.size, paths });
    } catch (error) {
      purgeError = error;
      logger.warn('edge purge failed; the batch will be retried', { error, events: parsed.size });
    }
    // Powertools builds the partial-failure response (and throws when every record failed,
    // which Lambda treats as the whole batch failing: the same retry).
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const problem = unreadable.get(record.messageId);
        if (problem !== undefined) throw problem;
        if (purgeError !== undefined) throw purgeError;
      },
      processor,
    );
  };
}
