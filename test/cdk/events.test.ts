import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/core/events/types.ts';
import { parseWebhooks } from '../../lib/config.ts';
import { cdkJsonContext, findingsOf, type Synthesized, synthesize } from './synth.ts';

/** The events side of the stack (API.md "Events"): stream → consumer → bus, go-lives, webhooks. */

const WEBHOOKS = [
  { url: 'https://hooks.example.com/all' },
  { url: 'https://hooks.example.com/published', events: ['Article Published'] },
];

let synth: Synthesized;
// The checks read resources, not bundles: skip esbuild.
beforeAll(() => {
  synth = synthesize({ 'aws:cdk:bundling-stacks': [], webhooks: WEBHOOKS });
});

const id = (construct: { node: { defaultChild?: unknown } }): string =>
  synth.stack.getLogicalId(construct.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** The statements of the policies attached to a role (by the role's logical id). */
function statementsOf(roleLogicalId: string): Record<string, unknown>[] {
  const policies = synth.template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  });
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]) ?? [],
  );
}
const actionsOf = (statement: Record<string, unknown>) =>
  ([] as string[]).concat(statement.Action as string | string[]);

describe('the change stream and its consumer', () => {
  it('the articles table streams new and old images', () => {
    synth.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('the consumer reads the stream with partial batch failures, bisection, bounded retries and a DLQ', () => {
    const events = synth.stack.events;
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(synth.stack.table.table), 'StreamArn'] },
      FunctionName: { Ref: id(events.consumer.function) },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: Match.anyValue(),
      DestinationConfig: { OnFailure: { Destination: arnOf(id(events.streamFailures.queue)) } },
    });
  });

  it('the consumer knows the bus, the schedule group, the go-live target and role, and the site; no table', () => {
    const events = synth.stack.events;
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          EVENT_BUS_NAME: { Ref: id(events.bus) },
          GO_LIVE_SCHEDULE_GROUP: events.scheduleGroup.scheduleGroupName,
          GO_LIVE_FUNCTION_ARN: arnOf(id(events.goLive.function)),
          GO_LIVE_SCHEDULER_ROLE_ARN: arnOf(id(events.schedulerRole)),
          SITE_SETTINGS: Match.stringLikeRegexp('"articleUrl"'),
          TABLE_NAME: Match.absent(),
        }),
      },
    });
  });

  it('the consumer may PutEvents on this bus, manage schedules of this group and pass the scheduler role, only', () => {
    const events = synth.stack.events;
    const statements = statementsOf(id(events.consumer.role));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: arnOf(id(events.bus)),
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'iam:PassRole', Resource: arnOf(id(events.schedulerRole)) }),
    );
    const schedules = statements.find((s) => actionsOf(s).some((a) => a.startsWith('scheduler:')));
    expect(actionsOf(schedules ?? {}).sort()).toEqual([
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
      'scheduler:UpdateSchedule',
    ]);
    expect(JSON.stringify(schedules?.Resource)).toContain(
      `:schedule/${events.scheduleGroup.scheduleGroupName}/*`,
    );
    // Nothing else of EventBridge, Scheduler or IAM; the stream read and the DLQ send only.
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => /^(events|scheduler|iam):/.test(a)).sort()).toEqual([
      'events:PutEvents',
      'iam:PassRole',
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
      'scheduler:UpdateSchedule',
    ]);
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    for (const statement of statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [id(synth.stack.table.table), 'StreamArn'] });
    }
  });
});

describe('the bus', () => {
  it('is a custom bus, output as EventBusName', () => {
    synth.template.resourceCountIs('AWS::Events::EventBus', 1);
    synth.template.hasOutput('EventBusName', { Value: { Ref: id(synth.stack.events.bus) } });
  });
});

describe('go-live', () => {
  it('has a schedule group of its own', () => {
    synth.template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  it('the scheduler role is assumable by EventBridge Scheduler of this account and may invoke the go-live function only', () => {
    const events = synth.stack.events;
    synth.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
    expect(statementsOf(id(events.schedulerRole))).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: arnOf(id(events.goLive.function)) },
    ]);
  });

  it('the go-live function reads the table through its store operations and PutEvents on the bus, and has a DLQ', () => {
    const events = synth.stack.events;
    const statements = statementsOf(id(events.goLive.role));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: arnOf(id(synth.stack.table.table)),
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'events:PutEvents', Resource: arnOf(id(events.bus)) }),
    );
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => /^(dynamodb|events|scheduler|iam|lambda):/.test(a)).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'events:PutEvents',
    ]);
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Role: arnOf(id(events.goLive.role)),
      DeadLetterConfig: { TargetArn: arnOf(id(events.goLiveFailures.queue)) },
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: id(events.bus) } }) },
    });
  });
});

