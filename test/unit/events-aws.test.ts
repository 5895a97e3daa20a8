import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, describe, expect, it } from 'vitest';
import {
  atExpression,
  EventBridgeGoLiveScheduler,
  EventBridgePublisher,
  scheduleName,
} from '../../functions/core/events/aws.ts';
import type { ArticleEvent } from '../../functions/core/events/types.ts';

const eventBridge = mockClient(EventBridgeClient);
const scheduler = mockClient(SchedulerClient);
afterEach(() => {
  eventBridge.reset();
  scheduler.reset();
});

const event = (slug: string): ArticleEvent => ({
  detailType: 'Article Updated',
  time: '2026-01-02T03:04:05.000Z',
  detail: {
    eventId: 'abc',
    slug,
    version: 2,
    status: 'published',
    publishedAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-02T03:04:05.000Z',
    url: `https://news.example.com/articles/${slug}`,
    by: 'arn:aws:iam::000000000000:user/alice',
  },
});

describe('EventBridgePublisher', () => {
  const publisher = () =>
    new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'newsdesk-bus');

  it('puts each event on the bus with source newsdesk, its detail-type, time and detail JSON', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await publisher().publish([event('one')]);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'newsdesk-bus',
          Source: 'newsdesk',
          DetailType: 'Article Updated',
          Time: new Date('2026-01-02T03:04:05.000Z'),
          Detail: JSON.stringify(event('one').detail),
        },
      ],
    });
  });

  it('sends at most 10 entries per call', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await publisher().publish(Array.from({ length: 12 }, (_, i) => event(`a${i}`)));
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it('throws when EventBridge refused an entry (FailedEntryCount > 0), so the record is retried', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await expect(publisher().publish([event('one')])).rejects.toThrow(
      /refused 1 of 1 events \(InternalFailure/,
    );
  });
});

describe('scheduleName and atExpression', () => {
  it('names a schedule by its slug, hashed to 64 characters when longer', () => {
    expect(scheduleName('hello-world')).toBe('hello-world');
    const long = `${'a'.repeat(50)}-${'b'.repeat(45)}`;
    const name = scheduleName(long);
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^[0-9a-zA-Z-_.]+$/);
    expect(name).not.toBe(scheduleName(`${'a'.repeat(50)}-${'c'.repeat(45)}`));
    expect(scheduleName(long)).toBe(name);
  });

  it('is at() in UTC, rounded up to the second, never in the past', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(atExpression('2026-06-01T02:00:00+02:00', now)).toBe('at(2026-06-01T00:00:00)');
    expect(atExpression('2026-06-01T00:00:00.250Z', now)).toBe('at(2026-06-01T00:00:01)');
    expect(atExpression('2025-12-31T00:00:00Z', now)).toBe('at(2026-01-01T00:00:10)');
  });
});

describe('EventBridgeGoLiveScheduler', () => {
  const settings = {
    groupName: 'newsdesk-go-lives',
    targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:go-live',
    roleArn: 'arn:aws:iam::000000000000:role/scheduler',
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  const make = () => new EventBridgeGoLiveScheduler(new SchedulerClient({ region: 'us-east-1' }), settings);
  const goLive = { slug: 'one', version: 3, publishedAt: '2026-06-01T02:00:00+02:00' };
  const expected = {
    Name: 'one',
    GroupName: 'newsdesk-go-lives',
    ScheduleExpression: 'at(2026-06-01T00:00:00)',
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    ActionAfterCompletion: 'DELETE' as const,
    Target: expect.objectContaining({
      Arn: settings.targetArn,
      RoleArn: settings.roleArn,
      Input: JSON.stringify({ slug: 'one', version: 3, publishedAt: '2026-06-01T02:00:00+02:00' }),
    }),
  };

  it('creates a one-time schedule in the group, deleted after it ran, targeting the go-live function', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await make().schedule(goLive);
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, expected);
    expect(scheduler).not.toHaveReceivedCommand(UpdateScheduleCommand);
  });

  it('replaces the pending one on ConflictException (UpdateSchedule with the same definition)', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }))
      .on(UpdateScheduleCommand)
      .resolves({ ScheduleArn: 'arn' });
    await make().schedule(goLive);
    expect(scheduler).toHaveReceivedCommandWith(UpdateScheduleCommand, expected);
  });

  it('lets any other error through', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ValidationException({ message: 'bad', Message: 'bad', $metadata: {} }));
    await expect(make().schedule(goLive)).rejects.toThrow('bad');
  });

  it('cancels by deleting the schedule, ignoring ResourceNotFoundException', async () => {
    scheduler.on(DeleteScheduleCommand).resolves({});
    await make().cancel('one');
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, {
      Name: 'one',
      GroupName: 'newsdesk-go-lives',
    });
    scheduler.reset();
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'none', Message: 'none', $metadata: {} }));
    await expect(make().cancel('one')).resolves.toBeUndefined();
    scheduler.reset();
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ValidationException({ message: 'bad', Message: 'bad', $metadata: {} }));
    await expect(make().cancel('one')).rejects.toThrow('bad');
  });
});
