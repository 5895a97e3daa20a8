import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from './config.ts';

/**
 * The DynamoDB Document client, built once per process. Retries are bounded
 * (standard mode, `DYNAMODB_MAX_ATTEMPTS` attempts) and every attempt has connect and
 * socket timeouts, so with the defaults (3 × ≤ 3 s plus back-off) a request ends well
 * inside the function's 10 s timeout and API Gateway's 29 s.
 */
export function createDocumentClient(config: Config): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: config.DYNAMODB_ENDPOINT }),
    maxAttempts: config.DYNAMODB_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: config.DYNAMODB_CONNECT_TIMEOUT_MS,
      requestTimeout: config.DYNAMODB_REQUEST_TIMEOUT_MS,
      // Without it the handler only logs a warning when the socket timeout passes and the
      // attempt waits on: a silent database would hold the request until the function's end.
      throwOnRequestTimeout: true,
    },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
