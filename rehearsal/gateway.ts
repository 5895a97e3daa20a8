/**
 * The rehearsal's API Gateway: a node:http server on 127.0.0.1 serving the template's
 * REST API under `/<stage>`, as the execute-api endpoint does.
 *
 * Per request: the stage, then the route (resource tree of the template), then the
 * method's authorization (`AWS_IAM`: SigV4 verified with local/sigv4.ts, then
 * `execute-api:Invoke` checked against the editor's policies from the template), then
 * the integration: a mock answers from its integration responses; a Lambda proxy
 * integration checks the function's invoke permission, builds the proxy event
 * (local/event.ts, with the stage and the caller's IAM identity as API Gateway reports
 * them) and invokes the function's instance pool. Every error the gateway makes itself
 * goes through the template's gateway responses.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  buildProxyEvent,
  type MappedResponse,
  mapProxyResult,
  sourceIpOf,
  writeResponse,
} from '../local/event.ts';
import { type EditorCredential, type VerificationFailure, verifySigV4 } from '../local/sigv4.ts';
import {
  type ApiMethod,
  type ApiModel,
  DEFAULT_STATUS,
  executeApiArn,
  type HeaderSource,
  type IntegrationResponse,
  invokePermitted,
  type MappedTemplates,
  matchRoute,
} from './api.ts';
import type { Denial } from './dynamodb-proxy.ts';
import { evaluate, type Statement } from './iam.ts';
import type { FunctionPool, InvokeOutcome } from './lambda.ts';
import { REGION } from './template.ts';

/** API Gateway's payload limit (REST APIs). */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** A function invocation that failed (crash, timeout, error thrown, malformed proxy result). */
export interface FunctionError {
  readonly function: string;
  readonly errorType: string;
  readonly errorMessage: string;
}

export interface GatewayOptions {
  readonly api: ApiModel;
  /** Function pools by function ARN. */
  readonly functions: ReadonlyMap<string, FunctionPool>;
  /** The editor's credential (an IAM user) and its identity-based policy statements. */
  readonly editor: EditorCredential;
  readonly editorStatements: readonly Statement[];
  readonly port: number;
  readonly log: (line: string) => void;
  readonly onDenial: (denial: Denial) => void;
  readonly onFunctionError: (error: FunctionError) => void;
}

export interface Gateway {
  /** `http://127.0.0.1:<port>/<stage>`: the base URL, as the stack's `ApiUrl` output. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface Request {
  readonly req: IncomingMessage;
  readonly method: string;
  /** Full path as received (stage included), percent-escapes intact. */
  readonly rawPath: string;
  /** Path inside the stage. */
  readonly path: string;
  readonly rawQuery: string;
  readonly requestId: string;
  readonly pathParameters: Record<string, string> | null;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** The template text for a request's Accept header (API Gateway falls back to application/json). */
function pickTemplate(templates: MappedTemplates, accept: string | undefined): string | undefined {
  const wanted = (accept ?? '').split(',').map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '');
  for (const type of wanted) {
    const found = templates.byContentType.get(type);
    if (found !== undefined) return found;
  }
  return templates.byContentType.get('application/json') ?? templates.byContentType.values().next().value;
}

function headerValue(source: HeaderSource, request: Request): string | undefined {
  if (source.kind === 'literal') return source.value;
  if (source.location === 'header') return header(request.req, source.name.toLowerCase());
  if (source.location === 'path') return request.pathParameters?.[source.name];
  return new URLSearchParams(request.rawQuery).get(source.name) ?? undefined;
}

