import { Arn, Duration, type RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_ENV, EVENT_FUNCTIONS } from '../functions/core/events/env.ts';
import { EVENT_SOURCE } from '../functions/core/events/types.ts';
import type { Webhook } from './config.ts';
import { acknowledge, nagResourceFinding } from './nag.ts';
import { NewsdeskFunction } from './newsdesk-function.ts';

/**
 * A dead-letter queue (encrypted, TLS only, 14 days) with an alarm as soon as anything
 * lands in it: what reaches it is an event that could not be delivered, which nobody
 * would otherwise notice.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: { readonly description: string }) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const reason =
      'This queue IS a dead-letter queue (the last stop of failed deliveries); giving it one of its own would only move the same messages again. Its visible messages raise a CloudWatch alarm.';
    acknowledge(
      this.queue,
      { id: 'AwsSolutions-SQS3', reason },
      { id: 'Serverless-SQSRedrivePolicy', reason },
    );
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmDescription: `Newsdesk: ${props.description} (messages in its dead-letter queue)`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

export interface NewsdeskEventsProps {
  readonly table: dynamodb.TableV2;
  /** Environment of the go-live function (it reads the table as the API functions do). */
  readonly environment: Readonly<Record<string, string>>;
  /** `SITE_SETTINGS` (both functions write article URLs into the events). */
  readonly siteEnvironment: Readonly<Record<string, string>>;
  readonly webhooks: readonly Webhook[];
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * Events (API.md "Events"): the articles table's change stream → the stream consumer →
 * the stack's EventBridge bus; go-lives as EventBridge Scheduler one-time schedules → the
 * go-live function → the bus; and one rule per webhook from the bus to an API destination.
 * No API handler talks to EventBridge: the table's own stream is the one source.
 */
export class NewsdeskEvents extends Construct {
  readonly bus: events.EventBus;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly consumer: NewsdeskFunction;
  readonly goLive: NewsdeskFunction;
  readonly streamFailures: DeadLetterQueue;
  readonly goLiveFailures: DeadLetterQueue;
  readonly webhookFailures: DeadLetterQueue | undefined;
  readonly webhookRules: readonly events.Rule[];

  constructor(scope: Construct, id: string, props: NewsdeskEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { table } = props;
    if (table.tableStreamArn === undefined) {
      throw new Error('NewsdeskEvents: the articles table has no stream');
    }

    this.bus = new events.EventBus(this, 'Bus', {
      description: 'Newsdesk article lifecycle events (source newsdesk)',
    });
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'GoLives');

    // --- go-live: invoked by each article's one-time schedule
    this.goLiveFailures = new DeadLetterQueue(this, 'GoLiveFailures', {
      description: 'a go-live failed after every retry',
    });
    const [consumerEntry, goLiveEntry] = EVENT_FUNCTIONS;
    this.goLive = new NewsdeskFunction(this, goLiveEntry.id, {
      entry: goLiveEntry.entry,
      description: 'Newsdesk go-live of a scheduled article (EventBridge Scheduler)',
      environment: {
        ...props.environment,
        ...props.siteEnvironment,
        [EVENT_ENV.busName]: this.bus.eventBusName,
      },
      memorySize: props.memorySize,
      timeout: props.timeout,
      logRetention: props.logRetention,
      ...(props.logRemovalPolicy === undefined ? {} : { logRemovalPolicy: props.logRemovalPolicy }),
      invocation: 'asynchronous',
      deadLetterQueue: this.goLiveFailures.queue,
    });
    this.goLive.grantStoreAccess(table, goLiveEntry);
    this.bus.grantPutEventsTo(this.goLive.role);

