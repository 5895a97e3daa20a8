/**
 * Checks of the OpenAPI document that need no OpenAPI-specific package:
 * - the shape of an OpenAPI 3.1 document (the parts this document uses: info, servers,
 *   paths, operations, parameters, request bodies, responses, headers, components,
 *   security), following the OpenAPI 3.1.0 specification;
 * - every `$ref` resolves inside the document;
 * - every path template parameter is declared, operationIds are unique, security
 *   requirements name declared schemes;
 * - every Schema Object compiles with ajv in strict mode as JSON Schema 2020-12 (the
 *   meta-schema check included), so response validators can be built from it.
 *
 * It is no full OpenAPI validator; test/openapi also runs one when it is installed.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { isJsonObject, type JsonObject, type JsonValue } from './json.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const SCHEMA_BASE = 'https://newsdesk.invalid/openapi.json';

/** The value a local JSON pointer (`#/a/b`) names in the document, or undefined. */
export function resolvePointer(doc: JsonValue, ref: string): JsonValue | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: JsonValue | undefined = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isJsonObject(node)) node = Object.hasOwn(node, key) ? node[key] : undefined;
    else return undefined;
  }
  return node;
}

/** Follows `$ref`s of OpenAPI objects (not schemas) to the object they name. */
export function deref(doc: JsonObject, value: JsonValue | undefined): JsonObject | undefined {
  let node = value;
  for (let hops = 0; hops < 10 && isJsonObject(node) && typeof node.$ref === 'string'; hops++) {
    node = resolvePointer(doc, node.$ref);
  }
  return isJsonObject(node) ? node : undefined;
}

/** Every `$ref` in the document that does not resolve. */
function danglingRefs(doc: JsonObject): string[] {
  const problems: string[] = [];
  const walk = (node: JsonValue, at: string) => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) walk(child, `${at}/${i}`);
    } else if (isJsonObject(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (key === '$ref' && typeof child === 'string' && resolvePointer(doc, child) === undefined) {
          problems.push(`${at}: $ref ${child} does not resolve`);
        }
        walk(child, `${at}/${key}`);
      }
    }
  };
  walk(doc, '#');
  return problems;
}

/** An ajv (2020-12, strict, formats) that knows every component schema under SCHEMA_BASE. */
export function createAjv(doc: JsonObject): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  // ajv-formats is CommonJS: its default export is the module object under NodeNext typing.
  formats.default(ajv);
  const components = isJsonObject(doc.components) ? doc.components : {};
  const schemas = isJsonObject(components.schemas) ? components.schemas : {};
  ajv.addSchema({ $id: SCHEMA_BASE, $defs: rewriteRefs(schemas) as JsonObject });
  return ajv;
}

/** `#/components/schemas/X` → `<SCHEMA_BASE>#/$defs/X`, so component schemas resolve in ajv. */
function rewriteRefs(node: JsonValue): JsonValue {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!isJsonObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')
        ? `${SCHEMA_BASE}#/$defs/${value.slice('#/components/schemas/'.length)}`
        : rewriteRefs(value);
  }
  return out;
}

/** A validator for one Schema Object of the document (its refs into components resolved). */
export function compileSchema(ajv: Ajv2020, schema: JsonValue): ValidateFunction {
  const rewritten = rewriteRefs(schema);
  return ajv.compile(isJsonObject(rewritten) || typeof rewritten === 'boolean' ? rewritten : {});
}

export interface ResponseSpec {
  readonly status: string;
  readonly headers: JsonObject;
  /** Schemas by media type. */
  readonly content: Readonly<Record<string, JsonValue>>;
}

/** The response an operation documents for a status (falling back to `default`). */
export function responseSpec(
  doc: JsonObject,
  path: string,
  method: string,
  status: number,
): ResponseSpec | undefined {
  const operation = deref(doc, deref(doc, resolvePointer(doc, `#/paths/${pointerKey(path)}`))?.[method]);
  const responses = deref(doc, operation?.responses);
  if (responses === undefined) return undefined;
  const key = Object.hasOwn(responses, String(status)) ? String(status) : 'default';
  const response = deref(doc, responses[key]);
  if (response === undefined) return undefined;
  const content: Record<string, JsonValue> = {};
  if (isJsonObject(response.content)) {
    for (const [type, media] of Object.entries(response.content)) {
      if (isJsonObject(media) && media.schema !== undefined) content[type] = media.schema;
    }
  }
  return { status: key, headers: isJsonObject(response.headers) ? response.headers : {}, content };
}

