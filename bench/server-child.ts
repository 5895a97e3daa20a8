/**
 * The local server (local/server.ts), as `npm start` runs it (TypeScript through tsx,
 * one log line per request on stdout, written as bin/local-server.ts writes it), in a
 * process of its own for the throughput benchmark. Uses the bench's DynamoDB Local;
 * publishes the sample article, whose slug it reports over IPC.
 */
import { createRequestLog } from '../local/request-log.ts';
import { startLocalServer } from '../local/server.ts';

export interface ServerChildReady {
  readonly type: 'ready';
  readonly url: string;
  readonly slug: string;
  readonly tableName: string;
}

const dataDir = process.env.BENCH_SERVER_DATA_DIR;
const endpoint = process.env.DYNAMODB_ENDPOINT;
if (dataDir === undefined || endpoint === undefined) {
  throw new Error('BENCH_SERVER_DATA_DIR and DYNAMODB_ENDPOINT must be set');
}

const server = await startLocalServer({
  port: 0,
  dataDir,
  dynamodbEndpoint: endpoint,
  tableName: `newsdesk-bench-server-${Date.now()}`,
  log: createRequestLog().log,
});
if (server.seed.state !== 'published') {
  throw new Error(`the sample article was not published: ${JSON.stringify(server.seed)}`);
}
process.send?.({
  type: 'ready',
  url: server.url,
  slug: server.seed.slug,
  tableName: server.tableName,
} satisfies ServerChildReady);
process.on('disconnect', () => {
  void server.close().then(() => process.exit(0));
});
