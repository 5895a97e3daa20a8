/**
 * The REST API as the template defines it: the resource tree, each method's
 * authorization and integration (Lambda proxy or mock, with its integration responses),
 * the gateway responses, the stage, and the permissions letting API Gateway invoke each
 * function. Built once, checked as API Gateway checks a deployment (every integration
 * response status and header declared by a method response), and anything outside what
 * the rehearsal emulates stops it with the logical id and the feature.
 *
 * Mapping templates: the rehearsal evaluates templates without VTL (static text) and a
 * template that is exactly `$util.base64Decode('...')`; any other VTL is refused.
 */
import { TemplateError, UnsupportedTemplateError } from './errors.ts';
import { wildcardMatch } from './iam.ts';
import {
  ACCOUNT_ID,
  checkProperties,
  type Json,
  type JsonObject,
  PARTITION,
  REGION,
  type Resolver,
} from './template.ts';

/** A response header value: a literal, or a value taken from the request. */
export type HeaderSource =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'request'; readonly location: 'header' | 'querystring' | 'path'; readonly name: string };

export interface MappedTemplates {
  /** Content type -> the text the template produces. */
  readonly byContentType: ReadonlyMap<string, string>;
}

export interface IntegrationResponse {
  readonly statusCode: number;
  readonly selectionPattern: string | undefined;
  readonly headers: ReadonlyMap<string, HeaderSource>;
  readonly templates: MappedTemplates;
}

export type Integration =
  | { readonly kind: 'lambda-proxy'; readonly functionArn: string; readonly timeoutMs: number }
  | {
      readonly kind: 'mock';
      readonly requestTemplates: MappedTemplates;
      readonly passthrough: string;
      readonly responses: readonly IntegrationResponse[];
    };

export interface ApiMethod {
  readonly logicalId: string;
  readonly httpMethod: string;
  readonly authorization: 'NONE' | 'AWS_IAM';
  readonly integration: Integration;
}

export interface ApiResource {
  readonly id: string;
  readonly logicalId: string;
  readonly pathPart: string;
  /** Resource path, e.g. `/articles/{slug}`. */
  readonly path: string;
  readonly children: ApiResource[];
  readonly methods: Map<string, ApiMethod>;
}

export interface GatewayResponse {
  readonly logicalId: string;
  readonly statusCode: number | undefined;
  readonly headers: ReadonlyMap<string, HeaderSource>;
  readonly templates: MappedTemplates;
}

export interface InvokePermission {
  readonly logicalId: string;
  readonly functionName: string;
  readonly sourceArn: string | undefined;
}

export interface ApiModel {
  readonly logicalId: string;
  readonly restApiId: string;
  readonly stageName: string;
  readonly stageVariables: Readonly<Record<string, string>> | null;
  readonly root: ApiResource;
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponse>;
  readonly permissions: readonly InvokePermission[];
}

/** The status API Gateway gives each response type when the template sets none. */
export const DEFAULT_STATUS: Readonly<Record<string, number>> = {
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  EXPIRED_TOKEN: 403,
  INCOMPLETE_SIGNATURE: 403,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  INVALID_SIGNATURE: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WAF_FILTERED: 403,
  DEFAULT_4XX: 400,
  DEFAULT_5XX: 500,
};

const BASE64_DECODE = /^\$util\.base64Decode\('([A-Za-z0-9+/=]*)'\)$/;

