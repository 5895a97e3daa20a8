import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  EDITOR_ALLOW_HEADERS,
  EXPOSE_HEADERS,
  PREFLIGHT_MAX_AGE_SECONDS,
  PROBLEM_CONTENT_TYPE,
  PROBLEMS,
  type ProblemCode,
  PUBLIC_ALLOW_HEADERS,
  problemDocument,
} from '../functions/core/contract.ts';
import type { RouteDefinition } from '../functions/core/routes.ts';
import {
  OPENAPI_CACHE_CONTROL,
  OPENAPI_CONTENT_TYPE,
  OPENAPI_PATH,
  readOpenApiFile,
} from '../openapi/file.ts';
import { acknowledge } from './nag.ts';

export interface NewsdeskApiProps {
  /** The routes to expose (`ROUTES`). */
  readonly routes: readonly RouteDefinition[];
  /** The function serving each route, by route id. */
  readonly handlers: ReadonlyMap<string, lambda.IFunction>;
  /**
   * Stage name, the last segment of the API URL.
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * Origins the public routes accept from browsers.
   * @default ['*']
   */
  readonly publicOrigins?: readonly string[];
  /**
   * Origins the editor routes accept from browsers.
   * @default ['*']
   */
  readonly editorOrigins?: readonly string[];
  /**
   * Stage-wide steady-state rate limit, requests per second.
   * @default 100
   */
  readonly throttlingRateLimit?: number;
  /**
   * Stage-wide burst limit, requests.
   * @default 200
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Retention of the access log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How long browsers may cache a preflight answer.
   * @default Duration.seconds(PREFLIGHT_MAX_AGE_SECONDS)
   */
  readonly preflightMaxAge?: Duration;
  /**
   * The OpenAPI document served at `GET /openapi.json` (ASCII JSON).
   * @default the committed openapi.json
   */
  readonly openApiDocument?: string;
}

/** API Gateway's limit on one mapping template (300 KB). */
export const MAX_MAPPING_TEMPLATE_BYTES = 300 * 1024;

/**
 * The mapping template answering the OpenAPI document. VTL gives `$` and `#` meaning and
 * a JSON Schema document is full of both (`$ref`, `#/components/...`), so the document is
 * embedded as base64, which has neither, and decoded by `$util.base64Decode` (ASCII only,
 * so no character set question arises).
 */
export function openApiTemplate(document: string): string {
  if (!/^[\x20-\x7e\n]*$/.test(document)) {
    throw new Error('The OpenAPI document must be ASCII JSON (openapi.json as `npm run openapi` writes it).');
  }
  const template = `$util.base64Decode('${Buffer.from(document, 'ascii').toString('base64')}')`;
  if (template.length > MAX_MAPPING_TEMPLATE_BYTES) {
    throw new Error(
      `The OpenAPI document is too large for a mapping template (${template.length} > ${MAX_MAPPING_TEMPLATE_BYTES} bytes as base64).`,
    );
  }
  return template;
}

