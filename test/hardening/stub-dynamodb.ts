import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A stand-in DynamoDB endpoint on 127.0.0.1 that injects faults: it answers each request
 * (each SDK attempt) as its plan says — throttled, failed, reset, never answered — or
 * forwards it to a real endpoint (DynamoDB Local), optionally losing the answer after the
 * write went through. It records every attempt by operation (`X-Amz-Target`).
 */

export type Fault =
  /** 400 ProvisionedThroughputExceededException */
  | 'throughput'
  /** 400 ThrottlingException */
  | 'throttling'
  /** 500 InternalServerError */
  | 'internal'
  /** 503 ServiceUnavailable */
  | 'unavailable'
  /** TCP reset before any answer */
  | 'reset'
  /** keep the connection open, never answer */
  | 'hang'
  /** pass through to the upstream endpoint */
  | 'forward'
  /** pass through (the write happens), then reset instead of relaying the answer */
  | 'forward-then-reset'
  /** pass through (the write happens), then never answer */
  | 'forward-then-hang';

export interface Attempt {
  /** Operation, e.g. `TransactWriteItems`. */
  readonly operation: string;
  /** 1-based attempt number for this operation. */
  readonly n: number;
  readonly fault: Fault;
}

export type Plan = (operation: string, n: number) => Fault;

export interface StubDynamoDb {
  readonly url: string;
  readonly attempts: Attempt[];
  /** Attempts of one operation. */
  count(operation: string): number;
  setPlan(plan: Plan): void;
  close(): Promise<void>;
}

const ERRORS: Partial<Record<Fault, { status: number; type: string; message: string }>> = {
  throughput: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  },
  throttling: {
    status: 400,
    type: 'com.amazon.coral.availability#ThrottlingException',
    message: 'Rate of requests exceeds the allowed throughput.',
  },
  internal: {
    status: 500,
    type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  },
  unavailable: {
    status: 503,
    type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
    message: 'Service unavailable',
  },
};

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(
  upstream: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && name !== 'host' && name !== 'connection') headers[name] = String(value);
    }
    const out = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const relayed: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined && name !== 'connection' && name !== 'transfer-encoding')
              relayed[name] = String(value);
          }
          resolve({ status: res.statusCode ?? 500, headers: relayed, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

export async function startStubDynamoDb(options: { upstream: string; plan: Plan }): Promise<StubDynamoDb> {
  const upstream = new URL(options.upstream);
  let plan = options.plan;
  const attempts: Attempt[] = [];
  const sockets = new Set<Socket>();
  const counts = new Map<string, number>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    const n = (counts.get(operation) ?? 0) + 1;
    counts.set(operation, n);
    const fault = plan(operation, n);
    attempts.push({ operation, n, fault });
    const error = ERRORS[fault];
    if (error !== undefined) {
      const payload = JSON.stringify({ __type: error.type, message: error.message });
      res.writeHead(error.status, {
        'Content-Type': 'application/x-amz-json-1.0',
        'Content-Length': Buffer.byteLength(payload),
        'x-amzn-RequestId': `stub-${attempts.length}`,
      });
      res.end(payload);
      return;
    }
    if (fault === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === 'hang') return;
    const answer = await forward(upstream, req, body);
    if (fault === 'forward-then-reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === 'forward-then-hang') return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attempts,
    count: (operation) => attempts.filter((a) => a.operation === operation).length,
    setPlan: (next) => {
      plan = next;
      counts.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A plan: `fault` for the first `times` attempts of `operation` (every operation when '*'), then forward. */
export const failFirst =
  (operation: string, fault: Fault, times = Number.POSITIVE_INFINITY): Plan =>
  (op, n) =>
    (operation === '*' || op === operation) && n <= times ? fault : 'forward';
