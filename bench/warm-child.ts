/**
 * A warm Lambda process, for the warm-handler benchmark: imports one bundle once, then
 * on request invokes its handler N times in a row (one at a time, as Lambda does) and
 * returns each invocation's duration. Run on plain `node` (bench/build.ts bundles this
 * file), with the function's environment and nothing else; talks over the IPC channel.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { WarmReply, WarmRequest } from './warm-protocol.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

let handler: Handler | undefined;

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench';
const memory = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '1024';
const TIMEOUT_MS = 10_000;

/** A Lambda context, as the Node.js runtime hands one to each invocation. */
function lambdaContext() {
  const deadline = Date.now() + TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: memory,
    awsRequestId: randomUUID(),
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${functionName}`,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function statusOf(result: unknown): string {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    return String(result.statusCode);
  }
  return 'no-status';
}

async function run(count: number, event: unknown): Promise<WarmReply> {
  if (handler === undefined) throw new Error('no bundle loaded');
  const durations: number[] = [];
  const cpu: number[] = [];
  const statuses: Record<string, number> = {};
  let firstBody: string | undefined;
  for (let i = 0; i < count; i++) {
    // Fresh copies outside the timed part: middlewares may change the event in place.
    const input = structuredClone(event);
    const context = lambdaContext();
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const result = await handler(input, context);
    durations.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
    const status = statusOf(result);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (firstBody === undefined && typeof result === 'object' && result !== null && 'body' in result) {
      firstBody = String(result.body).slice(0, 500);
    }
  }
  return { type: 'done', durations, cpu, statuses, firstBody };
}

async function onMessage(message: WarmRequest): Promise<WarmReply> {
  switch (message.type) {
    case 'load': {
      const start = performance.now();
      const module: unknown = await import(pathToFileURL(message.file).href);
      const initMs = performance.now() - start;
      const exported =
        typeof module === 'object' && module !== null && 'handler' in module ? module.handler : undefined;
      if (typeof exported !== 'function') throw new Error(`${message.file} exports no handler`);
      handler = exported as Handler;
      return { type: 'loaded', initMs };
    }
    case 'run':
      return run(message.count, message.event);
  }
}

process.on('message', (message: WarmRequest) => {
  onMessage(message).then(
    (reply) => process.send?.(reply),
    (error: unknown) =>
      process.send?.({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies WarmReply),
  );
});
process.on('disconnect', () => process.exit(0));