function mapped(status: number, headers: Map<string, string[]>, body: string): MappedResponse {
  return { statusCode: status, headers, body: Buffer.from(body, 'utf8') };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const PROXY_RESULT_KEYS = new Set([
  'statusCode',
  'headers',
  'multiValueHeaders',
  'body',
  'isBase64Encoded',
  'cookies',
]);

/** A Lambda proxy result as API Gateway accepts it, or undefined when it would call it malformed. */
function proxyResult(payload: string): APIGatewayProxyResult | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const result = parsed as Record<string, unknown>;
  if (Object.keys(result).some((key) => !PROXY_RESULT_KEYS.has(key))) return undefined;
  const status = Number(result.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return undefined;
  const headers = result.headers;
  if (headers !== undefined && headers !== null && (typeof headers !== 'object' || Array.isArray(headers)))
    return undefined;
  return {
    ...(result as unknown as APIGatewayProxyResult),
    statusCode: status,
    body: (result.body as string | null) ?? '',
  };
}

const SIGNATURE_RESPONSE: Readonly<Record<VerificationFailure, string>> = {
  'missing-authentication': 'MISSING_AUTHENTICATION_TOKEN',
  'malformed-authorization': 'INCOMPLETE_SIGNATURE',
  'unknown-access-key': 'INVALID_SIGNATURE',
  'security-token': 'INVALID_SIGNATURE',
  'bad-date': 'INCOMPLETE_SIGNATURE',
  expired: 'INVALID_SIGNATURE',
  'bad-scope': 'INVALID_SIGNATURE',
  'host-not-signed': 'INCOMPLETE_SIGNATURE',
  'content-hash-mismatch': 'INVALID_SIGNATURE',
  'signature-mismatch': 'INVALID_SIGNATURE',
};

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { api } = options;
  const stagePrefix = `/${api.stageName}`;

  const send = (
    request: Pick<Request, 'req' | 'method' | 'requestId'>,
    res: ServerResponse,
    response: MappedResponse,
    note = '',
    started = performance.now(),
  ) => {
    writeResponse(res, response, {
      'x-amzn-RequestId': request.requestId,
      'x-amz-apigw-id': randomBytes(6).toString('base64url'),
    });
    options.log(
      `${request.method} ${request.req.url ?? '/'} -> ${response.statusCode} ${Math.round(performance.now() - started)}ms${note}`,
    );
  };

  /** A response API Gateway makes itself, through the template's gateway responses. */
  const gatewayResponse = (request: Request, type: string, message: string): MappedResponse => {
    const own = api.gatewayResponses.get(type);
    const defaultStatus = DEFAULT_STATUS[type] ?? 500;
    const fallback = api.gatewayResponses.get(defaultStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
    const chosen = own ?? fallback;
    const status = own?.statusCode ?? defaultStatus;
    const headers = new Map<string, string[]>([['Content-Type', ['application/json']]]);
    for (const [name, source] of chosen?.headers ?? []) {
      const value = headerValue(source, request);
      if (value !== undefined) headers.set(name, [value]);
    }
    const body =
      (chosen && pickTemplate(chosen.templates, header(request.req, 'accept'))) ??
      JSON.stringify({ message });
    headers.set('x-amzn-ErrorType', [
      type === 'MISSING_AUTHENTICATION_TOKEN' ? 'MissingAuthenticationTokenException' : type,
    ]);
    return mapped(status, headers, body);
  };

  const mockResponse = (request: Request, method: ApiMethod, body: Buffer): MappedResponse => {
    if (method.integration.kind !== 'mock') throw new Error('not a mock integration');
    const { requestTemplates, passthrough, responses } = method.integration;
    const contentType =
      (header(request.req, 'content-type') ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
    let input = requestTemplates.byContentType.get(contentType);
    if (input === undefined && requestTemplates.byContentType.size === 0) input = body.toString('utf8');
    if (input === undefined) {
      if (passthrough === 'WHEN_NO_MATCH') input = body.toString('utf8');
      else return gatewayResponse(request, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type');
    }
    // The mock integration answers with the statusCode its request template produces.
    const status = /"?statusCode"?\s*:\s*(\d{3})/.exec(input)?.[1] ?? '200';
    const selected: IntegrationResponse | undefined =
      responses.find(
        (response) =>
          response.selectionPattern !== undefined &&
          response.selectionPattern !== '' &&
          new RegExp(`^${response.selectionPattern}$`).test(status),
      ) ??
      responses.find(
        (response) => response.selectionPattern === undefined || response.selectionPattern === '',
      );
    if (selected === undefined)
      return gatewayResponse(request, 'API_CONFIGURATION_ERROR', 'Internal server error');
    const headers = new Map<string, string[]>([['Content-Type', ['application/json']]]);
    for (const [name, source] of selected.headers) {
      const value = headerValue(source, request);
      if (value !== undefined) headers.set(name, [value]);
    }
    return mapped(
      selected.statusCode,
      headers,
      pickTemplate(selected.templates, header(request.req, 'accept')) ?? '',
    );
  };

  const proxyEvent = (
    request: Request,
    resourcePath: string,
    resourceId: string,
    body: Buffer,
    identity?: { accessKeyId: string; userName: string; userArn: string },
  ): APIGatewayProxyEvent => {
    const port = request.req.socket.localPort ?? 0;
    const traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const base = buildProxyEvent({
      method: request.method,
      path: request.path,
      rawQuery: request.rawQuery,
      rawHeaders: [
        ...request.req.rawHeaders,
        'X-Forwarded-For',
        sourceIpOf(request.req),
        'X-Forwarded-Port',
        String(port),
        'X-Forwarded-Proto',
        'http',
        'X-Amzn-Trace-Id',
        traceId,
      ],
      body,
      resource: resourcePath,
      pathParameters: request.pathParameters,
      sourceIp: sourceIpOf(request.req),
      requestId: request.requestId,
      ...(identity === undefined ? {} : { identity }),
    });
    // Without binary media types API Gateway passes every body as text.
    return {
      ...base,
      body: body.length === 0 ? null : body.toString('utf8'),
      isBase64Encoded: false,
      stageVariables: api.stageVariables === null ? null : { ...api.stageVariables },
      requestContext: {
        ...base.requestContext,
        apiId: api.restApiId,
        domainPrefix: api.restApiId,
        resourceId,
        stage: api.stageName,
        path: request.rawPath,
      },
    };
  };

  const invoke = async (
    request: Request,
    functionArn: string,
    event: APIGatewayProxyEvent,
    timeoutMs: number,
  ): Promise<MappedResponse> => {
    const pool = options.functions.get(functionArn);
    if (pool === undefined)
      return gatewayResponse(request, 'API_CONFIGURATION_ERROR', 'Internal server error');
    const sourceArn = executeApiArn(api, request.method, request.path);
    if (!invokePermitted(api, functionArn, sourceArn)) {
      options.onDenial({
        function: `apigateway.amazonaws.com -> ${pool.spec.name}`,
        logicalId: pool.spec.logicalId,
        action: 'lambda:InvokeFunction',
        resource: functionArn,
        operation: `${request.method} ${event.resource} (source ${sourceArn})`,
      });
      return gatewayResponse(request, 'API_CONFIGURATION_ERROR', 'Internal server error');
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome: InvokeOutcome | 'timeout' = await Promise.race([
      pool.invoke(JSON.stringify(event), event.headers['X-Amzn-Trace-Id'] ?? ''),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      return gatewayResponse(request, 'INTEGRATION_TIMEOUT', 'Endpoint request timed out');
    if (!outcome.ok) {
      options.onFunctionError({
        function: pool.spec.name,
        errorType: outcome.errorType,
        errorMessage: outcome.errorMessage,
      });
      return {
        ...gatewayResponse(request, 'DEFAULT_5XX', 'Internal server error'),
        statusCode: api.gatewayResponses.get('DEFAULT_5XX')?.statusCode ?? 502,
      };
    }
    const result = proxyResult(outcome.payload);
    if (result === undefined) {
      options.onFunctionError({
        function: pool.spec.name,
        errorType: 'MalformedProxyResponse',
        errorMessage: outcome.payload.slice(0, 300),
      });
      return {
        ...gatewayResponse(request, 'DEFAULT_5XX', 'Internal server error'),
        statusCode: api.gatewayResponses.get('DEFAULT_5XX')?.statusCode ?? 502,
      };
    }
    return mapProxyResult(result);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawPath = q === -1 ? target : target.slice(0, q);
    const rawQuery = q === -1 ? '' : target.slice(q + 1);
    const requestId = randomUUID();
    const bare = { req, method, requestId };
    if (rawPath !== stagePrefix && !rawPath.startsWith(`${stagePrefix}/`)) {
      // No such stage: API Gateway answers before any of the API's settings apply.
      send(
        bare,
        res,
        mapped(403, new Map([['Content-Type', ['application/json']]]), '{"message":"Forbidden"}'),
        '',
        started,
      );
      return;
    }
    const path = rawPath.slice(stagePrefix.length) || '/';
    const match = matchRoute(api.root, path === '/' ? [] : path.split('/').slice(1));
    const request: Request = {
      req,
      method,
      rawPath,
      path,
      rawQuery,
      requestId,
      pathParameters: match?.pathParameters ?? null,
    };
    const apiMethod = match?.resource.methods.get(method) ?? match?.resource.methods.get('ANY');
    if (match === undefined || apiMethod === undefined) {
      send(
        request,
        res,
        gatewayResponse(request, 'MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token'),
        '',
        started,
      );
      return;
    }
    const body = await readBody(req, MAX_PAYLOAD_BYTES);
    if (body === undefined) {
      send(request, res, gatewayResponse(request, 'REQUEST_TOO_LARGE', 'Request Too Long'), '', started);
      return;
    }

    let identity: { accessKeyId: string; userName: string; userArn: string } | undefined;
    if (apiMethod.authorization === 'AWS_IAM') {
      const verdict = await verifySigV4(
        { method, path: rawPath, rawQuery, headers: req.headers, body },
        { credentials: new Map([[options.editor.accessKeyId, options.editor]]), region: REGION },
      );
      if (!verdict.ok) {
        const type = SIGNATURE_RESPONSE[verdict.reason];
        send(request, res, gatewayResponse(request, type, verdict.message), ` (${verdict.reason})`, started);
        return;
      }
      const arn = executeApiArn(api, method, path);
      if (!evaluate(options.editorStatements, 'execute-api:Invoke', arn).allowed) {
        options.onDenial({
          function: `editor ${verdict.identity.userArn}`,
          logicalId: apiMethod.logicalId,
          action: 'execute-api:Invoke',
          resource: arn,
          operation: `${method} ${path}`,
        });
        send(
          request,
          res,
          gatewayResponse(
            request,
            'ACCESS_DENIED',
            `User: ${verdict.identity.userArn} is not authorized to perform: execute-api:Invoke on resource: ${arn}`,
          ),
          ' (access denied)',
          started,
        );
        return;
      }
      identity = verdict.identity;
    }

    const integration = apiMethod.integration;
    if (integration.kind === 'mock') {
      send(request, res, mockResponse(request, apiMethod, body), '', started);
      return;
    }
    const event = proxyEvent(request, match.resource.path, match.resource.id, body, identity);
    send(
      request,
      res,
      await invoke(request, integration.functionArn, event, Math.min(integration.timeoutMs, 29_000)),
      '',
      started,
    );
  };

  const server: Server = createServer({ requestTimeout: 60_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log(
        `${req.method} ${req.url} -> gateway error ${error instanceof Error ? error.stack : String(error)}`,
      );
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end('{"message":"Internal server error"}');
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${stagePrefix}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
