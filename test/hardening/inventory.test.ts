import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EDGE_FUNCTIONS, EDGE_SDK_PACKAGES } from '../../functions/core/edge/env.ts';
import { EVENT_FUNCTIONS, EVENT_SDK_PACKAGES } from '../../functions/core/events/env.ts';
import { ROUTES } from '../../functions/core/routes.ts';
import { tableActions } from '../../functions/core/store/access.ts';

/**
 * What the functions can reach and what they expose, read from the source (OWASP API7
 * SSRF and API9 inventory): the only outbound connection is the DynamoDB client, no
 * code fetches a URL taken from a request, and every route the API declares is a
 * handler module in functions/ (the CDK stack and the local server both build from ROUTES).
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FUNCTIONS = join(ROOT, 'functions');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Module specifiers a file imports (static, side-effect and dynamic imports, re-exports). */
function specifiers(code: string): string[] {
  const found = new Set<string>();
  for (const pattern of [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]) {
    for (const match of code.matchAll(pattern)) if (match[1] !== undefined) found.add(match[1]);
  }
  return [...found];
}

/** Packages the functions may use: none of them opens a connection except the DynamoDB client. */
const ALLOWED = [
  /^\.{1,2}\//,
  /^node:crypto$/,
  /^zod(\/.*)?$/,
  /^markdown-it$/,
  // Builds RSS and Atom documents as strings: no I/O.
  /^feed$/,
  /^@middy\/(core|http-cors|http-header-normalizer)$/,
  /^@aws-lambda-powertools\/logger(\/middleware)?$/,
  // The preview signing key, read from Secrets Manager (the secret named by configuration,
  // never by a request) at cold start: functions/core/preview-deps.ts.
  /^@aws-lambda-powertools\/parameters\/secrets$/,
  /^@aws-sdk\/(client-dynamodb|lib-dynamodb|util-dynamodb)$/,
  /^aws-lambda$/,
];

describe('functions/ reach nothing but DynamoDB (no SSRF surface)', () => {
  const files = sources(FUNCTIONS);

  it('imports only allowed modules: no HTTP, socket, DNS, process or file-system module', () => {
    // The event code (docs/events.md) also talks to EventBridge and EventBridge Scheduler.
    const eventCode = (file: string) =>
      relative(ROOT, file).startsWith('functions/core/events/') ||
      EVENT_FUNCTIONS.some((fn) => fn.entry === relative(ROOT, file));
    // The edge purge (docs/edge.md) talks to CloudFront.
    const edgeCode = (file: string) =>
      relative(ROOT, file).startsWith('functions/core/edge/') ||
      EDGE_FUNCTIONS.some((fn) => fn.entry === relative(ROOT, file));
    const allowedIn = (file: string, specifier: string) =>
      ALLOWED.some((allowed) => allowed.test(specifier)) ||
      (eventCode(file) && (EVENT_SDK_PACKAGES as readonly string[]).includes(specifier)) ||
      (edgeCode(file) && (EDGE_SDK_PACKAGES as readonly string[]).includes(specifier));
    const offending = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((specifier) => !allowedIn(file, specifier))
        .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('never calls fetch, XMLHttpRequest or a WebSocket', () => {
    const offending = files.filter((file) =>
      /\b(fetch|XMLHttpRequest|WebSocket|EventSource)\s*\(/.test(readFileSync(file, 'utf8')),
    );
    expect(offending.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('the DynamoDB endpoint comes from configuration read at cold start, never from a request', () => {
    const offending = files.filter((file) => {
      const code = readFileSync(file, 'utf8');
      return /endpoint\s*:/.test(code) && !/config\.DYNAMODB_ENDPOINT/.test(code);
    });
    expect(offending.map((file) => relative(ROOT, file))).toEqual([]);
  });
});

describe('inventory', () => {
  it('every declared route is a handler module that exports handler and makeHandler', () => {
    for (const route of ROUTES) {
      const code = readFileSync(join(ROOT, route.entry), 'utf8');
      expect(code, route.entry).toMatch(/export const handler\b/);
      expect(code, route.entry).toMatch(/export const makeHandler\b/);
    }
  });

  it('every handler module in functions/ is a declared route or event function (nothing deployed or served off the list)', () => {
    const handlers = readdirSync(FUNCTIONS).filter((name) => name.endsWith('.ts'));
    const declared = new Set(
      [...ROUTES, ...EVENT_FUNCTIONS, ...EDGE_FUNCTIONS].map((route) =>
        route.entry.replace(/^functions\//, ''),
      ),
    );
    expect(handlers.filter((name) => !declared.has(name))).toEqual([]);
  });

  it('editor routes are exactly the ones under /editor/, public routes are GETs', () => {
    for (const route of ROUTES) {
      expect(route.auth === 'editor', route.id).toBe(route.resource.startsWith('/editor/'));
      if (route.auth === 'public') expect(route.method, route.id).toBe('GET');
      if (route.method === 'GET')
        expect(
          tableActions(route.store).every((a) => /^dynamodb:(Query|GetItem|BatchGetItem)$/.test(a)),
          route.id,
        ).toBe(true);
    }
  });
});
