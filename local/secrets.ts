/**
 * A stand-in for AWS Secrets Manager on 127.0.0.1 that answers the one call Newsdesk makes,
 * `GetSecretValue` (JSON 1.1 protocol, `X-Amz-Target: secretsmanager.GetSecretValue`), as
 * Secrets Manager answers it. The SDK (and so Powertools Parameters) is pointed at it with
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`. The local server serves the preview signing key with
 * it; the deploy rehearsal serves the template's secrets, after checking the caller's IAM
 * policies (rehearsal/secrets.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const JSON_11 = 'application/x-amz-json-1.1';
const TARGET = 'secretsmanager.GetSecretValue';

export interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly value: string;
}

/** What the stand-in answers a GetSecretValue with. */
export type SecretAnswer =
  | { readonly kind: 'value'; readonly secret: StoredSecret }
  | { readonly kind: 'denied'; readonly message: string }
  | { readonly kind: 'not-found' };

export interface SecretsStandInOptions {
  /**
   * The answer for a secret id (name or ARN), given the access key id that signed the
   * request (the caller), if any.
   */
  readonly answer: (secretId: string, accessKeyId: string | undefined) => SecretAnswer;
}

export interface SecretsStandIn {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Lets the process end while the stand-in still listens. */
  unref(): void;
  close(): Promise<void>;
}

/** The secret id → value lookup of a fixed set of secrets, by name or ARN. */
export function fixedSecrets(secrets: readonly StoredSecret[]): SecretsStandInOptions['answer'] {
  return (secretId) => {
    const secret = secrets.find((candidate) => candidate.name === secretId || candidate.arn === secretId);
    return secret === undefined ? { kind: 'not-found' } : { kind: 'value', secret };
  };
}

/** The ARN a local secret is reported with (Secrets Manager appends six random characters). */
export const localSecretArn = (name: string, region = 'us-east-1') =>
  `arn:aws:secretsmanager:${region}:000000000000:secret:${name}-local0`;

function reply(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': JSON_11,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(body);
}

const failure = (res: ServerResponse, status: number, type: string, message: string) =>
  reply(res, status, { __type: type, message, Message: message });

const accessKeyOf = (authorization: string | undefined) =>
  /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];

async function handle(req: IncomingMessage, res: ServerResponse, options: SecretsStandInOptions) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (req.method !== 'POST' || req.headers['x-amz-target'] !== TARGET) {
    failure(res, 400, 'InvalidRequestException', 'Only GetSecretValue is emulated here.');
    return;
  }
  let secretId: unknown;
  try {
    secretId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown }).SecretId;
  } catch {
    failure(res, 400, 'InvalidRequestException', 'The request body is not JSON.');
    return;
  }
  if (typeof secretId !== 'string' || secretId === '') {
    failure(res, 400, 'InvalidParameterException', 'SecretId is required.');
    return;
  }
  const answer = options.answer(secretId, accessKeyOf(req.headers.authorization));
  if (answer.kind === 'denied') {
    failure(res, 400, 'AccessDeniedException', answer.message);
    return;
  }
  if (answer.kind === 'not-found') {
    failure(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return;
  }
  reply(res, 200, {
    ARN: answer.secret.arn,
    Name: answer.secret.name,
    SecretString: answer.secret.value,
    VersionId: '00000000-0000-4000-8000-000000000000',
    VersionStages: ['AWSCURRENT'],
    CreatedDate: 0,
  });
}

/** Starts the stand-in on 127.0.0.1 (a free port). */
export async function startSecretsStandIn(options: SecretsStandInOptions): Promise<SecretsStandIn> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    unref: () => {
      server.unref();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
