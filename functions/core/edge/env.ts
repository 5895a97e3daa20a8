/**
 * The edge purge function (lib/edge.ts deploys it): its environment and its AWS API.
 */
export const EDGE_ENV = {
  /** The id of the CloudFront distribution to invalidate. */
  distributionId: 'DISTRIBUTION_ID',
} as const;

/** Not an API route (the inventory test holds functions/ to ROUTES, EVENT_FUNCTIONS and this). */
export const EDGE_FUNCTIONS = [{ id: 'PurgeEdge', entry: 'functions/purge-edge.ts' }] as const;

/** The AWS APIs the edge code talks to: a fixed global endpoint, never a URL from data. */
export const EDGE_SDK_PACKAGES = ['@aws-lambda-powertools/batch', '@aws-sdk/client-cloudfront'] as const;
