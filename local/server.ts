/**
 * The local Newsdesk API: a node:http server on 127.0.0.1 that does what API Gateway
 * does in front of the Lambda functions (routing, CORS preflights, SigV4 on /editor/...,
 * the 256 KiB body limit, its own problem+json responses) and invokes the very handler
 * modules Lambda runs, on Amazon DynamoDB Local (or $DYNAMODB_ENDPOINT).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../functions/core/contract.ts';
import { PREVIEW_KEY_SECRET_ENV } from '../functions/core/preview-env.ts';
import { defaultArticleStore } from '../functions/core/read-deps.ts';
import { ROUTES, type RouteDefinition } from '../functions/core/routes.ts';
import {
  type SiteSettings,
  SiteSettingsError,
  siteSettingsEnv,
  siteSettingsFromLocalEnv,
} from '../functions/core/site.ts';
import {
  dynamodbDir,
  EDITOR_USER_NAME,
  ensureDataDir,
  REPO_ROOT,
  type ResolvedCredential,
  resolveCursorSecret,
  resolveDataDir,
  resolveEditorCredential,
  resolvePreviewKey,
  SEED_USER_NAME,
  seedMarkerFile,
} from './data-dir.ts';
import {
  type DynamoDbLocal,
  ensureTable,
  hasOldLayout,
  startDynamoDbLocal,
  waitForDynamoDb,
} from './dynamodb-local.ts';
import {
  buildProxyEvent,
  lambdaContext,
  type MappedResponse,
  mapProxyResult,
  sourceIpOf,
  writeResponse,
} from './event.ts';
import { type LocalEvents, parseWebhookUrls, startLocalEvents, WebhookConfigError } from './events/index.ts';
import type { LocalEventPublisher } from './events/publisher.ts';
import {
  BAD_GATEWAY,
  buildResources,
  type CorsSettings,
  corsFromEnv,
  forbidden,
  gatewayProblem,
  matchResource,
  methodNotAllowed,
  NOT_FOUND,
  PAYLOAD_TOO_LARGE,
  type Problem,
  preflight,
  STARTING,
} from './gateway.ts';
import { openApiResponse } from './openapi-route.ts';
import { type ReaderServer, ReaderServerError, readerPortFor, startReaderServer } from './reader-server.ts';
import { fixedSecrets, localSecretArn, type SecretsStandIn, startSecretsStandIn } from './secrets.ts';
import { parseSeedArticle } from './seed.ts';
import { type EditorCredential, userArn, verifySigV4 } from './sigv4.ts';

export const DEFAULT_PORT = 3000;
export const HOST = '127.0.0.1';
export const DEFAULT_TABLE_NAME = 'newsdesk';
/** The functions' timeout in the stack; a handler taking longer answers 502 as Lambda's timeout would. */
export const HANDLER_TIMEOUT_MS = 10_000;

export interface LocalServerOptions {
  /** TCP port on 127.0.0.1; default $PORT or 3000; 0 picks a free one. */
  readonly port?: number;
  /** Data directory; default $NEWSDESK_DATA_DIR or `.newsdesk/` in the working copy. */
  readonly dataDir?: string;
  /** An existing DynamoDB endpoint; default $DYNAMODB_ENDPOINT; when unset DynamoDB Local is started. */
  readonly dynamodbEndpoint?: string;
  /** Table name (created if absent); default $NEWSDESK_TABLE_NAME or 'newsdesk'. */
  readonly tableName?: string;
  /** Editor credential; default from the environment or the data dir (see data-dir.ts). */
  readonly editor?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Publish the sample article on first start (default true). */
  readonly seed?: boolean;
  /** The sample article; default `fixtures/seed-article.md`. */
  readonly seedFile?: string;
  /** One line per request (method, path, status, time, and why a signature was refused). */
  readonly log?: (line: string) => void;
  /** Receivers of the events (absolute http(s) URLs); default from NEWSDESK_WEBHOOKS (comma-separated). */
  readonly webhooks?: readonly string[];
  /** Port of the reader page; default $READER_PORT or the API's port + 1 (0 when the API's is 0); false: none. */
  readonly readerPort?: number | false;
  /**
   * Site settings of feeds and sitemaps; default from NEWSDESK_SITE_NAME, NEWSDESK_SITE_URL
   * (default: the reader page), NEWSDESK_ARTICLE_URL, NEWSDESK_SITE_LANGUAGE, NEWSDESK_PREVIEW_URL.
   */
  readonly site?: SiteSettings;
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly tableName: string;
  readonly region: string;
  readonly dynamodb: {
    readonly endpoint: string;
    readonly pid: number | undefined;
    readonly dir: string | undefined;
  };
  readonly editor: ResolvedCredential;
  /** What happened to the sample article on this start. */
  readonly seed: SeedOutcome;
  /** The reader page (another origin, reading this API), when started. */
  readonly readerUrl: string | undefined;
  /** The site settings the feeds and sitemaps use. */
  readonly site: SiteSettings;
  /** Where events go (local/events/): the webhook receivers, and the go-lives rebuilt at start. */
  readonly events: { readonly webhooks: readonly string[]; readonly rebuiltGoLives: number };
  /** Closes the HTTP server and stops DynamoDB Local if this server started it. Idempotent. */
  close(): Promise<void>;
}

