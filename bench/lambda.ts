import { fork } from 'node:child_process';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RouteDefinition } from '../functions/core/routes.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { buildProxyEvent } from '../local/event.ts';
import { buildHelper } from './build.ts';

export interface LambdaRequest {
  /** A bundle to import first. */
  readonly file?: string;
  readonly events: readonly unknown[];
  /** Invocations per event, one event after the other. */
  readonly repeat: number;
}

export interface LambdaResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface LambdaReply {
  /** Wall-clock milliseconds of each invocation. */
  readonly durations: number[];
  /** CPU milliseconds (user + system) of each invocation. */
  readonly cpu: number[];
  /** Responses by status code. */
  readonly statuses: Record<number, number>;
  /** The response to each event, from the first round. */
  readonly responses: LambdaResponse[];
}

export interface LambdaBundle {
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface LambdaProcess {
  /** Invokes the handler with each event in turn, `repeat` rounds; fails unless every answer is `expected`. */
  invoke(events: readonly unknown[], expected: number, repeat?: number): Promise<LambdaReply>;
  stop(): Promise<void>;
}

let child: Promise<string> | undefined;

/** A process that loads the bundle `file` as Lambda would, with `env` as its whole environment. */
export async function startLambda(
  name: string,
  file: string,
  env: Readonly<Record<string, string>>,
): Promise<LambdaProcess> {
  child ??= buildHelper('bench/lambda-child.ts');
  // Handlers log a line per request to stdout, as in Lambda; nobody reads it here.
  const worker = fork(await child, [], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const request = (message: LambdaRequest) =>
    new Promise<LambdaReply>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${name}: the process exited (${code})`));
      worker.once('exit', onExit);
      worker.once('message', (reply: LambdaReply | { error: string }) => {
        worker.off('exit', onExit);
        if ('error' in reply) reject(new Error(`${name}: ${reply.error}`));
        else resolve(reply);
      });
      worker.send(message);
    });
  await request({ file, events: [], repeat: 0 });
  return {
    async invoke(events, expected, repeat = 1) {
      const reply = await request({ events, repeat });
      if (Object.keys(reply.statuses).some((status) => Number(status) !== expected)) {
        const wrong = reply.responses.find((response) => response.statusCode !== expected);
        throw new Error(
          `${name}: expected ${expected}, got ${JSON.stringify(reply.statuses)}: ${wrong?.body}`,
        );
      }
      return reply;
    },
    stop: () =>
      new Promise((resolve) => {
        if (worker.exitCode !== null || worker.signalCode !== null) return resolve();
        worker.once('exit', () => resolve());
        worker.disconnect();
      }),
  };
}

/** The API Gateway proxy event the deployed API would send for `route`. */
export function routeEvent(
  route: Pick<RouteDefinition, 'method' | 'resource' | 'auth'>,
  {
    params = {},
    query = '',
    headers = {},
    body,
  }: { params?: Record<string, string>; query?: string; headers?: object; body?: object },
): APIGatewayProxyEvent {
  const json = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return buildProxyEvent({
    method: route.method,
    path: route.resource.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? ''),
    rawQuery: query,
    rawHeaders: Object.entries({
      Host: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
      Accept: 'application/json',
      'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0',
      ...(json === undefined
        ? {}
        : { 'Content-Type': 'application/json', 'Content-Length': `${json.length}` }),
      ...headers,
    }).flat(),
    body: json ?? new Uint8Array(),
    resource: route.resource,
    pathParameters: route.resource.includes('{') ? { ...params } : null,
    sourceIp: '203.0.113.10',
    ...(route.auth === 'editor'
      ? {
          identity: {
            accessKeyId: 'AKIDBENCH',
            userName: 'bench-editor',
            userArn: 'arn:aws:iam::123456789012:user/bench-editor',
          },
        }
      : {}),
  });
}
