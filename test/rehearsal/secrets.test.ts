/**
 * The rehearsal's Secrets Manager endpoint: a template's secret is served to a function
 * whose policies allow `secretsmanager:GetSecretValue` on it, and refused (as Secrets
 * Manager refuses it, and recorded) to any other.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller, Denial } from '../../rehearsal/dynamodb-proxy.ts';
import { startSecretsEndpoint } from '../../rehearsal/secrets.ts';
import { type CfnTemplate, Resolver } from '../../rehearsal/template.ts';

const template: CfnTemplate = {
  Resources: {
    PreviewKey: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: { GenerateSecretString: { PasswordLength: 40 } },
    },
    Other: { Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: 'other-secret' } },
  },
};

describe('the rehearsal Secrets Manager endpoint', () => {
  const resolver = new Resolver('Stack', template);
  const arn = resolver.physicalId('PreviewKey');
  const denials: Denial[] = [];
  const caller = (name: string, resources: string[]): Caller => ({
    name,
    logicalId: name,
    principalArn: `arn:aws:sts::000000000000:assumed-role/${name}/${name}`,
    statements: [{ effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources, source: name }],
  });
  const callers = new Map([
    ['ASIAALLOWED', caller('Allowed', [arn])],
    ['ASIADENIED', caller('Denied', [])],
  ]);
  let endpoint: Awaited<ReturnType<typeof startSecretsEndpoint>>;
  beforeAll(async () => {
    endpoint = await startSecretsEndpoint({ resolver, callers, onDenial: (denial) => denials.push(denial) });
  });
  afterAll(() => endpoint.close());
  const client = (accessKeyId: string) =>
    new SecretsManagerClient({
      endpoint: endpoint.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey: 'x' },
      maxAttempts: 1,
    });

  it('serves the secret to a function allowed to read it', async () => {
    const answer = await client('ASIAALLOWED').send(new GetSecretValueCommand({ SecretId: arn }));
    expect(answer.SecretString).toHaveLength(40);
    expect(answer.ARN).toBe(arn);
    expect(denials).toEqual([]);
  });

  it('refuses, and records, a function without the grant, and another secret', async () => {
    await expect(
      client('ASIADENIED').send(new GetSecretValueCommand({ SecretId: arn })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    const other = resolver.physicalId('Other');
    await expect(
      client('ASIAALLOWED').send(new GetSecretValueCommand({ SecretId: other })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(denials.map((denial) => [denial.function, denial.action, denial.resource])).toEqual([
      ['Denied', 'secretsmanager:GetSecretValue', arn],
      ['Allowed', 'secretsmanager:GetSecretValue', other],
    ]);
  });
});
