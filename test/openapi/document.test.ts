/**
 * The committed openapi.json: identical to a fresh generation, a valid OpenAPI 3.1
 * document, and complete (every route, status and header of the contract).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/core/routes.ts';
import { buildOpenApiDocument, renderOpenApiDocument, SECURITY_SCHEME } from '../../openapi/document.ts';
import { OPENAPI_PATH, readOpenApiFile } from '../../openapi/file.ts';
import { generate } from '../../openapi/generate.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../../openapi/json.ts';
import {
  compileSchema,
  createAjv,
  deref,
  resolvePointer,
  validateOpenApiDocument,
} from '../../openapi/validate.ts';

const committed = readOpenApiFile();
const doc = JSON.parse(committed) as JsonObject;

const operationOf = (path: string, method: string): JsonObject => {
  const item = deref(doc, resolvePointer(doc, `#/paths/${path.replace(/\//g, '~1')}`));
  const operation = deref(doc, item?.[method]);
  if (operation === undefined) throw new Error(`no ${method} ${path}`);
  return operation;
};

const statusesOf = (operation: JsonObject): string[] =>
  Object.keys(isJsonObject(operation.responses) ? operation.responses : {});

const headerNames = (operation: JsonObject, status: string): string[] => {
  const responses = isJsonObject(operation.responses) ? operation.responses : {};
  const response = deref(doc, responses[status]);
  return Object.keys(isJsonObject(response?.headers) ? response.headers : {});
};

const parameterNames = (path: string, method: string): string[] => {
  const item = deref(doc, resolvePointer(doc, `#/paths/${path.replace(/\//g, '~1')}`));
  const operation = operationOf(path, method);
  const all: JsonValue[] = [
    ...(Array.isArray(item?.parameters) ? item.parameters : []),
    ...(Array.isArray(operation.parameters) ? operation.parameters : []),
  ];
  return all.map((parameter) => String(deref(doc, parameter)?.name));
};

describe('openapi.json', () => {
  it('is what `npm run openapi` generates now', () => {
    // On failure: run `npm run openapi` and commit openapi.json.
    expect(
      committed === renderOpenApiDocument(),
      'openapi.json is stale: run `npm run openapi` and commit the result',
    ).toBe(true);
  });

  it('`npm run openapi -- --check` fails on a stale copy, `npm run openapi` rewrites it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, committed.replace('"title": "Newsdesk API"', '"title": "Old"'));
      expect(generate(['--check'], file)).toEqual({
        code: 1,
        message: expect.stringContaining('stale: run `npm run openapi`'),
      });
      expect(generate([], file).code).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(renderOpenApiDocument());
      expect(generate(['--check'], file).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is plain ASCII JSON', () => {
    expect(/^[\x20-\x7e\n]*$/.test(committed)).toBe(true);
  });

  it('is a valid OpenAPI 3.1 document (structure, references, JSON Schema 2020-12 schemas)', () => {
    expect(validateOpenApiDocument(doc)).toEqual([]);
  });

  it('passes a full OpenAPI 3.1 validator (the official schemas)', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? null).toBeNull();
    expect(result.valid).toBe(true);
  });

  it('describes every route, with SigV4 on exactly the editor routes', () => {
    for (const route of ROUTES) {
      const operation = operationOf(route.resource, route.method.toLowerCase());
      expect(operation.operationId).toBe(route.id);
      if (route.auth === 'editor') expect(operation.security).toEqual([{ [SECURITY_SCHEME]: [] }]);
      else expect(operation.security).toBeUndefined();
      expect(operationOf(route.resource, 'options').security).toBeUndefined();
    }
    expect(operationOf(OPENAPI_PATH, 'get').security).toBeUndefined();
    const schemes = resolvePointer(doc, `#/components/securitySchemes/${SECURITY_SCHEME}`);
    expect(schemes).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
  });

  it('lists the statuses of API.md for each operation', () => {
    const expected: Record<string, string[]> = {
      'get /articles': ['200', '304', '400', '429', '503', 'default'],
      'get /articles/{slug}': ['200', '304', '400', '404', '429', '503', 'default'],
      'post /editor/articles': ['201', '400', '403', '409', '413', '415', '422', '429', '503', 'default'],
      'get /editor/articles': ['200', '400', '403', '429', '503', 'default'],
      'get /editor/articles/{slug}': ['200', '400', '403', '404', '429', '503', 'default'],
      'put /editor/articles/{slug}': [
        '200',
        '400',
        '403',
        '404',
        '412',
        '413',
        '415',
        '428',
        '429',
        '503',
        'default',
      ],
      'delete /editor/articles/{slug}': ['204', '400', '403', '404', '412', '429', '503', 'default'],
    };
    for (const [key, statuses] of Object.entries(expected)) {
      const [method = '', path = ''] = key.split(' ');
      expect(statusesOf(operationOf(path, method)).sort(), key).toEqual(statuses.sort());
    }
    expect(resolvePointer(doc, '#/components/responses/MethodNotAllowed/headers/Allow')).toBeDefined();
  });

  it('documents the headers: ETag, Cache-Control, Location, Retry-After, If-Match, If-None-Match, Idempotency-Key', () => {
    expect(headerNames(operationOf('/articles/{slug}', 'get'), '200').sort()).toEqual([
      'Cache-Control',
      'ETag',
    ]);
    expect(headerNames(operationOf('/articles/{slug}', 'get'), '304').sort()).toEqual([
      'Cache-Control',
      'ETag',
    ]);
    expect(headerNames(operationOf('/articles', 'get'), '200').sort()).toEqual(['Cache-Control', 'ETag']);
    expect(headerNames(operationOf('/editor/articles', 'post'), '201').sort()).toEqual([
      'Cache-Control',
      'ETag',
      'Location',
    ]);
    expect(headerNames(operationOf('/editor/articles/{slug}', 'put'), '200')).toContain('ETag');
    for (const [path, method] of [
      ['/articles', 'get'],
      ['/editor/articles', 'post'],
      ['/editor/articles/{slug}', 'delete'],
    ] as const) {
      expect(headerNames(operationOf(path, method), '503')).toContain('Retry-After');
    }
    expect(parameterNames('/articles/{slug}', 'get')).toEqual(['slug', 'If-None-Match']);
    expect(parameterNames('/articles', 'get')).toEqual(['limit', 'cursor', 'tag', 'If-None-Match']);
    expect(parameterNames('/editor/articles', 'get')).toEqual(['status', 'limit', 'cursor']);
    expect(parameterNames('/editor/articles', 'post')).toEqual(['Idempotency-Key']);
    expect(parameterNames('/editor/articles/{slug}', 'put')).toEqual(['slug', 'If-Match']);
    expect(parameterNames('/editor/articles/{slug}', 'delete')).toEqual(['slug', 'If-Match']);
  });

  it('uses problem+json for every error response', () => {
    for (const route of ROUTES) {
      const operation = operationOf(route.resource, route.method.toLowerCase());
      const list = isJsonObject(operation.responses) ? operation.responses : {};
      for (const [status, raw] of Object.entries(list)) {
        if (status !== 'default' && Number(status) < 400) continue;
        const response = deref(doc, raw);
        expect(
          Object.keys(isJsonObject(response?.content) ? response.content : {}),
          `${route.id} ${status}`,
        ).toEqual(['application/problem+json']);
      }
    }
  });

  it('names the local server and the deployed ApiUrl as servers', () => {
    expect(doc.servers).toEqual([
      expect.objectContaining({ url: 'http://127.0.0.1:3000' }),
      expect.objectContaining({
        url: '{ApiUrl}',
        variables: { ApiUrl: expect.objectContaining({ default: expect.any(String) }) },
      }),
    ]);
  });

  it('response schemas refuse storage internals, missing fields and wrong types', () => {
    const ajv = createAjv(doc);
    const validate = compileSchema(ajv, { $ref: '#/components/schemas/PublicArticle' });
    const good = {
      slug: 'a',
      title: 'A',
      summary: null,
      body: 'x',
      bodyHtml: '<p>x</p>\n',
      author: null,
      tags: [],
      publishedAt: '2024-05-31T06:00:00Z',
      updatedAt: '2024-05-31T06:00:00.000Z',
    };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, pk: 'ARTICLE#a' })).toBe(false);
    expect(validate({ ...good, createdBy: 'arn:aws:iam::000000000000:user/x' })).toBe(false);
    const { summary: _summary, ...missing } = good;
    expect(validate(missing)).toBe(false);
    expect(validate({ ...good, publishedAt: null })).toBe(false);
    expect(validate({ ...good, tags: ['a', 'a'] })).toBe(false);
    const problem = compileSchema(ajv, { $ref: '#/components/schemas/Problem400' });
    const base = {
      type: 'urn:newsdesk:problem:validation-error',
      title: 'Bad Request',
      status: 400,
      detail: 'x',
    };
    expect(problem({ ...base, errors: [] })).toBe(true);
    expect(problem(base)).toBe(false);
    expect(problem({ ...base, type: 'urn:newsdesk:problem:bad-request' })).toBe(true);
    expect(problem({ ...base, status: 404, errors: [] })).toBe(false);
    expect(problem({ ...base, errors: [], stack: 'Error: at ...' })).toBe(false);
  });

  it('builds the same document every time (deterministic)', () => {
    expect(buildOpenApiDocument()).toEqual(buildOpenApiDocument());
  });
});
