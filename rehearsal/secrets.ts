/**
 * The Secrets Manager endpoint the rehearsed functions call (`AWS_ENDPOINT_URL_SECRETS_MANAGER`):
 * the local stand-in (local/secrets.ts) serving the template's own secrets, with each
 * `GetSecretValue` authorized first against the calling function's IAM policies from the
 * template, as Secrets Manager does (`secretsmanager:GetSecretValue` on the secret's ARN).
 * The caller is told apart by its access key id, as by the DynamoDB proxy. A refusal is
 * answered as Secrets Manager answers it (`AccessDeniedException`) and recorded.
 */
import { type SecretsStandIn, startSecretsStandIn } from '../local/secrets.ts';
import type { Caller, Denial } from './dynamodb-proxy.ts';
import { evaluate } from './iam.ts';
import type { Resolver } from './template.ts';

export const GET_SECRET_VALUE = 'secretsmanager:GetSecretValue';

export interface SecretsEndpointOptions {
  readonly resolver: Resolver;
  /** The callers by access key id (filled in once the functions are known). */
  readonly callers: ReadonlyMap<string, Caller>;
  readonly onDenial: (denial: Denial) => void;
}

export function startSecretsEndpoint(options: SecretsEndpointOptions): Promise<SecretsStandIn> {
  return startSecretsStandIn({
    answer: (secretId, accessKeyId) => {
      const caller = options.callers.get(accessKeyId ?? '');
      if (caller === undefined) {
        return { kind: 'denied', message: 'The security token included in the request is invalid.' };
      }
      const secret = options.resolver.secret(secretId);
      // Secrets Manager authorizes before it looks: an unknown secret's ARN is checked as named.
      const resource = secret?.arn ?? secretId;
      if (!evaluate(caller.statements, GET_SECRET_VALUE, resource).allowed) {
        options.onDenial({
          function: caller.name,
          logicalId: caller.logicalId,
          action: GET_SECRET_VALUE,
          resource,
          operation: 'GetSecretValue',
        });
        return {
          kind: 'denied',
          message: `User: ${caller.principalArn} is not authorized to perform: ${GET_SECRET_VALUE} on resource: ${resource} because no identity-based policy allows the ${GET_SECRET_VALUE} action`,
        };
      }
      if (secret === undefined) return { kind: 'not-found' };
      return { kind: 'value', secret: { arn: secret.arn, name: secret.name, value: secret.value } };
    },
  });
}
