// The local server as `npm start` runs it (TypeScript through tsx, a log line per request), on
// the bench's DynamoDB Local, in a process of its own; it publishes the sample article on start.
import { createRequestLog } from '../local/request-log.ts';
import { startLocalServer } from '../local/server.ts';

const server = await startLocalServer({
  port: 0,
  dataDir: process.env.BENCH_DATA_DIR,
  dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT,
  tableName: 'newsdesk-bench-server',
  log: createRequestLog().log,
});
if (server.seed.state !== 'published') throw new Error(`no sample article: ${JSON.stringify(server.seed)}`);
process.send?.({
  url: `${server.url}/articles/${server.seed.slug}`,
  slug: server.seed.slug,
  tableName: server.tableName,
});
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
