/**
 * Where the CLI sends requests, and which region it signs for.
 *
 * Endpoint: `--endpoint`, else `NEWSDESK_ENDPOINT`, else the `ApiUrl` output in a
 * `cdk deploy --outputs-file` JSON named with `--outputs`, else the local server.
 * Region: `--region`, else the region in an `execute-api` host name, else
 * `AWS_REGION`, else `us-east-1`.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.ts';

export const LOCAL_ENDPOINT = 'http://127.0.0.1:3000';
export const DEFAULT_REGION = 'us-east-1';

export interface ResolvedEndpoint {
  /** The base URL, without a trailing slash (it may carry a stage path such as `/prod`). */
  readonly url: URL;
  /** Where it came from, for messages. */
  readonly source: string;
}

export interface EndpointOptions {
  readonly endpoint?: string | undefined;
  readonly outputs?: string | undefined;
  /** Which stack's `ApiUrl` to use when the outputs file holds several. */
  readonly stack?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads the outputs file (for tests). */
  readonly readFile?: (path: string) => string;
}

export function parseBaseUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`${source}: "${value}" is not a URL (expected e.g. ${LOCAL_ENDPOINT})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: "${value}" must be an http:// or https:// URL`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new UsageError(`${source}: "${value}" must not carry a query or fragment`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

export function resolveEndpoint(options: EndpointOptions): ResolvedEndpoint {
  if (options.endpoint !== undefined && options.endpoint !== '') {
    return { url: parseBaseUrl(options.endpoint, '--endpoint'), source: '--endpoint' };
  }
  const fromEnv = options.env.NEWSDESK_ENDPOINT;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { url: parseBaseUrl(fromEnv, 'NEWSDESK_ENDPOINT'), source: 'NEWSDESK_ENDPOINT' };
  }
  if (options.outputs !== undefined && options.outputs !== '') {
    const apiUrl = apiUrlFromOutputs(options.outputs, options.stack, options.readFile);
    return { url: parseBaseUrl(apiUrl, `ApiUrl in ${options.outputs}`), source: options.outputs };
  }
  return { url: new URL(LOCAL_ENDPOINT), source: 'the local server default' };
}

/** The `ApiUrl` output from a `cdk deploy --outputs-file` JSON: `{ "<Stack>": { "ApiUrl": "..." } }`. */
export function apiUrlFromOutputs(
  path: string,
  stack?: string,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--outputs ${path}: cannot read the file (${code ?? String(error)}); write it with "npm run deploy" (cdk deploy --outputs-file cdk-outputs.json)`,
    );
  }
  let outputs: unknown;
  try {
    outputs = JSON.parse(text);
  } catch {
    throw new UsageError(
      `--outputs ${path}: not JSON (expected the file "cdk deploy --outputs-file" writes)`,
    );
  }
  if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) {
    throw new UsageError(
      `--outputs ${path}: expected an object of stacks, { "<StackName>": { "ApiUrl": ... } }`,
    );
  }
  const candidates: [string, string][] = [];
  for (const [name, values] of Object.entries(outputs)) {
    if (
      values !== null &&
      typeof values === 'object' &&
      typeof (values as Record<string, unknown>).ApiUrl === 'string'
    ) {
      candidates.push([name, (values as Record<string, string>).ApiUrl as string]);
    }
  }
  if (stack !== undefined) {
    const found = candidates.find(([name]) => name === stack);
    if (found === undefined) {
      throw new UsageError(
        `--outputs ${path}: no stack "${stack}" with an ApiUrl output (stacks with one: ${candidates.map(([n]) => n).join(', ') || 'none'})`,
      );
    }
    return found[1];
  }
  const [first, second] = candidates;
  if (first === undefined) throw new UsageError(`--outputs ${path}: no stack in it has an ApiUrl output`);
  if (second !== undefined) {
    throw new UsageError(
      `--outputs ${path}: several stacks have an ApiUrl (${candidates.map(([n]) => n).join(', ')}); choose one with --stack`,
    );
  }
  return first[1];
}

const EXECUTE_API_HOST =
  /^[a-z0-9]+\.execute-api(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/** The region in an API Gateway host name (`{id}.execute-api.{region}.amazonaws.com`), if it is one. */
export function regionFromHost(hostname: string): string | undefined {
  return EXECUTE_API_HOST.exec(hostname.toLowerCase())?.[1];
}

export interface ResolvedRegion {
  readonly region: string;
  readonly source: string;
}

export function resolveRegion(
  options: {
    readonly region?: string | undefined;
    readonly env: Readonly<Record<string, string | undefined>>;
  },
  endpoint: URL,
): ResolvedRegion {
  if (options.region !== undefined && options.region !== '') {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(options.region)) {
      throw new UsageError(`--region: "${options.region}" is not an AWS region name (e.g. eu-west-1)`);
    }
    return { region: options.region, source: '--region' };
  }
  const fromHost = regionFromHost(endpoint.hostname);
  if (fromHost !== undefined) return { region: fromHost, source: 'the endpoint host name' };
  // Only AWS_REGION, the variable the local server reads too (so both sides agree).
  const fromEnv = options.env.AWS_REGION?.trim();
  if (fromEnv) return { region: fromEnv, source: 'AWS_REGION' };
  return { region: DEFAULT_REGION, source: 'the default' };
}
