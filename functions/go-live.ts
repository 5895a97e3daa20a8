import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from './core/events/aws.ts';
import { EVENT_ENV, requiredEnv } from './core/events/env.ts';
import { makeGoLiveHandler } from './core/events/go-live.ts';
import type { GoLive } from './core/events/types.ts';
import { defaultArticleStore } from './core/read-deps.ts';
import { siteSettingsFromEnv } from './core/site.ts';

/**
 * Invoked by the article's one-time EventBridge Scheduler schedule at its publishedAt, with
 * `{slug, version, publishedAt}`: announces `Article Published` if the article is still that
 * version, scheduled for that instant. Not an API route.
 */
const goLive = makeGoLiveHandler({
  store: defaultArticleStore(),
  publisher: new EventBridgePublisher(new EventBridgeClient({}), requiredEnv(process.env, EVENT_ENV.busName)),
  site: siteSettingsFromEnv(process.env),
});

export const handler = (event: GoLive): Promise<void> => goLive(event);
