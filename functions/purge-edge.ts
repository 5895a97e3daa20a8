import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudFrontPurger } from './core/edge/cloudfront.ts';
import { EDGE_ENV } from './core/edge/env.ts';
import { makePurgeHandler } from './core/edge/purge.ts';
import { requiredEnv } from './core/events/env.ts';

/**
 * Purges the CDN on every event (docs/edge.md): the events bus → a rule → an SQS queue →
 * this function, batched, → one CloudFront invalidation per batch. Not an API route.
 */
export const handler = makePurgeHandler({
  purger: new CloudFrontPurger(new CloudFrontClient({}), {
    distributionId: requiredEnv(process.env, EDGE_ENV.distributionId),
  }),
});
