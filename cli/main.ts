/**
 * `newsdesk`: the editor CLI. `main(argv, io)` parses the command line, runs one
 * command and resolves with the exit code: 0 success, 1 something failed, 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { LIMITS, SLUG_PATTERN } from '../functions/core/article.ts';
import {
  type ApiResponse,
  type CredentialProvider,
  DEFAULT_RETRY,
  EditorClient,
  NetworkError,
  type RetryEvent,
} from './client.ts';
import { resolveEndpoint, resolveRegion } from './endpoint.ts';
import { CliError, explainNetworkError, explainResponse, UsageError } from './errors.ts';
import { deployedEventsHelp, followEvents, isLocalEndpoint } from './events.ts';
import { expandArticleFiles } from './files.ts';
import { HELP, helpFor } from './help.ts';
import { type ListOptions, listArticles, renderTable } from './list.ts';
import { publishFiles } from './publish.ts';
import { BarReporter, LineReporter, retryLine } from './report.ts';
import * as revisions from './revisions.ts';

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Builds the credential provider (tests inject one). */
  readonly credentials?: (profile: string | undefined) => CredentialProvider;
}

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL_OPTIONS = {
  endpoint: { type: 'string' },
  outputs: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'max-attempts': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

const COMMAND_OPTIONS = {
  publish: {
    'dry-run': { type: 'boolean', short: 'n' },
    status: { type: 'string' },
    concurrency: { type: 'string', short: 'c' },
  },
  get: { html: { type: 'boolean' } },
  list: {
    status: { type: 'string' },
    tag: { type: 'string' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
    cursor: { type: 'string' },
  },
  'take-down': { yes: { type: 'boolean', short: 'y' } },
  history: { json: { type: 'boolean' } },
  restore: { yes: { type: 'boolean', short: 'y' } },
  preview: { expires: { type: 'string' } },
  events: {
    follow: { type: 'boolean', short: 'f' },
    json: { type: 'boolean' },
  },
  help: {},
} as const satisfies Record<string, Options>;

type Command = keyof typeof COMMAND_OPTIONS;
const COMMANDS = Object.keys(COMMAND_OPTIONS) as Command[];

const isCommand = (value: string): value is Command => (COMMANDS as string[]).includes(value);

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

/** Every option any command knows, so a first pass can find the command word. */
const ALL_OPTIONS: Options = Object.assign(
  { version: { type: 'boolean', short: 'v' } },
  GLOBAL_OPTIONS,
  ...Object.values(COMMAND_OPTIONS),
);

function positiveInt(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max} (got "${value}")`);
  }
  return Number(value);
}

function checkSlug(slug: string | undefined, command: string): string {
  if (slug === undefined)
    throw new UsageError(`${command}: which article? Give its slug: newsdesk ${command} <slug>`);
  if (!SLUG_PATTERN.test(slug) || slug.length > LIMITS.slug) {
    throw new UsageError(
      `${command}: "${slug}" is not a slug (lower-case letters and digits separated by single hyphens, at most ${LIMITS.slug})`,
    );
  }
  return slug;
}

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

interface Globals {
  readonly endpoint?: string | undefined;
  readonly outputs?: string | undefined;
  readonly stack?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly 'max-attempts'?: string | undefined;
}

function makeClient(values: Globals, io: Io, onRetry?: (event: RetryEvent) => void): EditorClient {
  const endpoint = resolveEndpoint({
    endpoint: values.endpoint,
    outputs: values.outputs,
    stack: values.stack,
    env: io.env,
  });
  const region = resolveRegion({ region: values.region, env: io.env }, endpoint.url);
  const maxAttempts = positiveInt(values['max-attempts'], '--max-attempts', DEFAULT_RETRY.maxAttempts, 10);
  const credentials = (io.credentials ?? defaultCredentials)(values.profile);
  return new EditorClient({
    baseUrl: endpoint.url,
    region: region.region,
    credentials,
    retry: { ...DEFAULT_RETRY, maxAttempts },
    userAgent: `newsdesk-cli/${version()}`,
    ...(onRetry === undefined ? {} : { onRetry }),
  });
}

/** The standard AWS provider chain (loaded on first use: help and usage errors stay fast). */
function defaultCredentials(profile: string | undefined): CredentialProvider {
  let provider: CredentialProvider | undefined;
  return async () => {
    if (provider === undefined) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      provider = fromNodeProviderChain(profile === undefined ? {} : { profile });
    }
    try {
      return await provider();
    } catch (error) {
      if (profile === undefined) throw error;
      const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new CliError(
        `No usable credentials for profile "${profile}" (${detail}). Check that it exists in ~/.aws/config or ~/.aws/credentials; for SSO, run "aws sso login --profile ${profile}" first.`,
      );
    }
  };
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      write(io.stderr, `newsdesk: ${error.message}`);
      write(io.stderr, 'Run "newsdesk --help" (or "newsdesk <command> --help") for usage.');
      return 2;
    }
    if (error instanceof CliError) {
      write(io.stderr, `newsdesk: ${error.message}`);
      return 1;
    }
    if (error instanceof NetworkError) {
      write(io.stderr, `newsdesk: ${explainNetworkError(error.error, error.context)}`);
      return 1;
    }
    write(io.stderr, `newsdesk: unexpected error: ${error instanceof Error ? error.stack : String(error)}`);
    return 1;
  }
}

function parseError(error: unknown, command: string): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  return new UsageError(`${command}: ${message.split('\n')[0]}`);
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  // First pass: find the command word wherever it is (options may come before it).
  let first: ReturnType<
    typeof parseArgs<{ options: Options; strict: false; tokens: true; allowPositionals: true }>
  >;
  try {
    first = parseArgs({
      args: [...argv],
      options: ALL_OPTIONS,
      strict: false,
      tokens: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw parseError(error, 'newsdesk');
  }
  const commandToken = first.tokens.find((token) => token.kind === 'positional');
  if (commandToken === undefined || commandToken.kind !== 'positional') {
    if (first.values.version === true) {
      write(io.stdout, version());
      return 0;
    }
    if (first.values.help === true) {
      write(io.stdout, HELP);
      return 0;
    }
    write(io.stderr, HELP);
    return 2;
  }
  const name = commandToken.value;
  if (!isCommand(name)) {
    throw new UsageError(
      `unknown command "${name}"; commands: publish, get, list, take-down, history, restore, preview, events, help`,
    );
  }
  if (name === 'help') {
    const topic = first.positionals[1];
    if (topic === undefined) write(io.stdout, HELP);
    else if (isCommand(topic) && topic !== 'help') write(io.stdout, helpFor(topic));
    else throw new UsageError(`help: unknown command "${topic}"`);
    return 0;
  }

  const rest = [...argv.slice(0, commandToken.index), ...argv.slice(commandToken.index + 1)];
  const options = { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS[name] };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    throw parseError(error, name);
  }
  const values = parsed.values;
  if (values.help === true) {
    write(io.stdout, helpFor(name));
    return 0;
  }
  const globals = values as Globals;
  const str = (key: string): string | undefined => {
    const value = values[key];
    return typeof value === 'string' ? value : undefined;
  };

  switch (name) {
    case 'publish':
      return publishCommand(parsed.positionals, values, globals, io, str);
    case 'get':
      return getCommand(parsed.positionals, values.html === true, globals, io);
    case 'list':
      return listCommand(parsed.positionals, values, globals, io, str);
    case 'take-down':
      return takeDownCommand(parsed.positionals, values.yes === true, globals, io);
    case 'events':
      return eventsCommand(parsed.positionals, values, globals, io);
    case 'history':
    case 'restore':
    case 'preview':
      return revisionCommand(name, parsed.positionals, values, globals, io, str);
  }
}

async function publishCommand(
  positionals: string[],
  values: Record<string, string | boolean | undefined>,
  globals: Globals,
  io: Io,
  str: (key: string) => string | undefined,
): Promise<number> {
  if (positionals.length === 0) {
    throw new UsageError('publish: which files? newsdesk publish <file|dir|glob>...');
  }
  const status = str('status');
  if (status !== undefined && status !== 'draft' && status !== 'published') {
    throw new UsageError(`publish: --status must be "draft" or "published" (got "${status}")`);
  }
  const concurrency = positiveInt(str('concurrency'), '--concurrency', 4, 64);
  const files = expandArticleFiles(positionals);
  const tty = io.stdout.isTTY === true && io.stderr.isTTY === true && io.env.CI === undefined;
  const stdout = { write: (text: string) => io.stdout.write(text) };
  const stderr = { write: (text: string) => io.stderr.write(text) };
  const reporter = tty
    ? new BarReporter(stdout, io.stderr as NodeJS.WriteStream)
    : new LineReporter(stdout, stderr);
  const client = makeClient(globals, io, (event) => reporter.retry(event));
  try {
    const summary = await publishFiles({
      files,
      client,
      reporter,
      dryRun: values['dry-run'] === true,
      concurrency,
      ...(status === undefined ? {} : { status }),
    });
    return summary.failed > 0 ? 1 : 0;
  } finally {
    client.close();
  }
}

/** Writes why a request failed (problem+json details as they came) and returns exit code 1. */
function reportFailure(
  io: Io,
  client: EditorClient,
  request: string,
  slug: string,
  response: ApiResponse,
): number {
  write(
    io.stderr,
    explainResponse(response.status, response.json, client.context(request, slug), response.headers).join(
      '\n',
    ),
  );
  return 1;
}

async function getCommand(positionals: string[], html: boolean, globals: Globals, io: Io): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`get: one slug at a time (got ${positionals.length})`);
  const slug = checkSlug(positionals[0], 'get');
  const client = makeClient(globals, io, (event) => write(io.stderr, retryLine(event)));
  try {
    const path = `/editor/articles/${slug}`;
    const response = await client.send('GET', path, { slug });
    if (response.status !== 200) {
      return reportFailure(io, client, `GET ${path}`, slug, response);
    }
    if (html) {
      const bodyHtml = (response.json as { bodyHtml?: unknown } | undefined)?.bodyHtml;
      write(io.stdout, typeof bodyHtml === 'string' ? bodyHtml : '');
    } else {
      write(io.stdout, JSON.stringify(response.json, null, 2));
    }
    return 0;
  } finally {
    client.close();
  }
}

async function listCommand(
  positionals: string[],
  values: Record<string, string | boolean | undefined>,
  globals: Globals,
  io: Io,
  str: (key: string) => string | undefined,
): Promise<number> {
  if (positionals.length > 0)
    throw new UsageError(`list: takes no arguments (got "${positionals.join(' ')}")`);
  const status = str('status');
  if (status !== undefined && status !== 'draft' && status !== 'scheduled' && status !== 'published') {
    throw new UsageError(`list: --status must be "draft", "scheduled" or "published" (got "${status}")`);
  }
  const tag = str('tag');
  if (tag !== undefined && (!SLUG_PATTERN.test(tag) || tag.length > LIMITS.tag)) {
    throw new UsageError(
      `list: --tag "${tag}" is not a tag (lower-case letters and digits separated by hyphens)`,
    );
  }
  const cursor = str('cursor');
  if (cursor !== undefined && tag !== undefined) {
    throw new UsageError(
      'list: --cursor cannot be combined with --tag (the tag filter is applied by the CLI)',
    );
  }
  const all = values.all === true;
  const options: ListOptions = {
    limit: positiveInt(str('limit'), '--limit', 20, 10_000),
    all,
    ...(status === undefined ? {} : { status }),
    ...(tag === undefined ? {} : { tag }),
    ...(cursor === undefined ? {} : { cursor }),
  };
  const client = makeClient(globals, io, (event) => write(io.stderr, retryLine(event)));
  try {
    const result = await listArticles(client, options);
    if (!result.ok) {
      write(io.stderr, result.errors.join('\n'));
      return 1;
    }
    if (values.json === true) {
      write(io.stdout, JSON.stringify({ items: result.items, nextCursor: result.nextCursor }, null, 2));
    } else {
      write(io.stdout, renderTable(result.items));
      if (result.nextCursor !== null) {
        write(
          io.stdout,
          `More articles: newsdesk list --cursor ${result.nextCursor}${status ? ` --status ${status}` : ''}  (or --all)`,
        );
      } else if (result.truncated) {
        write(io.stdout, 'More articles may match: use --all or a larger --limit');
      }
    }
    return 0;
  } finally {
    client.close();
  }
}

async function confirm(io: Io, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(question);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function takeDownCommand(
  positionals: string[],
  yes: boolean,
  globals: Globals,
  io: Io,
): Promise<number> {
  if (positionals.length > 1)
    throw new UsageError(`take-down: one slug at a time (got ${positionals.length})`);
  const slug = checkSlug(positionals[0], 'take-down');
  if (!yes && io.stdin.isTTY !== true) {
    throw new UsageError(
      `take-down: refusing to take down "${slug}" without confirmation: input is not a terminal, so nobody can answer the question. Pass --yes to confirm.`,
    );
  }
  const client = makeClient(globals, io, (event) => write(io.stderr, retryLine(event)));
  try {
    const path = `/editor/articles/${slug}`;
    const current = await client.send('GET', path, { slug });
    if (current.status !== 200) {
      return reportFailure(io, client, `GET ${path}`, slug, current);
    }
    const article = current.json as { title?: unknown; status?: unknown } | undefined;
    if (!yes) {
      const title = typeof article?.title === 'string' ? article.title : slug;
      const ok = await confirm(
        io,
        `Take down "${title}" (${slug}, ${String(article?.status ?? 'unknown status')})? It disappears from every route; the slug stays taken. [y/N] `,
      );
      if (!ok) {
        write(io.stderr, 'Not taken down.');
        return 1;
      }
    }
    const etag = current.headers.etag;
    const response = await client.send('DELETE', path, {
      slug,
      ...(etag === undefined ? {} : { ifMatch: etag }),
    });
    if (response.status !== 204 && response.status !== 200) {
      return reportFailure(io, client, `DELETE ${path}`, slug, response);
    }
    write(io.stdout, `taken down  ${slug}`);
    return 0;
  } finally {
    client.close();
  }
}

async function eventsCommand(
  positionals: string[],
  values: Record<string, string | boolean | undefined>,
  globals: Globals,
  io: Io,
): Promise<number> {
  if (positionals.length > 0)
    throw new UsageError(`events: takes no arguments (got "${positionals.join(' ')}")`);
  const endpoint = resolveEndpoint({
    endpoint: globals.endpoint,
    outputs: globals.outputs,
    stack: globals.stack,
    env: io.env,
  });
  if (!isLocalEndpoint(endpoint.url)) {
    // Deployed, events go to EventBridge: nothing to follow here, say how to subscribe.
    write(io.stderr, deployedEventsHelp(endpoint.url));
    return 2;
  }
  const client = makeClient(globals, io, (event) => write(io.stderr, retryLine(event)));
  try {
    const outcome = await followEvents(client, {
      follow: values.follow === true,
      json: values.json === true,
      write: (line) => write(io.stdout, line),
    });
    if (!outcome.ok) {
      write(io.stderr, `newsdesk: ${outcome.message}`);
      return 1;
    }
    return 0;
  } finally {
    client.close();
  }
}

/** `history <slug>`, `restore <slug> <version>`, `preview <slug>` (cli/revisions.ts). */
async function revisionCommand(
  name: 'history' | 'restore' | 'preview',
  positionals: string[],
  values: Record<string, string | boolean | undefined>,
  globals: Globals,
  io: Io,
  str: (key: string) => string | undefined,
): Promise<number> {
  const arity = name === 'restore' ? 2 : 1;
  if (positionals.length > arity) {
    throw new UsageError(
      `${name}: too many arguments (usage: newsdesk ${name} <slug>${name === 'restore' ? ' <version>' : ''})`,
    );
  }
  const slug = checkSlug(positionals[0], name);
  const version = name === 'restore' ? revisions.parseVersionArgument(positionals[1]) : undefined;
  const expires = str('expires');
  const expiresInSeconds = expires === undefined ? undefined : revisions.parseExpires(expires);
  const yes = values.yes === true;
  if (name === 'restore' && !yes && io.stdin.isTTY !== true) {
    throw new UsageError(
      `restore: refusing to restore "${slug}" without confirmation: input is not a terminal, so nobody can answer the question. Pass --yes to confirm.`,
    );
  }
  const client = makeClient(globals, io, (event) => write(io.stderr, retryLine(event)));
  const context: revisions.CommandContext = {
    client,
    out: (text) => write(io.stdout, text),
    err: (text) => write(io.stderr, text),
    confirm: (question) => confirm(io, question),
    fail: (request, failedSlug, response) => reportFailure(io, client, request, failedSlug, response),
  };
  try {
    if (name === 'history') return await revisions.history(context, slug, values.json === true);
    if (name === 'restore') return await revisions.restore(context, slug, version ?? 0, yes);
    return await revisions.preview(context, slug, expiresInSeconds);
  } finally {
    client.close();
  }
}
