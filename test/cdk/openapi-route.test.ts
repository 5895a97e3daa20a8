/**
 * GET /openapi.json in the stack: public, a mock integration (no function) answering the
 * committed openapi.json, with CORS, a preflight and the 405 fallback. Bundling is
 * skipped (`aws:cdk:bundling-stacks: []`): stack.test.ts builds the real bundles.
 */
import { describe, expect, it } from 'vitest';
import { PUBLIC_ALLOW_HEADERS } from '../../functions/core/contract.ts';
import { MAX_MAPPING_TEMPLATE_BYTES, openApiTemplate } from '../../lib/newsdesk-api.ts';
import { OPENAPI_CACHE_CONTROL, OPENAPI_CONTENT_TYPE, readOpenApiFile } from '../../openapi/file.ts';
import { synthesize } from './synth.ts';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json };

/** Methods of the `/openapi.json` resource, by HTTP method. */
function openApiMethods(context: Record<string, unknown>): Map<string, Json> {
  const { template } = synthesize({ 'aws:cdk:bundling-stacks': [], ...context });
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const [resourceId] =
    Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::ApiGateway::Resource' && r.Properties?.PathPart === 'openapi.json',
    ) ?? [];
  expect(resourceId, 'an /openapi.json resource').toBeDefined();
  const methods = new Map<string, Json>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGateway::Method') continue;
    const props = resource.Properties ?? {};
    if ((props.ResourceId as Json | undefined)?.Ref === resourceId)
      methods.set(String(props.HttpMethod), props);
  }
  return methods;
}

const integrationResponse = (method: Json | undefined): Json =>
  (((method?.Integration ?? {}) as Json).IntegrationResponses as Json[] | undefined)?.[0] ?? {};

/** The document a `$util.base64Decode('...')` template answers. */
function decode(template: string): string {
  const match = /\$util\.base64Decode\('([A-Za-z0-9+/=]+)'\)$/.exec(template);
  if (match === null) throw new Error(`not a base64Decode template: ${template.slice(0, 80)}`);
  return Buffer.from(match[1] ?? '', 'base64').toString('ascii');
}

describe('GET /openapi.json in the stack', () => {
  it('answers the committed document from a mock integration, public, with CORS', () => {
    const methods = openApiMethods({});
    const get = methods.get('GET');
    expect(get).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
    const response = integrationResponse(get);
    expect(response.StatusCode).toBe('200');
    const template = String((response.ResponseTemplates as Json)['application/json']);
    expect(decode(template)).toBe(readOpenApiFile());
    // No VTL directive or reference other than the one call: `#` and `$` never reach Velocity.
    expect(template).not.toContain('#');
    expect(template.match(/\$/g)).toHaveLength(1);
    expect(Buffer.byteLength(template)).toBeLessThan(MAX_MAPPING_TEMPLATE_BYTES);
    expect(response.ResponseParameters).toEqual({
      'method.response.header.Content-Type': `'${OPENAPI_CONTENT_TYPE}'`,
      'method.response.header.Cache-Control': `'${OPENAPI_CACHE_CONTROL}'`,
      'method.response.header.X-Content-Type-Options': "'nosniff'",
      'method.response.header.Access-Control-Allow-Origin': "'*'",
    });

    const preflight = methods.get('OPTIONS');
    expect(preflight).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
    expect(integrationResponse(preflight).ResponseParameters).toMatchObject({
      'method.response.header.Access-Control-Allow-Origin': "'*'",
      'method.response.header.Access-Control-Allow-Headers': `'${PUBLIC_ALLOW_HEADERS.join(',')}'`,
      'method.response.header.Access-Control-Allow-Methods': "'GET'",
    });

    const fallback = methods.get('ANY');
    expect(fallback).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
    expect(integrationResponse(fallback)).toMatchObject({
      StatusCode: '405',
      ResponseParameters: expect.objectContaining({ 'method.response.header.Allow': "'GET, OPTIONS'" }),
    });
    expect([...methods.keys()].sort()).toEqual(['ANY', 'GET', 'OPTIONS']);
  });

  it('echoes the caller Origin when several public origins are configured', () => {
    const methods = openApiMethods({ publicOrigins: ['https://a.example', 'https://b.example'] });
    const response = integrationResponse(methods.get('GET'));
    const template = String((response.ResponseTemplates as Json)['application/json']);
    const [first, second] = template.split('\n');
    expect(first).toBe(
      "#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params().header.get('Origin'))",
    );
    expect(decode(second ?? '')).toBe(readOpenApiFile());
    expect(response.ResponseParameters).toMatchObject({ 'method.response.header.Vary': "'Origin'" });
  });

  it('refuses a document that is not ASCII or does not fit in a mapping template', () => {
    expect(() => openApiTemplate('{"title":"caf\u00e9"}')).toThrow(/ASCII/);
    expect(() => openApiTemplate(`"${'x'.repeat(MAX_MAPPING_TEMPLATE_BYTES)}"`)).toThrow(/too large/);
  });
});
