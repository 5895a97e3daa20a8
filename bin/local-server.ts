/**
 * `npm start`: the Newsdesk API on 127.0.0.1:$PORT (default 3000), on DynamoDB Local
 * (or $DYNAMODB_ENDPOINT), data under $NEWSDESK_DATA_DIR (default .newsdesk/).
 * Prints one block once ready; SIGINT/SIGTERM close the server and stop Java.
 */
import { JavaNotFoundError, stopAllDynamoDbLocal } from '../local/dynamodb-local.ts';
import { createRequestLog } from '../local/request-log.ts';
import { type LocalServer, LocalServerError, readyMessage, startLocalServer } from '../local/server.ts';

// The AWS SDK warns that its 2027 releases will need Node.js 22; the lockfile pins a version
// that supports Node.js 20, so the warning only adds noise to the ready block.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let server: LocalServer | undefined;
let shuttingDown = false;
// One line per request, time-stamped, written once per event-loop turn.
const requestLog = createRequestLog();

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) {
    // A second Ctrl-C: stop now (the exit handler still signals Java).
    process.exit(1);
  }
  shuttingDown = true;
  requestLog.flush();
  console.log(`\n${signal}: stopping the Newsdesk local API...`);
  try {
    if (server !== undefined) await server.close();
    else await stopAllDynamoDbLocal();
  } finally {
    process.exit(0);
  }
}

// Installed before anything starts, so a signal during start-up also stops Java.
process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGHUP', (signal) => void shutdown(signal));

try {
  server = await startLocalServer({
    log: requestLog.log,
  });
  if (shuttingDown) await server.close();
  else console.log(readyMessage(server));
} catch (error) {
  if (error instanceof JavaNotFoundError || error instanceof LocalServerError) {
    console.error(`newsdesk: ${error.message}`);
  } else {
    console.error(
      `newsdesk: could not start the local API: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  await stopAllDynamoDbLocal();
  process.exit(1);
}
