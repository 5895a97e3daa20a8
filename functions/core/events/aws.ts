/**
 * The deployed adapters of the event ports: events go to the stack's EventBridge bus
 * (PutEvents), go-lives are EventBridge Scheduler one-time schedules in the stack's schedule
 * group, one per article, that invoke the go-live function.
 */
import { createHash } from 'node:crypto';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  type ArticleEvent,
  EVENT_SOURCE,
  type EventPublisher,
  type GoLive,
  type GoLiveScheduler,
} from './types.ts';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_MAX = 10;

export class PutEventsError extends Error {
  override name = 'PutEventsError';
}

/** The PutEvents entry of an event (`source` newsdesk, the detail as JSON). */
export function putEventsEntry(event: ArticleEvent, eventBusName: string): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: EVENT_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.time),
  };
}

/** Publishes on an EventBridge bus; throws unless EventBridge accepted every entry. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly ArticleEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += PUT_EVENTS_MAX) {
      const entries = events
        .slice(start, start + PUT_EVENTS_MAX)
        .map((e) => putEventsEntry(e, this.eventBusName));
      const output = await this.client.send(new PutEventsCommand({ Entries: entries }));
      if ((output.FailedEntryCount ?? 0) > 0) {
        const reasons = (output.Entries ?? [])
          .filter((entry) => entry.ErrorCode !== undefined)
          .map((entry) => `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`);
        throw new PutEventsError(
          `EventBridge refused ${output.FailedEntryCount} of ${entries.length} events (${reasons.join('; ')})`,
        );
      }
    }
  }
}

/** Longest schedule name EventBridge Scheduler accepts. */
const NAME_MAX = 64;

/**
 * The name of an article's schedule: its slug (slugs are [a-z0-9-]), or, for a slug longer
 * than a name may be, its first 39 characters, `-` and 24 hex digits of its SHA-256.
 * One name per article, so scheduling again replaces the pending go-live.
 */
export function scheduleName(slug: string): string {
  if (slug.length <= NAME_MAX) return slug;
  const hash = createHash('sha256').update(slug).digest('hex').slice(0, 24);
  return `${slug.slice(0, NAME_MAX - hash.length - 1)}-${hash}`;
}

/**
 * The one-time schedule expression of a go-live, in UTC: `at(yyyy-mm-ddThh:mm:ss)`, the
 * instant rounded up to the whole second (the go-live never fires before publishedAt). A
 * go-live already due when it is scheduled (a stream record processed late) is set a few
 * seconds ahead instead, so it still fires.
 */
export function atExpression(publishedAt: string, now: Date): string {
  const due = Math.ceil(Date.parse(publishedAt) / 1000) * 1000;
  const at = Math.max(due, Math.ceil((now.getTime() + 10_000) / 1000) * 1000);
  return `at(${new Date(at).toISOString().slice(0, 19)})`;
}

export interface SchedulerSettings {
  /** The stack's schedule group. */
  readonly groupName: string;
  /** ARN of the go-live function (the target). */
  readonly targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  readonly roleArn: string;
  /** The clock (tests pass their own). */
  readonly now?: () => Date;
}

/** Go-lives as EventBridge Scheduler one-time schedules (deleted once they have run). */
export class EventBridgeGoLiveScheduler implements GoLiveScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly settings: SchedulerSettings,
  ) {}

  /** The CreateSchedule (and UpdateSchedule) input of a go-live. */
  scheduleInput(goLive: GoLive): CreateScheduleCommandInput {
    const input: GoLive = { slug: goLive.slug, version: goLive.version, publishedAt: goLive.publishedAt };
    return {
      Name: scheduleName(goLive.slug),
      GroupName: this.settings.groupName,
      ScheduleExpression: atExpression(goLive.publishedAt, (this.settings.now ?? (() => new Date()))()),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: `Newsdesk go-live of ${goLive.slug} version ${goLive.version}`.slice(0, 512),
      Target: {
        Arn: this.settings.targetArn,
        RoleArn: this.settings.roleArn,
        Input: JSON.stringify(input),
        // The go-live function retries itself (asynchronous invocation) and has its own DLQ.
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 5 },
      },
    };
  }

  async schedule(goLive: GoLive): Promise<void> {
    const input = this.scheduleInput(goLive);
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      // The article already has a pending go-live: replace it (UpdateSchedule takes the whole definition).
      if (!(error instanceof ConflictException)) throw error;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  async cancel(slug: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(slug), GroupName: this.settings.groupName }),
      );
    } catch (error) {
      // None pending (never scheduled, already run and deleted, or cancelled before).
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
