import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The structured JSON logger shared by every handler (Powertools for AWS Lambda).
 * Level from POWERTOOLS_LOG_LEVEL (default INFO). Log lines carry the request ids,
 * route, status and latency; never an article body or an Authorization header.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'newsdesk' });