interface Problem {
  readonly code: ProblemCode;
  readonly detail: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const RETRY_AFTER = { 'Retry-After': "'1'" } as const;

/**
 * Every response API Gateway produces by itself, as problem+json. Details are fixed
 * strings: `$context.error.message` can carry a canonical request or AWS wording,
 * which API.md keeps out of responses.
 */
const GATEWAY_PROBLEMS: ReadonlyArray<readonly [apigw.ResponseType, Problem]> = [
  [apigw.ResponseType.DEFAULT_4XX, { code: 'bad-request', detail: 'The request could not be processed.' }],
  [
    apigw.ResponseType.DEFAULT_5XX,
    {
      code: 'bad-gateway',
      detail: 'The service could not complete the request; try again later.',
    },
  ],
  [apigw.ResponseType.BAD_REQUEST_BODY, { code: 'bad-request', detail: 'The request body is not valid.' }],
  [
    apigw.ResponseType.BAD_REQUEST_PARAMETERS,
    {
      code: 'bad-request',
      detail: 'The request parameters are not valid.',
    },
  ],
  // API Gateway answers an IAM-authorized method called without any signature with
  // MISSING_AUTHENTICATION_TOKEN; unknown routes never get there (see the 404 fallback).
  [
    apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    {
      code: 'forbidden',
      detail: 'This route needs a request signed with AWS Signature Version 4.',
    },
  ],
  [
    apigw.ResponseType.INVALID_SIGNATURE,
    { code: 'forbidden', detail: 'The request signature is not valid.' },
  ],
  // A malformed Authorization header: API Gateway answers 403, so the body says 403 too.
  [
    apigw.ResponseType.of('INCOMPLETE_SIGNATURE'),
    { code: 'forbidden', detail: 'The request signature is not valid.' },
  ],
  [
    apigw.ResponseType.EXPIRED_TOKEN,
    {
      code: 'forbidden',
      detail: 'The request signature or its credentials have expired.',
    },
  ],
  [apigw.ResponseType.UNAUTHORIZED, { code: 'forbidden', detail: 'The request signature is not valid.' }],
  [
    apigw.ResponseType.ACCESS_DENIED,
    {
      code: 'forbidden',
      detail: 'The signing identity may not call this route.',
    },
  ],
  [apigw.ResponseType.INVALID_API_KEY, { code: 'forbidden', detail: 'The request was refused.' }],
  [apigw.ResponseType.WAF_FILTERED, { code: 'forbidden', detail: 'The request was refused.' }],
  [apigw.ResponseType.RESOURCE_NOT_FOUND, { code: 'not-found', detail: 'No such route.' }],
  [
    apigw.ResponseType.REQUEST_TOO_LARGE,
    {
      code: 'payload-too-large',
      detail: 'The request is larger than the API accepts.',
    },
  ],
  [
    apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE,
    {
      code: 'unsupported-media-type',
      detail: 'The request Content-Type is not supported.',
    },
  ],
  [
    apigw.ResponseType.THROTTLED,
    {
      code: 'too-many-requests',
      detail: 'Too many requests; retry after a moment.',
      headers: RETRY_AFTER,
    },
  ],
  [
    apigw.ResponseType.QUOTA_EXCEEDED,
    {
      code: 'too-many-requests',
      detail: 'Too many requests; retry after a moment.',
      headers: RETRY_AFTER,
    },
  ],
  [
    apigw.ResponseType.API_CONFIGURATION_ERROR,
    {
      code: 'internal-error',
      detail: 'The service could not complete the request.',
    },
  ],
  [
    apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
    {
      code: 'internal-error',
      detail: 'The service could not complete the request.',
    },
  ],
  [
    apigw.ResponseType.AUTHORIZER_FAILURE,
    {
      code: 'internal-error',
      detail: 'The service could not complete the request.',
    },
  ],
  [
    apigw.ResponseType.INTEGRATION_FAILURE,
    {
      code: 'bad-gateway',
      detail: 'The service could not complete the request; try again later.',
    },
  ],
  [
    apigw.ResponseType.INTEGRATION_TIMEOUT,
    {
      code: 'gateway-timeout',
      detail: 'The service did not answer in time; try again later.',
    },
  ],
];

/** An RFC 9457 body (no `$` or `#`, so it is also a valid VTL template). */
export function problemBody(problem: Problem): string {
  return JSON.stringify(problemDocument(problem.code, problem.detail));
}

const quote = (value: string) => `'${value}'`;

/**
 * The API Gateway REST API of Newsdesk, built from the route list:
 * - public methods unauthenticated, every `/editor/...` method `AWS_IAM` (SigV4);
 * - a Lambda proxy integration per route;
 * - a CORS preflight (OPTIONS, unauthenticated) on every route resource, with the
 *   public or editor origins and allowed headers;
 * - every response API Gateway makes by itself as problem+json with CORS headers;
 * - unknown paths answer 404 and unknown methods on known paths 405 (mock
 *   integrations), so `MISSING_AUTHENTICATION_TOKEN` only ever means "unsigned";
 * - one stage with throttling, JSON access logs, ERROR execution logs and X-Ray.
 */
export class NewsdeskApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogGroup: logs.LogGroup;
  readonly stageName: string;
  /** `Access-Control-Allow-Origin` of responses API Gateway makes itself (a mapping expression). */
  private readonly errorOrigin: string;
  private readonly errorHeaders: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: NewsdeskApiProps) {
    super(scope, id);
    this.stageName = props.stageName ?? 'v1';
    const publicOrigins = [...(props.publicOrigins ?? ['*'])];
    const editorOrigins = [...(props.editorOrigins ?? ['*'])];

    // Responses API Gateway makes itself cannot tell which CORS rule applies, so they
    // use the widest configured one. Their bodies are fixed problem documents holding
    // no data, so echoing a caller's origin (several origins configured) discloses nothing.
    const allOrigins = [...new Set([...publicOrigins, ...editorOrigins])];
    const single = allOrigins.includes('*') ? '*' : allOrigins.length === 1 ? allOrigins[0] : undefined;
    this.errorOrigin = single === undefined ? 'method.request.header.Origin' : quote(single);
    this.errorHeaders = {
      'Access-Control-Allow-Origin': this.errorOrigin,
      'Access-Control-Expose-Headers': quote(EXPOSE_HEADERS.join(', ')),
      'X-Content-Type-Options': quote('nosniff'),
      'Cache-Control': quote('no-store'),
      ...(single === undefined ? { Vary: quote('Origin') } : {}),
    };

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Newsdesk article-publishing API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Execution logging needs the account-level API Gateway CloudWatch role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: this.stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? 100,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            ip: apigw.AccessLogField.contextIdentitySourceIp(),
            caller: apigw.AccessLogField.contextIdentityCaller(),
            user: apigw.AccessLogField.contextIdentityUser(),
            userArn: apigw.AccessLogField.contextIdentityUserArn(),
            requestTime: apigw.AccessLogField.contextRequestTime(),
            httpMethod: apigw.AccessLogField.contextHttpMethod(),
            resourcePath: apigw.AccessLogField.contextResourcePath(),
            path: apigw.AccessLogField.contextPath(),
            status: apigw.AccessLogField.contextStatus(),
            protocol: apigw.AccessLogField.contextProtocol(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            responseLatency: apigw.AccessLogField.contextResponseLatency(),
            integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
            integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
            errorType: apigw.AccessLogField.contextErrorResponseType(),
            errorMessage: apigw.AccessLogField.contextErrorMessage(),
            xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
          }),
        ),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
      },
    });

    for (const [type, problem] of GATEWAY_PROBLEMS) {
      this.api.addGatewayResponse(`Gateway${type.responseType}`, {
        type,
        statusCode: String(PROBLEMS[problem.code].status),
        responseHeaders: {
          'Content-Type': quote(PROBLEM_CONTENT_TYPE),
          ...this.errorHeaders,
          ...problem.headers,
        },
        templates: {
          'application/json': problemBody(problem),
          [PROBLEM_CONTENT_TYPE]: problemBody(problem),
        },
      });
    }

    this.addRoutes(props, publicOrigins, editorOrigins);
    this.addOpenApiRoute(props, publicOrigins);

    acknowledge(
      this.api,
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Every handler validates its request (strict zod schemas, size and media type checks) and answers problem+json; an API Gateway validator cannot express those rules and would answer in another format.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL in this stack: stage throttling bounds abuse, editor routes need SigV4, and a web ACL (with its cost) can be associated per environment outside the stack.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level API Gateway logging role (needed for ERROR execution logs) uses the AWS managed policy made for exactly that purpose.',
      },
    );
  }

  private addRoutes(props: NewsdeskApiProps, publicOrigins: string[], editorOrigins: string[]): void {
    const maxAge = props.preflightMaxAge ?? Duration.seconds(PREFLIGHT_MAX_AGE_SECONDS);
    const byResource = new Map<string, RouteDefinition[]>();
    for (const route of props.routes) {
      byResource.set(route.resource, [...(byResource.get(route.resource) ?? []), route]);
    }

    const resources = new Map<string, apigw.IResource>([['/', this.api.root]]);
    const resourceFor = (path: string): apigw.IResource => {
      const existing = resources.get(path);
      if (existing) return existing;
      const cut = path.lastIndexOf('/');
      const parent = resourceFor(cut === 0 ? '/' : path.slice(0, cut));
      const routes = byResource.get(path);
      let options: apigw.ResourceOptions = {};
      if (routes) {
        const auth = routes[0]?.auth;
        if (routes.some((route) => route.auth !== auth)) {
          throw new Error(`Resource ${path} mixes public and editor routes`);
        }
        const editor = auth === 'editor';
        options = {
          defaultCorsPreflightOptions: {
            allowOrigins: editor ? editorOrigins : publicOrigins,
            allowHeaders: [...(editor ? EDITOR_ALLOW_HEADERS : PUBLIC_ALLOW_HEADERS)],
            allowMethods: routes.map((route) => route.method),
            maxAge,
            statusCode: 204,
          },
        };
      }
      const resource = parent.addResource(path.slice(cut + 1), options);
      resources.set(path, resource);
      return resource;
    };

    for (const [path, routes] of byResource) {
      const resource = resourceFor(path);
      for (const route of routes) {
        const handler = props.handlers.get(route.id);
        if (!handler) throw new Error(`No function for route ${route.id}`);
        const method = resource.addMethod(
          route.method,
          new apigw.LambdaIntegration(handler, { proxy: true, allowTestInvoke: false }),
          {
            authorizationType:
              route.auth === 'editor' ? apigw.AuthorizationType.IAM : apigw.AuthorizationType.NONE,
            operationName: route.id,
          },
        );
        if (route.auth === 'public') {
          this.acknowledgeUnauthenticated(
            method,
            'Public read route of the contract (API.md): anyone may read published articles.',
          );
        } else {
          acknowledge(method, {
            id: 'AwsSolutions-COG4',
            reason:
              'Editor routes are authorized with AWS_IAM (SigV4-signed by IAM users or roles holding the EditorPolicy), not a Cognito user pool.',
          });
        }
      }
      const allow = [...routes.map((route) => route.method), 'OPTIONS'].join(', ');
      this.addFallback(resource, 'method-not-allowed', `This route accepts ${allow}.`, {
        Allow: quote(allow),
      });
      const preflight = resource.node.tryFindChild('OPTIONS');
      if (preflight) {
        this.acknowledgeUnauthenticated(
          preflight,
          'CORS preflight: browsers send OPTIONS without credentials, so it cannot require a signature.',
        );
      }
    }

    // Paths that are no route: the root, intermediate segments such as /editor, and
    // anything deeper or elsewhere ({proxy+} matches only when nothing else does).
    for (const [path, resource] of resources) {
      if (!byResource.has(path)) this.addFallback(resource, 'not-found', 'No such route.');
    }
    this.addFallback(this.api.root.addResource('{proxy+}'), 'not-found', 'No such route.');
  }

  /**
   * `GET /openapi.json`: the contract, public, from a mock integration (no function),
   * with the public routes' CORS rule, a preflight and the 405 fallback.
   */
  private addOpenApiRoute(props: NewsdeskApiProps, publicOrigins: string[]): void {
    const template = openApiTemplate(props.openApiDocument ?? readOpenApiFile());
    const resource = this.api.root.addResource(OPENAPI_PATH.slice(1), {
      defaultCorsPreflightOptions: {
        allowOrigins: publicOrigins,
        allowHeaders: [...PUBLIC_ALLOW_HEADERS],
        allowMethods: ['GET'],
        maxAge: props.preflightMaxAge ?? Duration.seconds(PREFLIGHT_MAX_AGE_SECONDS),
        statusCode: 204,
      },
    });
    const single = publicOrigins.includes('*')
      ? '*'
      : publicOrigins.length === 1
        ? publicOrigins[0]
        : undefined;
    const headers: Record<string, string> = {
      'Content-Type': quote(OPENAPI_CONTENT_TYPE),
      'Cache-Control': quote(OPENAPI_CACHE_CONTROL),
      'X-Content-Type-Options': quote('nosniff'),
      ...(single === undefined
        ? { Vary: quote('Origin') }
        : { 'Access-Control-Allow-Origin': quote(single) }),
    };
    // Several origins: echo the caller's Origin, as the 404/405 fallbacks do.
    const echo =
      single === undefined
        ? "#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params().header.get('Origin'))\n"
        : '';
    const method = resource.addMethod(
      'GET',
      new apigw.MockIntegration({
        requestTemplates: { 'application/json': JSON.stringify({ statusCode: 200 }) },
        passthroughBehavior: apigw.PassthroughBehavior.WHEN_NO_MATCH,
        integrationResponses: [
          {
            statusCode: '200',
            responseTemplates: { 'application/json': `${echo}${template}` },
            responseParameters: Object.fromEntries(
              Object.entries(headers).map(([name, value]) => [`method.response.header.${name}`, value]),
            ),
          },
        ],
      }),
      {
        authorizationType: apigw.AuthorizationType.NONE,
        operationName: 'GetOpenApiDocument',
        methodResponses: [
          {
            statusCode: '200',
            responseParameters: Object.fromEntries(
              [...Object.keys(headers), ...(single === undefined ? ['Access-Control-Allow-Origin'] : [])].map(
                (name) => [`method.response.header.${name}`, true],
              ),
            ),
          },
        ],
      },
    );
    this.acknowledgeUnauthenticated(
      method,
      'The public API contract (openapi.json) from a mock integration; it reaches no function and no data.',
    );
    this.addFallback(resource, 'method-not-allowed', 'This route accepts GET, OPTIONS.', {
      Allow: quote('GET, OPTIONS'),
    });
    const preflight = resource.node.tryFindChild('OPTIONS');
    if (preflight) {
      this.acknowledgeUnauthenticated(
        preflight,
        'CORS preflight: browsers send OPTIONS without credentials, so it cannot require a signature.',
      );
    }
  }

  /** An unauthenticated ANY method answering a fixed problem from a mock integration. */
  private addFallback(
    resource: apigw.IResource,
    code: ProblemCode,
    detail: string,
    extraHeaders: Readonly<Record<string, string>> = {},
  ): void {
    const headers: Record<string, string> = {
      'Content-Type': quote(PROBLEM_CONTENT_TYPE),
      ...this.errorHeaders,
      ...extraHeaders,
    };
    // Integration responses cannot map request headers: with several origins the
    // caller's Origin is echoed by the template instead.
    const echoOrigin = !this.errorOrigin.startsWith("'");
    const staticHeaders = Object.entries(headers).filter(
      ([name]) => !(echoOrigin && name === 'Access-Control-Allow-Origin'),
    );
    const body = problemBody({ code, detail });
    const status = PROBLEMS[code].status;
    const template = echoOrigin
      ? `#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params().header.get('Origin'))\n${body}`
      : body;
    const statusCode = String(status);
    const method = resource.addMethod(
      'ANY',
      new apigw.MockIntegration({
        requestTemplates: { 'application/json': JSON.stringify({ statusCode: status }) },
        // Any Content-Type reaches the mock: the answer is the same whatever was sent.
        passthroughBehavior: apigw.PassthroughBehavior.WHEN_NO_MATCH,
        integrationResponses: [
          {
            statusCode,
            responseTemplates: { 'application/json': template },
            responseParameters: Object.fromEntries(
              staticHeaders.map(([name, value]) => [`method.response.header.${name}`, value]),
            ),
          },
        ],
      }),
      {
        authorizationType: apigw.AuthorizationType.NONE,
        methodResponses: [
          {
            statusCode,
            responseParameters: Object.fromEntries(
              Object.keys(headers).map((name) => [`method.response.header.${name}`, true]),
            ),
          },
        ],
      },
    );
    this.acknowledgeUnauthenticated(
      method,
      `Fallback answering a fixed ${status} problem from a mock integration; it reaches no function and no data.`,
    );
  }

  private acknowledgeUnauthenticated(method: Construct, reason: string): void {
    acknowledge(
      method,
      { id: 'AwsSolutions-APIG4', reason },
      { id: 'AwsSolutions-COG4', reason: `${reason} Editor routes use IAM (SigV4), not Cognito.` },
    );
  }
}