function mappingTemplates(value: Json | undefined, logicalId: string): MappedTemplates {
  const byContentType = new Map<string, string>();
  for (const [contentType, template] of Object.entries((value ?? {}) as JsonObject)) {
    const text = String(template);
    const decoded = BASE64_DECODE.exec(text.trim());
    if (decoded)
      byContentType.set(contentType.toLowerCase(), Buffer.from(decoded[1] ?? '', 'base64').toString('utf8'));
    else if (!/[$#]/.test(text)) byContentType.set(contentType.toLowerCase(), text);
    else throw new UnsupportedTemplateError(logicalId, `a VTL mapping template for ${contentType}`);
  }
  return { byContentType };
}

function headerSources(
  value: Json | undefined,
  prefix: string,
  logicalId: string,
): Map<string, HeaderSource> {
  const headers = new Map<string, HeaderSource>();
  for (const [key, raw] of Object.entries((value ?? {}) as JsonObject)) {
    if (!key.startsWith(prefix)) throw new UnsupportedTemplateError(logicalId, `response parameter ${key}`);
    const name = key.slice(prefix.length);
    const expression = String(raw);
    const literal = /^'(.*)'$/s.exec(expression);
    const request = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(expression);
    if (literal) headers.set(name, { kind: 'literal', value: literal[1] ?? '' });
    else if (request) {
      headers.set(name, {
        kind: 'request',
        location: request[1] as 'header' | 'querystring' | 'path',
        name: request[2] ?? '',
      });
    } else throw new UnsupportedTemplateError(logicalId, `mapping expression ${expression} for ${name}`);
  }
  return headers;
}

const LAMBDA_URI = /^arn:aws:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

function integrationOf(logicalId: string, method: JsonObject): Integration {
  const integration = (method.Integration ?? {}) as JsonObject;
  const type = String(integration.Type ?? '');
  if (type === 'AWS_PROXY') {
    checkProperties(logicalId, 'AWS_PROXY integration', integration, [
      'Type',
      'Uri',
      'IntegrationHttpMethod',
      'TimeoutInMillis',
      'PassthroughBehavior',
      'CacheKeyParameters',
      'CacheNamespace',
    ]);
    if (integration.IntegrationHttpMethod !== 'POST') {
      throw new TemplateError(logicalId, 'a Lambda integration must use IntegrationHttpMethod POST');
    }
    const functionArn = LAMBDA_URI.exec(String(integration.Uri ?? ''))?.[1];
    if (functionArn === undefined) {
      throw new UnsupportedTemplateError(logicalId, `an AWS_PROXY integration to ${String(integration.Uri)}`);
    }
    return { kind: 'lambda-proxy', functionArn, timeoutMs: Number(integration.TimeoutInMillis ?? 29_000) };
  }
  if (type === 'MOCK') {
    checkProperties(logicalId, 'MOCK integration', integration, [
      'Type',
      'RequestTemplates',
      'IntegrationResponses',
      'PassthroughBehavior',
    ]);
    const declared = new Map<string, Set<string>>();
    for (const response of (method.MethodResponses ?? []) as JsonObject[]) {
      declared.set(
        String(response.StatusCode),
        new Set(Object.keys((response.ResponseParameters ?? {}) as JsonObject)),
      );
    }
    const responses = ((integration.IntegrationResponses ?? []) as JsonObject[]).map((response) => {
      checkProperties(logicalId, 'integration response', response, [
        'StatusCode',
        'SelectionPattern',
        'ResponseParameters',
        'ResponseTemplates',
      ]);
      const status = String(response.StatusCode);
      const methodResponse = declared.get(status);
      if (methodResponse === undefined)
        throw new TemplateError(logicalId, `no method response for status ${status}`);
      for (const key of Object.keys((response.ResponseParameters ?? {}) as JsonObject)) {
        if (!methodResponse.has(key))
          throw new TemplateError(logicalId, `${key} is not declared by the ${status} method response`);
      }
      return {
        statusCode: Number(status),
        selectionPattern:
          response.SelectionPattern === undefined ? undefined : String(response.SelectionPattern),
        headers: headerSources(response.ResponseParameters, 'method.response.header.', logicalId),
        templates: mappingTemplates(response.ResponseTemplates, logicalId),
      };
    });
    return {
      kind: 'mock',
      requestTemplates: mappingTemplates(integration.RequestTemplates, logicalId),
      passthrough: String(integration.PassthroughBehavior ?? 'WHEN_NO_MATCH'),
      responses,
    };
  }
  throw new UnsupportedTemplateError(logicalId, `integration type ${type || '(none)'}`);
}

const METHOD_KEYS = [
  'HttpMethod',
  'AuthorizationType',
  'Integration',
  'MethodResponses',
  'ResourceId',
  'RestApiId',
  'OperationName',
  'ApiKeyRequired',
];

function methodOf(resolver: Resolver, logicalId: string): ApiMethod {
  checkProperties(logicalId, 'AWS::ApiGateway::Method', resolver.resource(logicalId).Properties, METHOD_KEYS);
  const properties = resolver.properties(logicalId);
  if (properties.ApiKeyRequired === true)
    throw new UnsupportedTemplateError(logicalId, 'API keys (ApiKeyRequired)');
  const authorization = String(properties.AuthorizationType ?? 'NONE');
  if (authorization !== 'NONE' && authorization !== 'AWS_IAM') {
    throw new UnsupportedTemplateError(logicalId, `authorization type ${authorization}`);
  }
  return {
    logicalId,
    httpMethod: String(properties.HttpMethod).toUpperCase(),
    authorization,
    integration: integrationOf(logicalId, properties),
  };
}

function single(resolver: Resolver, type: string, restApiId: string): [string, JsonObject] {
  const found = resolver
    .resources()
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => [id, resolver.properties(id)] as [string, JsonObject])
    .filter(([, properties]) => properties.RestApiId === restApiId);
  const [first, ...rest] = found;
  if (first === undefined) throw new TemplateError(restApiId, `the REST API has no ${type}`);
  if (rest.length > 0) throw new UnsupportedTemplateError(first[0], `more than one ${type} for one REST API`);
  return first;
}

/** The API model of the template's one REST API. */
export function buildApi(resolver: Resolver): ApiModel {
  const apis = resolver.resources().filter(([, resource]) => resource.Type === 'AWS::ApiGateway::RestApi');
  const [api, ...others] = apis;
  if (api === undefined) throw new TemplateError('Resources', 'no AWS::ApiGateway::RestApi');
  if (others.length > 0) throw new UnsupportedTemplateError(others[0]?.[0] ?? '', 'a second REST API');
  const [apiLogicalId, apiResource] = api;
  checkProperties(apiLogicalId, 'AWS::ApiGateway::RestApi', apiResource.Properties, [
    'Name',
    'Description',
    'EndpointConfiguration',
    'Tags',
    'DisableExecuteApiEndpoint',
  ]);
  const restApiId = resolver.physicalId(apiLogicalId);

  const [stageId, stage] = single(resolver, 'AWS::ApiGateway::Stage', restApiId);
  checkProperties(stageId, 'AWS::ApiGateway::Stage', resolver.resource(stageId).Properties, [
    'StageName',
    'DeploymentId',
    'RestApiId',
    'Description',
    'Variables',
    'Tags',
    // Not emulated (documented): throttling, logging, metrics, tracing settings.
    'MethodSettings',
    'AccessLogSetting',
    'TracingEnabled',
  ]);
  const [deploymentId] = single(resolver, 'AWS::ApiGateway::Deployment', restApiId);
  checkProperties(deploymentId, 'AWS::ApiGateway::Deployment', resolver.resource(deploymentId).Properties, [
    'RestApiId',
    'Description',
  ]);
  if (stage.DeploymentId !== resolver.physicalId(deploymentId)) {
    throw new TemplateError(stageId, 'does not point at the REST API deployment');
  }

  const root: ApiResource = {
    id: resolver.attribute(apiLogicalId, 'RootResourceId'),
    logicalId: apiLogicalId,
    pathPart: '',
    path: '/',
    children: [],
    methods: new Map(),
  };
  const byId = new Map<string, ApiResource>([[root.id, root]]);
  const pending = resolver
    .resources()
    .filter(([, resource]) => resource.Type === 'AWS::ApiGateway::Resource')
    .map(([id]) => ({ id, properties: resolver.properties(id) }));
  // Parents before children, whatever the template's order.
  while (pending.length > 0) {
    const index = pending.findIndex((entry) => byId.has(String(entry.properties.ParentId)));
    const entry = index === -1 ? undefined : pending.splice(index, 1)[0];
    if (entry === undefined)
      throw new TemplateError(pending[0]?.id ?? '', 'has a ParentId that is no resource of the API');
    checkProperties(entry.id, 'AWS::ApiGateway::Resource', entry.properties, [
      'ParentId',
      'PathPart',
      'RestApiId',
    ]);
    const parent = byId.get(String(entry.properties.ParentId)) as ApiResource;
    const pathPart = String(entry.properties.PathPart);
    const node: ApiResource = {
      id: resolver.physicalId(entry.id),
      logicalId: entry.id,
      pathPart,
      path: `${parent.path === '/' ? '' : parent.path}/${pathPart}`,
      children: [],
      methods: new Map(),
    };
    parent.children.push(node);
    byId.set(node.id, node);
  }

  for (const [id, resource] of resolver.resources()) {
    if (resource.Type !== 'AWS::ApiGateway::Method') continue;
    const node = byId.get(String(resolver.properties(id).ResourceId));
    if (node === undefined) throw new TemplateError(id, 'belongs to no resource of the API');
    const method = methodOf(resolver, id);
    if (node.methods.has(method.httpMethod))
      throw new TemplateError(id, `a second ${method.httpMethod} on ${node.path}`);
    node.methods.set(method.httpMethod, method);
  }

  const gatewayResponses = new Map<string, GatewayResponse>();
  for (const [id, resource] of resolver.resources()) {
    if (resource.Type !== 'AWS::ApiGateway::GatewayResponse') continue;
    const properties = resolver.properties(id);
    checkProperties(id, 'AWS::ApiGateway::GatewayResponse', properties, [
      'ResponseType',
      'StatusCode',
      'ResponseParameters',
      'ResponseTemplates',
      'RestApiId',
    ]);
    const type = String(properties.ResponseType);
    if (DEFAULT_STATUS[type] === undefined)
      throw new UnsupportedTemplateError(id, `gateway response type ${type}`);
    gatewayResponses.set(type, {
      logicalId: id,
      statusCode: properties.StatusCode === undefined ? undefined : Number(properties.StatusCode),
      headers: headerSources(properties.ResponseParameters, 'gatewayresponse.header.', id),
      templates: mappingTemplates(properties.ResponseTemplates, id),
    });
  }

  const permissions: InvokePermission[] = [];
  for (const [id, resource] of resolver.resources()) {
    if (resource.Type !== 'AWS::Lambda::Permission') continue;
    const properties = resolver.properties(id);
    checkProperties(id, 'AWS::Lambda::Permission', properties, [
      'Action',
      'FunctionName',
      'Principal',
      'SourceArn',
      'SourceAccount',
    ]);
    if (properties.Principal !== 'apigateway.amazonaws.com') {
      throw new UnsupportedTemplateError(id, `a Lambda permission for ${String(properties.Principal)}`);
    }
    if (!['lambda:InvokeFunction', 'lambda:*'].includes(String(properties.Action))) continue;
    permissions.push({
      logicalId: id,
      functionName: String(properties.FunctionName),
      sourceArn: properties.SourceArn === undefined ? undefined : String(properties.SourceArn),
    });
  }

  const variables = stage.Variables as JsonObject | undefined;
  return {
    logicalId: apiLogicalId,
    restApiId,
    stageName: String(stage.StageName),
    stageVariables:
      variables === undefined
        ? null
        : Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
    root,
    gatewayResponses,
    permissions,
  };
}

export interface RouteMatch {
  readonly resource: ApiResource;
  readonly pathParameters: Record<string, string> | null;
}

/**
 * The resource a path (inside the stage, segments already split, percent-escapes intact)
 * names: at each level a literal child first, then a `{param}` child, then a greedy
 * `{proxy+}`, backtracking when a branch leads nowhere.
 */
export function matchRoute(root: ApiResource, segments: readonly string[]): RouteMatch | undefined {
  const decode = (segment: string) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  };
  const walk = (node: ApiResource, index: number, params: Record<string, string>): RouteMatch | undefined => {
    if (index === segments.length) {
      return node.methods.size > 0 || node === root
        ? { resource: node, pathParameters: Object.keys(params).length === 0 ? null : params }
        : undefined;
    }
    const segment = segments[index] ?? '';
    if (segment === '') return undefined;
    const literal = node.children.find((child) => child.pathPart === decode(segment));
    const param = node.children.find((child) => /^\{[^+}]+\}$/.test(child.pathPart));
    const greedy = node.children.find((child) => /^\{[^}]+\+\}$/.test(child.pathPart));
    const viaLiteral = literal && walk(literal, index + 1, params);
    if (viaLiteral) return viaLiteral;
    const viaParam =
      param && walk(param, index + 1, { ...params, [param.pathPart.slice(1, -1)]: decode(segment) });
    if (viaParam) return viaParam;
    if (greedy && greedy.methods.size > 0) {
      const rest = segments.slice(index).map(decode).join('/');
      return { resource: greedy, pathParameters: { ...params, [greedy.pathPart.slice(1, -2)]: rest } };
    }
    return undefined;
  };
  return walk(root, 0, {});
}

/** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>` of a request. */
export function executeApiArn(api: ApiModel, method: string, pathInStage: string): string {
  return `arn:${PARTITION}:execute-api:${REGION}:${ACCOUNT_ID}:${api.restApiId}/${api.stageName}/${method}/${pathInStage.replace(/^\//, '')}`;
}

/** Whether the template lets API Gateway invoke `functionArn` for this request. */
export function invokePermitted(api: ApiModel, functionArn: string, sourceArn: string): boolean {
  const name = functionArn.slice(functionArn.lastIndexOf(':') + 1);
  return api.permissions.some(
    (permission) =>
      (permission.functionName === functionArn || permission.functionName === name) &&
      (permission.sourceArn === undefined || wildcardMatch(permission.sourceArn, sourceArn)),
  );
}