export type SeedOutcome =
  | { readonly state: 'published'; readonly slug: string }
  | { readonly state: 'already-seeded' }
  | { readonly state: 'skipped' }
  | { readonly state: 'failed'; readonly detail: string };

export class LocalServerError extends Error {
  override name = 'LocalServerError';
}

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

function isHandler(value: unknown): value is Handler {
  return typeof value === 'function';
}

/** The environment handlers would use, and the configuration they were loaded with. */
let loadedWith: string | undefined;
/** The site settings the handlers of this process were loaded with. */
let siteLoaded: SiteSettings | undefined;
const handlerCache = new Map<string, Handler>();

/** The name the preview functions know the signing key's secret by, locally. */
export const LOCAL_PREVIEW_KEY_SECRET = 'newsdesk-preview-key';
/**
 * The Secrets Manager stand-in of this process, serving the preview signing key. One per
 * process, like the handlers (whose SDK client keeps its endpoint once made): started with
 * the first server, never holding the process open (unref), and serving the key of the
 * data dir the handlers were loaded with.
 */
let secretsStandIn: Promise<SecretsStandIn> | undefined;
function localSecretsManager(previewKey: string, region: string): Promise<SecretsStandIn> {
  secretsStandIn ??= startSecretsStandIn({
    answer: fixedSecrets([
      {
        name: LOCAL_PREVIEW_KEY_SECRET,
        arn: localSecretArn(LOCAL_PREVIEW_KEY_SECRET, region),
        value: previewKey,
      },
    ]),
  }).then((standIn) => {
    standIn.unref();
    return standIn;
  });
  return secretsStandIn;
}

async function loadHandlers(
  routes: readonly RouteDefinition[],
  signature: string,
): Promise<Map<string, Handler>> {
  if (loadedWith !== undefined && loadedWith !== signature) {
    // Handlers read their configuration once per process (at cold start), like Lambda.
    throw new LocalServerError(
      'Handler modules are already loaded in this process with another table, endpoint or cursor secret; run one local server configuration per process.',
    );
  }
  for (const route of routes) {
    if (handlerCache.has(route.id)) continue;
    const file = join(REPO_ROOT, route.entry);
    if (!existsSync(file))
      throw new LocalServerError(`handler module ${route.entry} (route ${route.id}) is missing`);
    const module: Record<string, unknown> = await import(pathToFileURL(file).href);
    const handler = module.handler;
    if (!isHandler(handler)) throw new LocalServerError(`${route.entry} does not export a handler function`);
    handlerCache.set(route.id, handler);
  }
  loadedWith = signature;
  return handlerCache;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new LocalServerError(
            `Port ${port} on ${HOST} is already in use: stop the program using it, or set PORT to another port (PORT=0 picks a free one).`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new LocalServerError(
            `Not allowed to listen on port ${port} on ${HOST}; set PORT to a port above 1023.`,
          ),
        );
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: HOST, exclusive: true });
  });
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    throw new LocalServerError(`PORT must be a number from 0 to 65535, not "${value}"`);
  }
  return Number(value);
}

/** Splits a request target into the raw path and the raw query (escapes intact). */
export function splitTarget(target: string): { path: string; rawQuery: string } {
  let rest = target;
  // absolute-form (proxies): drop scheme and authority
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(rest);
  if (absolute !== null) rest = rest.slice(absolute[0].length) || '/';
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q === -1 ? { path: rest, rawQuery: '' } : { path: rest.slice(0, q), rawQuery: rest.slice(q + 1) };
}

type BodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false };

/** Reads the body, stopping (and discarding the rest) once it passes `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, body: Buffer.concat(chunks) });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** After an early answer: discard what the client still sends (bounded), then close. */
function discardRest(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  let discarded = 0;
  const timer = setTimeout(() => req.socket.destroy(), 5_000);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > 16 * 1024 * 1024) req.socket.destroy();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('error', () => clearTimeout(timer));
  res.on('close', () => clearTimeout(timer));
  req.resume();
}

/**
 * The request's headers as API Gateway hands them to a function: the client's, with
 * `X-Forwarded-Proto` and `X-Forwarded-Port` set by the gateway (replacing any the client
 * sent), which is how a handler learns the API's own base URL (functions/core/base-url.ts).
 */
function forwardedHeaders(req: IncomingMessage): string[] {
  const headers: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    if (/^x-forwarded-(proto|port)$/i.test(name)) continue;
    headers.push(name, req.rawHeaders[i + 1] ?? '');
  }
  headers.push('X-Forwarded-Port', String(req.socket.localPort ?? ''), 'X-Forwarded-Proto', 'http');
  return headers;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`handler timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

interface RequestContextDeps {
  readonly cors: CorsSettings;
  readonly credentials: ReadonlyMap<string, EditorCredential>;
  readonly region: string;
  readonly handlers: () => ReadonlyMap<string, Handler> | undefined;
  /** The event publisher, once the event pipeline runs (serves LOCAL_EVENTS_PATH). */
  readonly events?: () => LocalEventPublisher | undefined;
  readonly log: (line: string) => void;
}

/** A request without Content-Length or Transfer-Encoding (or with Content-Length 0) has no body. */
function hasNoBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0);
}

const EMPTY_BODY: BodyResult = { ok: true, body: Buffer.alloc(0) };

/**
 * One request and its answer: the response written with the request id, then the log
 * line. Methods rather than per-request closures: the listener runs for every request.
 */
class Exchange {
  readonly started = performance.now();
  readonly requestId = randomUUID();
  /** Appended to the log line (why a signature was refused, why a handler failed). */
  note = '';

  constructor(
    readonly deps: RequestContextDeps,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly method: string,
    readonly origin: string | undefined,
  ) {}

  send(response: MappedResponse): void {
    writeResponse(this.res, response, { 'x-amzn-RequestId': this.requestId });
    this.deps.log(
      `${this.method} ${this.req.url ?? '/'} -> ${response.statusCode} ${Math.round(performance.now() - this.started)}ms${this.note}`,
    );
  }

  problem(p: Problem, auth: 'public' | 'editor' | 'any', headers?: Record<string, string>): void {
    this.send(
      gatewayProblem(p, {
        cors: this.deps.cors,
        auth,
        requestOrigin: this.origin,
        ...(headers ? { headers } : {}),
      }),
    );
  }
}

function createRequestListener(deps: RequestContextDeps) {
  const resources = buildResources(ROUTES);
  // Per route, once: the function name its Lambda context carries.
  const functionNames = new Map(ROUTES.map((route) => [route.id, `newsdesk-${route.id}`]));
  return async (req: IncomingMessage, res: ServerResponse, expectContinue = false): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const { path, rawQuery } = splitTarget(req.url ?? '/');
    const origin = header(req, 'origin');
    const exchange = new Exchange(deps, req, res, method, origin);

    try {
      const openApi = openApiResponse(method, path, deps.cors, origin);
      if (openApi !== undefined) {
        exchange.send(openApi);
        discardRest(req, res);
        return;
      }
      const handlers = deps.handlers();
      if (handlers === undefined) {
        exchange.problem(STARTING, 'any', { 'Retry-After': '1' });
        discardRest(req, res);
        return;
      }
      const publisher = deps.events?.();
      if (path === LOCAL_EVENTS_PATH && publisher !== undefined) {
        await serveLocalEvents(exchange, publisher, { method, path, rawQuery });
        return;
      }
      const match = matchResource(resources, path);
      if (match === undefined) {
        exchange.problem(NOT_FOUND, 'any');
        discardRest(req, res);
        return;
      }
      const { resource } = match;
      if (method === 'OPTIONS') {
        exchange.send(preflight(resource, deps.cors, origin));
        discardRest(req, res);
        return;
      }
      const route = resource.routes.find((candidate) => candidate.method === method);
      if (route === undefined) {
        const { problem: p, allow } = methodNotAllowed(resource);
        exchange.problem(p, 'any', { Allow: allow });
        discardRest(req, res);
        return;
      }
      if (route.auth === 'editor' && (header(req, 'authorization') ?? '').trim() === '') {
        // Unsigned: refused before the body is read, as the gateway refuses it before the function.
        exchange.note = ' (missing-authentication)';
        exchange.problem(forbidden(true, false), route.auth);
        discardRest(req, res);
        return;
      }
      if (expectContinue) {
        const declared = Number(req.headers['content-length']);
        if (!(Number.isFinite(declared) && declared > MAX_BODY_BYTES)) res.writeContinue();
      }
      // A request without a body (most GETs) need not wait for its stream's end; node:http
      // discards what is left of an unread request once the response is done.
      const read = hasNoBody(req) ? EMPTY_BODY : await readBody(req, MAX_BODY_BYTES);
      if (!read.ok) {
        res.setHeader('Connection', 'close');
        exchange.problem(PAYLOAD_TOO_LARGE, route.auth);
        discardRest(req, res);
        return;
      }

      let identity: { accessKeyId: string; userName: string; userArn: string } | undefined;
      if (route.auth === 'editor') {
        const verdict = await verifySigV4(
          { method, path, rawQuery, headers: req.headers, body: read.body },
          { credentials: deps.credentials, region: deps.region },
        );
        if (!verdict.ok) {
          exchange.note = ` (${verdict.reason}: ${verdict.message})`;
          exchange.problem(
            forbidden(verdict.reason === 'missing-authentication', verdict.reason === 'expired'),
            route.auth,
          );
          return;
        }
        identity = verdict.identity;
      }

      const handler = handlers.get(route.id);
      if (handler === undefined) throw new Error(`no handler for ${route.id}`);
      const event = buildProxyEvent({
        method,
        path,
        rawQuery,
        rawHeaders: forwardedHeaders(req),
        body: read.body,
        resource: resource.resource,
        pathParameters: match.pathParameters,
        sourceIp: sourceIpOf(req),
        requestId: exchange.requestId,
        ...(identity === undefined ? {} : { identity }),
      });
      let result: APIGatewayProxyResult;
      try {
        result = await withTimeout(
          handler(
            event,
            lambdaContext(functionNames.get(route.id) ?? `newsdesk-${route.id}`, randomUUID(), deps.region),
          ),
          HANDLER_TIMEOUT_MS,
        );
      } catch (error) {
        exchange.note = ` (handler failed: ${error instanceof Error ? error.message : String(error)})`;
        exchange.problem(BAD_GATEWAY, route.auth);
        return;
      }
      if (
        result === null ||
        typeof result !== 'object' ||
        typeof result.statusCode !== 'number' ||
        (result.body !== undefined && typeof result.body !== 'string')
      ) {
        exchange.note = ' (handler returned a malformed proxy result)';
        exchange.problem(BAD_GATEWAY, route.auth);
        return;
      }
      exchange.send(mapProxyResult(result));
    } catch (error) {
      exchange.note = ` (${error instanceof Error ? error.message : String(error)})`;
      if (!res.headersSent) exchange.problem(BAD_GATEWAY, 'any');
      else res.destroy();
    }
  };
}

/**
 * Local only (not part of the deployed API, not in the OpenAPI document): the events the
 * server announced, for `newsdesk events --follow`. Signed like the editor routes.
 * `GET /editor/_local/events?after=<event id>&wait=<seconds>` answers
 * `{ events: [EventBridge event…], last: <id of the newest> | null }` with the buffered
 * events after `after` (all buffered, the last 1 000, when absent or no longer buffered);
 * with `wait` (1–20) it holds the answer until an event arrives or the time is up.
 */
export const LOCAL_EVENTS_PATH = '/editor/_local/events';
const MAX_EVENTS_WAIT_S = 20;

async function serveLocalEvents(
  exchange: Exchange,
  publisher: LocalEventPublisher,
  request: { method: string; path: string; rawQuery: string },
): Promise<void> {
  const { req, res, deps } = exchange;
  const json = (statusCode: number, value: unknown): MappedResponse => ({
    statusCode,
    headers: new Map([
      ['Content-Type', ['application/json']],
      ['Cache-Control', ['no-store']],
    ]),
    body: Buffer.from(JSON.stringify(value), 'utf8'),
  });
  if (request.method !== 'GET') {
    exchange.send({ ...json(405, { message: 'GET only' }), headers: new Map([['Allow', ['GET']]]) });
    discardRest(req, res);
    return;
  }
  const verdict = await verifySigV4(
    { ...request, headers: req.headers, body: Buffer.alloc(0) },
    { credentials: deps.credentials, region: deps.region },
  );
  if (!verdict.ok) {
    exchange.note = ` (${verdict.reason}: ${verdict.message})`;
    exchange.problem(
      forbidden(verdict.reason === 'missing-authentication', verdict.reason === 'expired'),
      'editor',
    );
    return;
  }
  const query = new URLSearchParams(request.rawQuery);
  const after = query.get('after') || undefined;
  const wait = Number(query.get('wait') ?? '0');
  if (!Number.isFinite(wait) || wait < 0 || wait > MAX_EVENTS_WAIT_S) {
    exchange.send(json(400, { message: `wait must be a number of seconds from 0 to ${MAX_EVENTS_WAIT_S}` }));
    return;
  }
  // A follower that goes away (or a server closing its connections) ends the wait.
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  const page = await publisher.wait(after, wait * 1000, gone.signal);
  if (!res.destroyed) exchange.send(json(200, page));
}

/** The site settings from NEWSDESK_* (see site.ts); a bad one fails the start, naming the variable. */
function localSiteSettings(readerUrl: string): SiteSettings {
  try {
    return siteSettingsFromLocalEnv(process.env, readerUrl);
  } catch (error) {
    if (error instanceof SiteSettingsError) throw new LocalServerError(error.message);
    throw error;
  }
}

async function seedSampleArticle(dataDir: string, seedFile: string, create: Handler): Promise<SeedOutcome> {
  const marker = seedMarkerFile(dataDir);
  if (existsSync(marker)) return { state: 'already-seeded' };
  const article = parseSeedArticle(readFileSync(seedFile, 'utf8'));
  const body = Buffer.from(JSON.stringify(article), 'utf8');
  const identity = { accessKeyId: 'local-seed', userName: SEED_USER_NAME, userArn: userArn(SEED_USER_NAME) };
  const event = buildProxyEvent({
    method: 'POST',
    path: '/editor/articles',
    rawQuery: '',
    rawHeaders: ['Host', HOST, 'Content-Type', 'application/json', 'Content-Length', String(body.length)],
    body,
    resource: '/editor/articles',
    pathParameters: null,
    sourceIp: HOST,
    identity,
  });
  const result = await create(event, lambdaContext('newsdesk-seed', randomUUID()));
  if (result.statusCode === 201 || result.statusCode === 409) {
    const slug = typeof article.slug === 'string' ? article.slug : undefined;
    writeFileSync(
      marker,
      `${JSON.stringify({ seededAt: new Date().toISOString(), slug, status: result.statusCode })}\n`,
    );
    return result.statusCode === 201 ? { state: 'published', slug: slug ?? '' } : { state: 'already-seeded' };
  }
  return { state: 'failed', detail: `create answered ${result.statusCode}: ${result.body.slice(0, 300)}` };
}

/**
 * Starts the local API: listens on 127.0.0.1 (port first, so a taken port fails before
 * anything else starts), starts DynamoDB Local unless an endpoint is given, creates the
 * table, loads the handler modules with their environment set, publishes the sample
 * article on first start. Everything started is stopped again if a later step fails.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const port = options.port ?? parsePort(process.env.PORT);
  const dataDir = resolveDataDir(options.dataDir);
  const tableName = options.tableName ?? (process.env.NEWSDESK_TABLE_NAME || DEFAULT_TABLE_NAME);
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const log = options.log ?? (() => {});
  ensureDataDir(dataDir);

  const editor: ResolvedCredential =
    options.editor === undefined
      ? resolveEditorCredential(dataDir)
      : { ...options.editor, userName: EDITOR_USER_NAME, source: 'options', file: undefined };
  const cursorSecret = resolveCursorSecret(dataDir);
  const previewKey = resolvePreviewKey(dataDir);
  let webhooks: URL[];
  try {
    webhooks = parseWebhookUrls(options.webhooks?.join(',') ?? process.env.NEWSDESK_WEBHOOKS);
  } catch (error) {
    throw error instanceof WebhookConfigError ? new LocalServerError(error.message) : error;
  }

  let handlers: ReadonlyMap<string, Handler> | undefined;
  let events: LocalEvents | undefined;
  const listener = createRequestListener({
    cors: corsFromEnv(),
    credentials: new Map([[editor.accessKeyId, editor]]),
    region,
    handlers: () => handlers,
    events: () => events?.publisher,
    log,
  });
  const server = createServer({ requestTimeout: 60_000 }, (req, res) => {
    void listener(req, res);
  });
  server.on('checkContinue', (req, res) => {
    void listener(req, res, true);
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const actualPort = await listen(server, port);
  let ddb: DynamoDbLocal | undefined;
  let reader: ReaderServer | undefined;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  try {
    const readerPort = options.readerPort ?? readerPortFor(port, actualPort);
    if (readerPort !== false) {
      reader = await startReaderServer({ port: readerPort, apiUrl: `http://${HOST}:${actualPort}` }).catch(
        (error: unknown) => {
          throw error instanceof ReaderServerError ? new LocalServerError(error.message) : error;
        },
      );
    }
    // Site settings: checked before anything slow starts; the default site is the reader page.
    const site = options.site ?? localSiteSettings(reader?.url ?? `http://${HOST}:${actualPort + 1}`);
    const external = options.dynamodbEndpoint ?? process.env.DYNAMODB_ENDPOINT;
    let endpoint: string;
    if (external !== undefined && external !== '') {
      endpoint = external;
      await waitForDynamoDb(endpoint, 15_000);
      await ensureTable(endpoint, tableName);
    } else {
      ddb = await startDynamoDbLocal({ dbPath: dynamodbDir(dataDir), tableName });
      endpoint = ddb.endpoint;
    }
    if (await hasOldLayout(endpoint, tableName)) {
      throw new LocalServerError(
        `The table ${tableName} holds articles in the storage layout of Newsdesk 0.1, which this version does not read. ` +
          `Start with a new data dir (remove ${dataDir}, or set NEWSDESK_DATA_DIR to an empty folder)` +
          (external === undefined || external === ''
            ? '.'
            : ', or point DYNAMODB_ENDPOINT at an empty DynamoDB.'),
      );
    }

    // The handlers read their configuration once, at import (cold start).
    process.env.TABLE_NAME = tableName;
    process.env.CURSOR_SECRET = cursorSecret;
    process.env.DYNAMODB_ENDPOINT = endpoint;
    process.env.AWS_REGION = region;
    // DynamoDB Local accepts any key; real credentials, when present, are left alone.
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    // The server prints one line per request; the handlers' JSON logs only for warnings.
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    // The preview functions fetch their signing key from "Secrets Manager", as deployed:
    // here a stand-in on 127.0.0.1 serving the key kept in the data dir (mode 0600).
    const secrets = await localSecretsManager(previewKey, region);
    process.env[PREVIEW_KEY_SECRET_ENV] = LOCAL_PREVIEW_KEY_SECRET;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
    // What the stack gives the syndication functions (the others ignore it). Handlers read it
    // once per process, like Lambda: a later server in the same process (tests, tools) keeps
    // the settings of the first, and reports those.
    siteLoaded ??= site;
    process.env.SITE_SETTINGS = siteSettingsEnv(siteLoaded).SITE_SETTINGS;
    const loaded = await loadHandlers(
      ROUTES,
      JSON.stringify([tableName, endpoint, cursorSecret, previewKey]),
    );
    // Events: the table's stream → the same consumer Lambda runs → log, followers, webhooks;
    // go-live timers rebuilt from the table. Started before the sample article, which it announces.
    events = await startLocalEvents({
      endpoint,
      region,
      tableName,
      site: siteLoaded,
      store: defaultArticleStore(),
      webhooks,
      log,
    });

    let seed: SeedOutcome = { state: 'skipped' };
    if (options.seed !== false) {
      const create = loaded.get('CreateArticle');
      if (create === undefined)
        throw new LocalServerError('no CreateArticle route to publish the sample article');
      seed = await seedSampleArticle(
        dataDir,
        options.seedFile ?? join(REPO_ROOT, 'fixtures', 'seed-article.md'),
        create,
      );
    }
    handlers = loaded;

    let closing: Promise<void> | undefined;
    return {
      url: `http://${HOST}:${actualPort}`,
      port: actualPort,
      dataDir,
      tableName,
      region,
      dynamodb: { endpoint, pid: ddb?.pid, dir: ddb === undefined ? undefined : dynamodbDir(dataDir) },
      editor,
      seed,
      readerUrl: reader?.url,
      site: siteLoaded,
      events: { webhooks: webhooks.map((url) => url.href), rebuiltGoLives: events.rebuilt },
      close: () => {
        closing ??= (async () => {
          await reader?.close();
          await closeServer();
          await events?.close();
          await ddb?.stop();
        })();
        return closing;
      },
    };
  } catch (error) {
    await reader?.close();
    await closeServer();
    await events?.close();
    await ddb?.stop();
    throw error;
  }
}

