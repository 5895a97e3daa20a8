/**
 * The rehearsal is not vacuous: a synthesized policy missing one action makes the run
 * report that denial (function, action, resource) and fail; a function whose template
 * lacks a variable its code requires fails at load, naming both; a template element the
 * rehearsal does not emulate stops it with the resource and the missing feature.
 *
 * Each case mutates a private copy of the run's one shared `cdk synth`.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { FunctionLoadError, UnsupportedTemplateError } from '../../rehearsal/errors.ts';
import { startRehearsal } from '../../rehearsal/rehearsal.ts';
import type { CfnTemplate, JsonObject } from '../../rehearsal/template.ts';
import { childEnv, spawnTsx } from '../e2e/support/process.ts';
import { mutatedCdkOut } from './support/synth.ts';

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

async function mutated(name: string, mutate: (template: CfnTemplate) => void): Promise<string> {
  const dir = await mutatedCdkOut(name, mutate);
  copies.push(dir);
  return dir;
}

/** The resource whose logical id starts with `prefix` (CDK appends a hash). */
function resource(template: CfnTemplate, prefix: string, type: string): JsonObject {
  const found = Object.entries(template.Resources).find(
    ([id, r]) => id.startsWith(prefix) && r.Type === type,
  );
  if (found === undefined) throw new Error(`no ${type} ${prefix}* in the template`);
  return found[1].Properties as JsonObject;
}

describe('a policy missing one action', () => {
  it('is reported by function, action and resource, and fails the run', async () => {
    const cdkOut = await mutated('no-getitem', (template) => {
      const policy = resource(template, 'GetArticleRoleDefaultPolicy', 'AWS::IAM::Policy');
      const statements = (policy.PolicyDocument as JsonObject).Statement as JsonObject[];
      const before = JSON.stringify(statements);
      for (const statement of statements) {
        const actions = ([] as unknown[]).concat(statement.Action);
        statement.Action = actions.filter((action) => action !== 'dynamodb:GetItem') as string[];
      }
      if (JSON.stringify(statements) === before)
        throw new Error('GetArticle was not granted dynamodb:GetItem');
    });
    const child = spawnTsx(
      [
        'bin/rehearse.ts',
        '--no-synth',
        '--cdk-out',
        cdkOut,
        '--smoke',
        '--quiet',
        '--port',
        '0',
        '--dynamodb-endpoint',
        inject('dynamodbEndpoint'),
      ],
      childEnv({ NEWSDESK_EDITOR_ACCESS_KEY_ID: undefined, NEWSDESK_EDITOR_SECRET_ACCESS_KEY: undefined }),
    );
    const { code } = await child.exited();
    const output = child.output();
    expect(code, output).toBe(1);
    expect(output).toContain('Rehearsal report: FAILED');
    const denials = output.split('\n').filter((line) => line.trim().startsWith('DENIED'));
    expect(denials.length, output).toBeGreaterThan(0);
    for (const line of denials) {
      expect(line).toMatch(
        /DENIED {2}GetArticle\/Function \(GetArticleFunction[0-9A-F]+\): dynamodb:GetItem on arn:aws:dynamodb:us-east-1:000000000000:table\/Newsdesk-ArticlesTable[0-9A-F]+-[A-Z0-9]+ {2}\[GetItem\]/,
      );
    }
  }, 120_000);
});

describe('a variable the code requires, missing from the template', () => {
  it('fails at load, naming the function and the variable', async () => {
    const cdkOut = await mutated('no-cursor-secret', (template) => {
      const fn = resource(template, 'CreateArticleFunction', 'AWS::Lambda::Function');
      const variables = (fn.Environment as JsonObject).Variables as JsonObject;
      delete variables.CURSOR_SECRET;
    });
    const started = startRehearsal({ cdkOut, dynamodbEndpoint: inject('dynamodbEndpoint') });
    await expect(started).rejects.toThrow(FunctionLoadError);
    await expect(started).rejects.toThrow(/function CreateArticle\/Function failed to load: .*CURSOR_SECRET/);
  }, 60_000);
});

describe('a template the rehearsal cannot emulate', () => {
  it('stops at a resource type it does not know, naming the resource', async () => {
    const cdkOut = await mutated('unknown-type', (template) => {
      (template.Resources as Record<string, unknown>).EventsTopic = {
        Type: 'AWS::SNS::Topic',
        Properties: {},
      };
    });
    const started = startRehearsal({ cdkOut, dynamodbEndpoint: inject('dynamodbEndpoint') });
    await expect(started).rejects.toThrow(UnsupportedTemplateError);
    await expect(started).rejects.toThrow(
      'EventsTopic: resource type AWS::SNS::Topic is not emulated by the rehearsal',
    );
  });

  it('stops at an integration kind it does not know, naming the method', async () => {
    let methodId = '';
    const cdkOut = await mutated('unknown-integration', (template) => {
      const [id, method] = Object.entries(template.Resources).find(
        ([logicalId, r]) => r.Type === 'AWS::ApiGateway::Method' && logicalId.startsWith('ApiarticlesGET'),
      ) ?? ['', undefined];
      if (method === undefined) throw new Error('no GET /articles method');
      methodId = id;
      (method.Properties as JsonObject).Integration = {
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'GET',
        Uri: 'https://example.com/articles',
      };
    });
    await expect(startRehearsal({ cdkOut, dynamodbEndpoint: inject('dynamodbEndpoint') })).rejects.toThrow(
      `${methodId}: integration type HTTP_PROXY is not emulated by the rehearsal`,
    );
  });

  it('stops at a method authorization it does not know', async () => {
    const cdkOut = await mutated('unknown-authorizer', (template) => {
      for (const r of Object.values(template.Resources)) {
        if (r.Type === 'AWS::ApiGateway::Method' && r.Properties?.AuthorizationType === 'AWS_IAM') {
          (r.Properties as JsonObject).AuthorizationType = 'COGNITO_USER_POOLS';
        }
      }
    });
    await expect(startRehearsal({ cdkOut, dynamodbEndpoint: inject('dynamodbEndpoint') })).rejects.toThrow(
      /authorization type COGNITO_USER_POOLS is not emulated/,
    );
  });
});
