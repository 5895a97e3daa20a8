// A warm Lambda process: imports one bundle, then invokes its handler one event at a time, as
// Lambda does, timing each invocation. Runs on plain node (bundled by bench/build.ts), with the
// function's environment only; talks to bench/lambda.ts over IPC.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { LambdaReply, LambdaRequest, LambdaResponse } from './lambda.ts';

type Handler = (event: unknown, context: object) => Promise<LambdaResponse>;
let handler: Handler | undefined;

function context(): object {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench';
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

async function run({ file, events, repeat }: LambdaRequest): Promise<LambdaReply> {
  if (file !== undefined) {
    handler = ((await import(pathToFileURL(file).href)) as { handler: Handler }).handler;
  }
  if (handler === undefined) throw new Error('no bundle loaded');
  const reply: LambdaReply = { durations: [], cpu: [], statuses: {}, responses: [] };
  for (let round = 0; round < repeat; round++) {
    for (const event of events) {
      // A fresh copy, outside the timed part: middlewares may change the event in place.
      const input = structuredClone(event);
      const invocationContext = context();
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const response = await handler(input, invocationContext);
      reply.durations.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      reply.cpu.push((cpu.user + cpu.system) / 1000);
      reply.statuses[response.statusCode] = (reply.statuses[response.statusCode] ?? 0) + 1;
      if (round === 0) reply.responses.push(response);
    }
  }
  return reply;
}

process.on('message', (message: LambdaRequest) => {
  run(message).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.stack : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