/** The block `npm start` prints once the server is ready. */
export function readyMessage(server: LocalServer): string {
  const { editor, url, region } = server;
  const secretLine =
    editor.source === 'environment'
      ? 'SECRET="$NEWSDESK_EDITOR_SECRET_ACCESS_KEY"'
      : editor.file !== undefined
        ? `SECRET=$(node -p 'require(${JSON.stringify(editor.file)}).secretAccessKey')`
        : 'SECRET=<the secret you passed>';
  const secretWhere =
    editor.source === 'environment'
      ? 'from NEWSDESK_EDITOR_SECRET_ACCESS_KEY'
      : editor.file !== undefined
        ? `in ${editor.file} (mode 0600)`
        : 'given by the caller';
  const seedLine =
    server.seed.state === 'published'
      ? `published the sample article: ${url}/articles/${server.seed.slug}`
      : server.seed.state === 'already-seeded'
        ? 'sample article published on an earlier start'
        : server.seed.state === 'failed'
          ? `could not publish the sample article: ${server.seed.detail}`
          : 'not published (disabled)';
  const storage =
    server.dynamodb.pid === undefined
      ? `DynamoDB at ${server.dynamodb.endpoint}, table ${server.tableName}`
      : `DynamoDB Local (Java pid ${server.dynamodb.pid}) at ${server.dynamodb.endpoint}, table ${server.tableName}, files in ${server.dynamodb.dir}`;
  const lines = [
    `Newsdesk local API ready at ${url}`,
    `  data dir     ${server.dataDir}`,
    `  storage      ${storage}`,
    `  editor key   ${editor.accessKeyId}  (IAM user ${userArn(editor.userName)})`,
    `  secret       ${secretWhere}`,
    ...(editor.source === 'generated' ? [`               generated now: ${editor.secretAccessKey}`] : []),
    `  sample       ${seedLine}`,
    `  signing      SigV4, service execute-api, region ${region}; everything under /editor/ needs it`,
    `  contract     ${url}/openapi.json`,
    ...(server.readerUrl === undefined ? [] : [`  reader page  ${server.readerUrl}`]),
    `  site         ${server.site.name} at ${server.site.url} (language ${server.site.language})`,
    `  article URLs ${server.site.articleUrl}`,
    `  previews     ${server.site.previewUrl}  (links signed with the key in ${join(server.dataDir, 'preview-key')})`,
    `  feeds        ${url}/feed.xml  ${url}/feed.atom  ${url}/feed.json  (?tag= narrows)`,
    `  sitemaps     ${url}/sitemap.xml  ${url}/news-sitemap.xml`,
    `  events       ${
      server.events.webhooks.length === 0
        ? 'logged here; no webhooks (set NEWSDESK_WEBHOOKS)'
        : `logged here and POSTed to ${server.events.webhooks.join(', ')}`
    }`,
    `               follow: npx newsdesk events --follow  (local-only ${url}${LOCAL_EVENTS_PATH}, signed)`,
    ...(server.events.rebuiltGoLives > 0
      ? [`               ${server.events.rebuiltGoLives} scheduled go-live(s) re-armed from the table`]
      : []),
    '',
    'Publish an article:',
    `  KEY=${editor.accessKeyId}`,
    `  ${secretLine}`,
    `  curl --aws-sigv4 "aws:amz:${region}:execute-api" --user "$KEY:$SECRET" \\`,
    `    -H 'Content-Type: application/json' \\`,
    `    -d '{"title":"Hello, Newsdesk","body":"My *first* local article.","tags":["local"]}' \\`,
    `    ${url}/editor/articles`,
    `Read it:  curl ${url}/articles/hello-newsdesk`,
    'Stop with Ctrl-C.',
  ];
  return lines.join('\n');
}