describe('dead-letter queues', () => {
  it('are encrypted, TLS only, and alarm on any visible message', () => {
    const events = synth.stack.events;
    const dlqs = [events.streamFailures, events.goLiveFailures, events.webhookFailures];
    for (const dlq of dlqs) {
      if (dlq === undefined) throw new Error('missing DLQ');
      const queue = synth.template.toJSON().Resources[id(dlq.queue)];
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id(dlq.queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(dlq.queue), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });
});

describe('webhooks', () => {
  it('one API destination and one rule per webhook, filtered by detail-type, with retries and a DLQ', () => {
    const events = synth.stack.events;
    synth.template.resourceCountIs('AWS::Events::Connection', 1);
    synth.template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-Newsdesk-Webhook' } },
    });
    synth.template.resourceCountIs('AWS::Events::ApiDestination', 2);
    synth.template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://hooks.example.com/published',
      HttpMethod: 'POST',
    });
    // One rule per webhook (other rules on the bus, e.g. the edge purge, are not counted).
    expect(events.webhookRules).toHaveLength(2);
    const rules = synth.template.toJSON().Resources as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    for (const rule of events.webhookRules) {
      expect(JSON.stringify(rules[id(rule)]?.Properties.Targets)).toContain('ApiDestination');
    }
    const target = {
      Arn: Match.anyValue(),
      RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      DeadLetterConfig: { Arn: arnOf(id(events.webhookFailures?.queue ?? events.bus)) },
    };
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: id(events.bus) },
      EventPattern: { source: ['newsdesk'], 'detail-type': [...DETAIL_TYPES] },
      Targets: [Match.objectLike(target)],
    });
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: id(events.bus) },
      EventPattern: { source: ['newsdesk'], 'detail-type': ['Article Published'] },
      Targets: [Match.objectLike(target)],
    });
  });

  it('keep cdk-nag (AwsSolutions and Serverless) clean', () => {
    for (const checks of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = checks.validateScope(synth.app);
      expect(findingsOf(report)).toEqual([]);
    }
  });

  it('none by default (cdk.json webhooks: [])', () => {
    expect(cdkJsonContext().webhooks).toEqual([]);
    expect(parseWebhooks(cdkJsonContext().webhooks)).toEqual([]);
  });

  it('are validated at synth, naming the bad entry', () => {
    const synthWith = (webhooks: unknown) => () => synthesize({ 'aws:cdk:bundling-stacks': [], webhooks });
    expect(synthWith([{ url: 'https://ok.example.com' }, { url: 'not a url' }])).toThrow(
      /webhooks\[1\]\.url must be an absolute https URL, got "not a url"/,
    );
    expect(() => parseWebhooks([{ url: 'http://hooks.example.com' }])).toThrow(
      /webhooks\[0\]\.url must be an absolute https URL/,
    );
    expect(() => parseWebhooks([{ url: 'https://hooks.example.com', events: ['Article Deleted'] }])).toThrow(
      /webhooks\[0\]\.events\[0\] must be one of Article Published, .*got "Article Deleted"/,
    );
    expect(() => parseWebhooks([{ url: 'https://hooks.example.com', events: [] }])).toThrow(
      /webhooks\[0\]\.events must be a non-empty list/,
    );
    expect(() => parseWebhooks([{ url: 'https://hooks.example.com', secret: 'x' }])).toThrow(
      /webhooks\[0\]\.secret is not a webhook setting/,
    );
    expect(() => parseWebhooks({ url: 'https://hooks.example.com' })).toThrow(/webhooks must be an array/);
  });

  it('accept JSON on the command line and default to every detail-type', () => {
    expect(parseWebhooks('[{"url":"https://hooks.example.com/x"}]')).toEqual([
      { url: 'https://hooks.example.com/x', events: [...DETAIL_TYPES] },
    ]);
  });
});