const pointerKey = (key: string) => encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));

// ---------------------------------------------------------------------------
// Structure

type Check = (condition: boolean, message: string) => void;

function checkSchemaObjects(doc: JsonObject, check: Check): void {
  const ajv = createAjv(doc);
  const compile = (schema: JsonValue | undefined, at: string) => {
    if (schema === undefined) return;
    try {
      compileSchema(ajv, schema);
    } catch (error) {
      check(
        false,
        `${at}: not a valid JSON Schema 2020-12: ${error instanceof Error ? error.message : error}`,
      );
    }
  };
  const components = isJsonObject(doc.components) ? doc.components : {};
  for (const [name, schema] of Object.entries(isJsonObject(components.schemas) ? components.schemas : {})) {
    compile(schema, `#/components/schemas/${name}`);
  }
  const visit = (node: JsonValue, at: string) => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) visit(child, `${at}/${i}`);
    } else if (isJsonObject(node)) {
      for (const [key, child] of Object.entries(node)) {
        // Schema Objects of parameters, headers and media types (components.schemas done above).
        if (key === 'schema' && !at.includes('/schemas/')) compile(child, `${at}/schema`);
        else if (key !== 'schemas') visit(child, `${at}/${key}`);
      }
    }
  };
  visit(doc, '#');
}

function checkParameter(doc: JsonObject, value: JsonValue, at: string, check: Check): JsonObject | undefined {
  const parameter = deref(doc, value);
  check(parameter !== undefined, `${at}: parameter does not resolve`);
  if (parameter === undefined) return undefined;
  check(typeof parameter.name === 'string', `${at}: parameter without a name`);
  check(['query', 'header', 'path', 'cookie'].includes(String(parameter.in)), `${at}: bad "in"`);
  check((parameter.schema === undefined) !== (parameter.content === undefined), `${at}: schema xor content`);
  if (parameter.in === 'path') check(parameter.required === true, `${at}: path parameters must be required`);
  return parameter;
}

function checkResponses(doc: JsonObject, value: JsonValue | undefined, at: string, check: Check): void {
  check(isJsonObject(value) && Object.keys(value).length > 0, `${at}: no responses`);
  if (!isJsonObject(value)) return;
  for (const [status, raw] of Object.entries(value)) {
    check(/^([1-5](\d\d|XX)|default)$/.test(status), `${at}/${status}: not a status code`);
    const response = deref(doc, raw);
    check(typeof response?.description === 'string', `${at}/${status}: response needs a description`);
    for (const [name, header] of Object.entries(isJsonObject(response?.headers) ? response.headers : {})) {
      const resolved = deref(doc, header);
      check(
        resolved !== undefined && resolved.name === undefined && resolved.in === undefined,
        `${at}/${status}/headers/${name}: bad header`,
      );
      check(
        (resolved?.schema === undefined) !== (resolved?.content === undefined),
        `${at}/${status}/headers/${name}: schema xor content`,
      );
    }
    for (const [type, media] of Object.entries(isJsonObject(response?.content) ? response.content : {})) {
      check(
        /^[\w.+-]+\/[\w.+-]+$/.test(type) && isJsonObject(media),
        `${at}/${status}/content/${type}: bad media type`,
      );
    }
  }
}

