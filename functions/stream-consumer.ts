import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeGoLiveScheduler, EventBridgePublisher } from './core/events/aws.ts';
import { makeStreamHandler } from './core/events/consumer.ts';
import { EVENT_ENV, requiredEnv } from './core/events/env.ts';
import { siteSettingsFromEnv } from './core/site.ts';

/**
 * The articles table's change stream (event source mapping, ReportBatchItemFailures): each
 * change of an article's head schedules or cancels its go-live and announces its event on
 * the stack's EventBridge bus. Not an API route.
 */
const env = process.env;
export const handler = makeStreamHandler({
  publisher: new EventBridgePublisher(new EventBridgeClient({}), requiredEnv(env, EVENT_ENV.busName)),
  scheduler: new EventBridgeGoLiveScheduler(new SchedulerClient({}), {
    groupName: requiredEnv(env, EVENT_ENV.scheduleGroup),
    targetArn: requiredEnv(env, EVENT_ENV.goLiveFunctionArn),
    roleArn: requiredEnv(env, EVENT_ENV.schedulerRoleArn),
  }),
  site: siteSettingsFromEnv(env),
});