    // The role EventBridge Scheduler assumes: it may invoke the go-live function, nothing else.
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: invokes the Newsdesk go-live function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.goLive.function.functionArn],
      }),
    );

    // --- the stream consumer
    this.streamFailures = new DeadLetterQueue(this, 'StreamFailures', {
      description: 'change-stream records failed after every retry (their events were not sent)',
    });
    this.consumer = new NewsdeskFunction(this, consumerEntry.id, {
      entry: consumerEntry.entry,
      description: 'Newsdesk events: the articles table stream to EventBridge and go-live schedules',
      environment: {
        POWERTOOLS_SERVICE_NAME: props.environment.POWERTOOLS_SERVICE_NAME ?? 'newsdesk',
        ...(props.environment.POWERTOOLS_LOG_LEVEL === undefined
          ? {}
          : { POWERTOOLS_LOG_LEVEL: props.environment.POWERTOOLS_LOG_LEVEL }),
        ...props.siteEnvironment,
        [EVENT_ENV.busName]: this.bus.eventBusName,
        [EVENT_ENV.scheduleGroup]: this.scheduleGroup.scheduleGroupName,
        [EVENT_ENV.goLiveFunctionArn]: this.goLive.function.functionArn,
        [EVENT_ENV.schedulerRoleArn]: this.schedulerRole.roleArn,
      },
      memorySize: props.memorySize,
      timeout: props.timeout,
      logRetention: props.logRetention,
      ...(props.logRemovalPolicy === undefined ? {} : { logRemovalPolicy: props.logRemovalPolicy }),
      invocation: 'event-source',
    });
    const consumerRole = this.consumer.role;
    this.bus.grantPutEventsTo(consumerRole);
    const schedulesInGroup = Arn.format(
      {
        service: 'scheduler',
        resource: 'schedule',
        resourceName: `${this.scheduleGroup.scheduleGroupName}/*`,
      },
      stack,
    );
    consumerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedulesInGroup],
      }),
    );
    this.schedulerRole.grantPassRole(consumerRole);
    acknowledge(consumerRole, {
      id: `AwsSolutions-IAM5[${nagResourceFinding(this, schedulesInGroup)}]`,
      reason:
        "Schedule names are per article (derived from the slug), created at run time: the grant covers the schedules of the stack's own go-live group only, not any other group.",
    });

    this.consumer.function.addEventSource(
      new sources.DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        // A failing record is isolated by halving the batch, retried a bounded number of
        // times, and then sent (as a pointer to the stream records) to the dead-letter queue.
        bisectBatchOnError: true,
        retryAttempts: 3,
        maxRecordAge: Duration.hours(24),
        reportBatchItemFailures: true,
        onFailure: new sources.SqsDlq(this.streamFailures.queue),
        // One concurrent batch per shard keeps each article's changes in order.
        parallelizationFactor: 1,
      }),
    );

    // --- webhooks: one rule per webhook, to an API destination
    const rules: events.Rule[] = [];
    if (props.webhooks.length > 0) {
      this.webhookFailures = new DeadLetterQueue(this, 'WebhookFailures', {
        description: 'a webhook delivery failed after every retry',
      });
      // EventBridge requires a connection with credentials; the receiver gets this fixed
      // header and should ignore it (or check it equals the documented placeholder).
      const connection = new events.Connection(this, 'WebhookConnection', {
        description: 'Newsdesk webhooks (placeholder API key header; receivers ignore it)',
        authorization: events.Authorization.apiKey('X-Newsdesk-Webhook', SecretValue.unsafePlainText('none')),
      });
      props.webhooks.forEach((webhook, index) => {
        const destination = new events.ApiDestination(this, `Webhook${index}`, {
          description: `Newsdesk webhook ${index}: ${webhook.url}`.slice(0, 512),
          connection,
          endpoint: webhook.url,
          httpMethod: events.HttpMethod.POST,
          rateLimitPerSecond: 10,
        });
        const rule = new events.Rule(this, `Webhook${index}Rule`, {
          description: `Newsdesk webhook ${index}: ${webhook.events.join(', ')}`.slice(0, 512),
          eventBus: this.bus,
          eventPattern: { source: [EVENT_SOURCE], detailType: [...webhook.events] },
        });
        // The whole EventBridge event JSON is POSTed (the default input).
        rule.addTarget(
          new targets.ApiDestination(destination, {
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
            deadLetterQueue: this.webhookFailures?.queue,
          }),
        );
        rules.push(rule);
      });
    } else {
      this.webhookFailures = undefined;
    }
    this.webhookRules = rules;
  }
}