/** Problems found in the document (empty when it passes). */
export function validateOpenApiDocument(doc: JsonValue): string[] {
  const problems: string[] = [];
  const check: Check = (condition, message) => {
    if (!condition) problems.push(message);
  };
  if (!isJsonObject(doc)) return ['the document is not a JSON object'];
  check(typeof doc.openapi === 'string' && /^3\.1\.\d+$/.test(doc.openapi), 'openapi must be 3.1.x');
  const info = doc.info;
  check(
    isJsonObject(info) && typeof info.title === 'string' && typeof info.version === 'string',
    'info needs title and version',
  );
  if (isJsonObject(info) && isJsonObject(info.license)) {
    check(typeof info.license.name === 'string', 'info.license needs a name');
    check(
      !(info.license.identifier !== undefined && info.license.url !== undefined),
      'license: identifier or url, not both',
    );
  }
  const servers = Array.isArray(doc.servers) ? doc.servers : [];
  servers.forEach((server, i) => {
    check(isJsonObject(server) && typeof server.url === 'string', `servers/${i}: needs a url`);
    if (!isJsonObject(server) || typeof server.url !== 'string') return;
    const variables = isJsonObject(server.variables) ? server.variables : {};
    for (const [, name] of server.url.matchAll(/\{([^}]+)\}/g)) {
      const variable = name === undefined ? undefined : variables[name];
      check(
        isJsonObject(variable) && typeof variable.default === 'string',
        `servers/${i}: variable ${name} needs a default`,
      );
    }
  });

  const components = isJsonObject(doc.components) ? doc.components : {};
  for (const [kind, entries] of Object.entries(components)) {
    if (!isJsonObject(entries)) continue;
    for (const name of Object.keys(entries)) {
      check(/^[a-zA-Z0-9._-]+$/.test(name), `components/${kind}/${name}: bad component name`);
    }
  }
  const schemes = isJsonObject(components.securitySchemes) ? components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    check(isJsonObject(scheme) && typeof scheme.type === 'string', `securitySchemes/${name}: needs a type`);
    if (isJsonObject(scheme) && scheme.type === 'apiKey') {
      check(
        typeof scheme.name === 'string' && ['query', 'header', 'cookie'].includes(String(scheme.in)),
        `securitySchemes/${name}: apiKey needs name and in`,
      );
    }
  }

  const operationIds = new Set<string>();
  check(isJsonObject(doc.paths), 'paths must be an object');
  for (const [path, rawItem] of Object.entries(isJsonObject(doc.paths) ? doc.paths : {})) {
    check(path.startsWith('/'), `${path}: paths start with /`);
    const item = deref(doc, rawItem);
    if (item === undefined) {
      check(false, `${path}: path item does not resolve`);
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const at = `${method.toUpperCase()} ${path}`;
      if (!isJsonObject(operation)) {
        check(false, `${at}: not an object`);
        continue;
      }
      if (typeof operation.operationId === 'string') {
        check(
          !operationIds.has(operation.operationId),
          `${at}: duplicate operationId ${operation.operationId}`,
        );
        operationIds.add(operation.operationId);
      }
      const params = [...shared, ...(Array.isArray(operation.parameters) ? operation.parameters : [])]
        .map((parameter, i) => checkParameter(doc, parameter, `${at} parameters/${i}`, check))
        .filter((parameter) => parameter !== undefined);
      const seen = new Set<string>();
      for (const parameter of params) {
        const key = `${parameter.in}:${String(parameter.name).toLowerCase()}`;
        check(!seen.has(key), `${at}: parameter ${key} declared twice`);
        seen.add(key);
      }
      for (const name of templated) {
        check(
          params.some((p) => p.in === 'path' && p.name === name),
          `${at}: path parameter {${name}} not declared`,
        );
      }
      for (const parameter of params.filter((p) => p.in === 'path')) {
        check(
          templated.includes(String(parameter.name)),
          `${at}: path parameter ${parameter.name} not in the path`,
        );
      }
      if (operation.requestBody !== undefined) {
        const body = deref(doc, operation.requestBody);
        check(isJsonObject(body?.content), `${at}: requestBody needs content`);
      }
      checkResponses(doc, operation.responses, `${at} responses`, check);
      for (const requirement of Array.isArray(operation.security) ? operation.security : []) {
        for (const name of isJsonObject(requirement) ? Object.keys(requirement) : []) {
          check(Object.hasOwn(schemes, name), `${at}: security scheme ${name} is not declared`);
        }
      }
    }
  }
  problems.push(...danglingRefs(doc));
  checkSchemaObjects(doc, check);
  return problems;
}
