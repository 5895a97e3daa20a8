/**
 * The DynamoDB endpoint the rehearsed functions call: an HTTP proxy in front of DynamoDB
 * Local that authorizes every request against the calling function's IAM policies from
 * the template, as DynamoDB does, before passing it on.
 *
 * The caller is told apart by its credentials: each function runs with its own role
 * session key (as Lambda hands each function its execution role's credentials), so the
 * access key id in the request's SigV4 `Credential` names the function.
 *
 * A call that is not allowed is answered exactly as DynamoDB answers it (HTTP 400,
 * `AccessDeniedException`, the same message shape) and recorded, by function, action and
 * resource.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { evaluate, type Statement } from './iam.ts';
import { ACCOUNT_ID, PARTITION, REGION } from './template.ts';

/** One IAM authorization a DynamoDB request needs. */
export interface Authorization {
  readonly action: string;
  readonly resource: string;
}

/** A function, as the proxy knows its caller. */
export interface Caller {
  /** Display name (the construct path, e.g. `GetArticle/Function`). */
  readonly name: string;
  readonly logicalId: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<function>`, as DynamoDB names the caller. */
  readonly principalArn: string;
  readonly statements: readonly Statement[];
}

export interface Denial {
  readonly function: string;
  readonly logicalId: string;
  readonly action: string;
  readonly resource: string;
  /** The DynamoDB operation that needed it (e.g. TransactWriteItems). */
  readonly operation: string;
}

export class UnsupportedDynamoDbCall extends Error {
  override name = 'UnsupportedDynamoDbCall';
}

type Body = Readonly<Record<string, unknown>>;

export function tableArn(tableName: string): string {
  if (tableName.startsWith('arn:')) return tableName;
  return `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT_ID}:table/${tableName}`;
}

const tableOf = (body: Body | undefined, operation: string): string => {
  const name = body?.TableName;
  if (typeof name !== 'string') throw new UnsupportedDynamoDbCall(`${operation} without a TableName`);
  return tableArn(name);
};

const TRANSACT_WRITE_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/** Operations DynamoDB authorizes as `dynamodb:<operation>` on the table named by `TableName`. */
const SINGLE_TABLE = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'DescribeTable',
  'DescribeTimeToLive',
  'DescribeContinuousBackups',
  'UpdateTable',
  'UpdateTimeToLive',
  'DeleteTable',
  'CreateTable',
]);

/**
 * The IAM authorizations a DynamoDB JSON-1.0 request needs (IAM's service authorization
 * reference for DynamoDB): Query and Scan on an index need the index ARN; a transaction
 * needs the action of each item on its table; a batch needs the batch action on each table.
 */
export function authorizationsFor(operation: string, body: Body): Authorization[] {
  if (SINGLE_TABLE.has(operation))
    return [{ action: `dynamodb:${operation}`, resource: tableOf(body, operation) }];
  switch (operation) {
    case 'Query':
    case 'Scan': {
      const table = tableOf(body, operation);
      const index = body.IndexName;
      return [
        {
          action: `dynamodb:${operation}`,
          resource: typeof index === 'string' ? `${table}/index/${index}` : table,
        },
      ];
    }
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys((body.RequestItems as Body | undefined) ?? {}).map((name) => ({
        action: `dynamodb:${operation}`,
        resource: tableArn(name),
      }));
    case 'TransactGetItems':
      return ((body.TransactItems as Body[] | undefined) ?? []).map((item) => ({
        action: 'dynamodb:GetItem',
        resource: tableOf(item.Get as Body | undefined, 'TransactGetItems Get'),
      }));
    case 'TransactWriteItems':
      return ((body.TransactItems as Body[] | undefined) ?? []).map((item) => {
        const [kind] = Object.keys(item);
        const action = kind === undefined ? undefined : TRANSACT_WRITE_ACTIONS[kind];
        if (kind === undefined || action === undefined) {
          throw new UnsupportedDynamoDbCall(`TransactWriteItems item ${String(kind)}`);
        }
        return { action, resource: tableOf(item[kind] as Body | undefined, `TransactWriteItems ${kind}`) };
      });
    case 'ListTables':
      return [{ action: 'dynamodb:ListTables', resource: '*' }];
    default:
      throw new UnsupportedDynamoDbCall(`DynamoDB operation ${operation}`);
  }
}

/** DynamoDB's answer to a call IAM refuses, word for word. */
export function accessDeniedBody(caller: Pick<Caller, 'principalArn'>, denied: Authorization): string {
  return JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
    message: `User: ${caller.principalArn} is not authorized to perform: ${denied.action} on resource: ${denied.resource} because no identity-based policy allows the ${denied.action} action`,
  });
}

export interface DynamoDbProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Every refused call so far, in order. */
  readonly denials: readonly Denial[];
  /** Calls the rehearsal could not authorize (an operation it does not model). */
  readonly unsupported: readonly string[];
  close(): Promise<void>;
}

export interface DynamoDbProxyOptions {
  /** DynamoDB Local's endpoint (read per request: it may start after the proxy). */
  readonly upstream: () => string;
  /** The callers by access key id. */
  readonly callers: ReadonlyMap<string, Caller>;
  /** Told about each denial as it happens. */
  readonly onDenial?: (denial: Denial) => void;
}

const JSON_10 = 'application/x-amz-json-1.0';

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': JSON_10,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(body);
}

const accessKeyOf = (authorization: string | undefined) =>
  /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];

/** Starts the proxy on 127.0.0.1 (a free port). */
export async function startDynamoDbProxy(options: DynamoDbProxyOptions): Promise<DynamoDbProxy> {
  const denials: Denial[] = [];
  const unsupported: string[] = [];

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const upstream = new URL(options.upstream());
    const headers = { ...req.headers, host: upstream.host };
    const outgoing = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    outgoing.on('error', () => {
      if (!res.headersSent)
        answer(res, 500, JSON.stringify({ __type: 'InternalServerError', message: 'upstream' }));
      else res.destroy();
    });
    outgoing.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req);
    const caller = options.callers.get(accessKeyOf(req.headers.authorization) ?? '');
    if (caller === undefined) {
      answer(
        res,
        400,
        JSON.stringify({
          __type: 'com.amazon.coral.service#UnrecognizedClientException',
          message: 'The security token included in the request is invalid.',
        }),
      );
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('DynamoDB_20120810.')
      ? target.slice('DynamoDB_20120810.'.length)
      : target;
    let needed: Authorization[];
    try {
      needed = authorizationsFor(operation, JSON.parse(body.toString('utf8') || '{}') as Body);
    } catch (error) {
      const detail = `${caller.name}: ${error instanceof Error ? error.message : String(error)} is not emulated`;
      unsupported.push(detail);
      answer(
        res,
        400,
        JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: detail }),
      );
      return;
    }
    const denied = needed.find(
      (authorization) => !evaluate(caller.statements, authorization.action, authorization.resource).allowed,
    );
    if (denied !== undefined) {
      const denial: Denial = {
        function: caller.name,
        logicalId: caller.logicalId,
        action: denied.action,
        resource: denied.resource,
        operation,
      };
      denials.push(denial);
      options.onDenial?.(denial);
      answer(res, 400, accessDeniedBody(caller, denied));
      return;
    }
    forward(req, body, res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    denials,
    unsupported,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
