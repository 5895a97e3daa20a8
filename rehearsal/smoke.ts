/**
 * `npm run rehearse -- --smoke`: one pass over every route of the rehearsed API (publish,
 * read, list, replace, replay a create, take down, preflight, an unknown route), so that
 * every function runs and every IAM grant it needs is exercised. The rehearsal's report
 * then says whether the stack as deployed would have served it.
 */
import { randomUUID } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { REGION } from './template.ts';

export interface SmokeStep {
  readonly name: string;
  readonly expected: number;
  readonly status: number;
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** fetch() signed with SigV4 for execute-api, as an AWS SDK client signs. */
export async function signedFetch(
  credentials: Credentials,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const target = new URL(url);
  const query: Record<string, string> = Object.fromEntries(target.searchParams);
  const signer = new SignatureV4({
    credentials,
    region: REGION,
    service: 'execute-api',
    sha256: Sha256,
    applyChecksum: false,
  });
  const method = init.method ?? 'GET';
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      query,
      headers: { host: target.host, ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    }),
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host'));
  return fetch(url, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
}

/** Runs the pass; resolves with each step's expected and actual status. */
export async function smoke(baseUrl: string, credentials: Credentials): Promise<SmokeStep[]> {
  const steps: SmokeStep[] = [];
  const slug = `rehearsal-${randomUUID().slice(0, 8)}`;
  const json = { 'content-type': 'application/json' };
  const step = async (name: string, expected: number, response: Promise<Response>) => {
    const answered = await response;
    await answered.arrayBuffer();
    steps.push({ name, expected, status: answered.status });
    return answered;
  };
  const article = JSON.stringify({
    title: 'Rehearsal',
    slug,
    body: 'Served by the *rehearsal*.',
    tags: ['rehearsal'],
  });
  const idempotent = { ...json, 'idempotency-key': randomUUID() };

  const created = await step(
    'POST /editor/articles',
    201,
    signedFetch(credentials, `${baseUrl}/editor/articles`, {
      method: 'POST',
      headers: idempotent,
      body: article,
    }),
  );
  await step(
    'POST /editor/articles (Idempotency-Key replay)',
    201,
    signedFetch(credentials, `${baseUrl}/editor/articles`, {
      method: 'POST',
      headers: idempotent,
      body: article,
    }),
  );
  await step('GET /articles/{slug}', 200, fetch(`${baseUrl}/articles/${slug}`));
  await step('GET /articles', 200, fetch(`${baseUrl}/articles?tag=rehearsal`));
  await step(
    'GET /editor/articles',
    200,
    signedFetch(credentials, `${baseUrl}/editor/articles?status=published`),
  );
  await step(
    'GET /editor/articles/{slug}',
    200,
    signedFetch(credentials, `${baseUrl}/editor/articles/${slug}`),
  );
  const etag = created.headers.get('etag') ?? '';
  await step(
    'PUT /editor/articles/{slug}',
    200,
    signedFetch(credentials, `${baseUrl}/editor/articles/${slug}`, {
      method: 'PUT',
      headers: { ...json, 'if-match': etag },
      body: JSON.stringify({ title: 'Rehearsal', body: 'Replaced.' }),
    }),
  );
  await step(
    'DELETE /editor/articles/{slug}',
    204,
    signedFetch(credentials, `${baseUrl}/editor/articles/${slug}`, { method: 'DELETE' }),
  );
  await step('GET /articles/{slug} after take-down', 404, fetch(`${baseUrl}/articles/${slug}`));
  await step(
    'OPTIONS /editor/articles/{slug}',
    204,
    fetch(`${baseUrl}/editor/articles/${slug}`, { method: 'OPTIONS' }),
  );
  await step('GET /openapi.json', 200, fetch(`${baseUrl}/openapi.json`));
  await step('GET /no-such-route', 404, fetch(`${baseUrl}/no-such-route`));
  await step(
    'POST /editor/articles unsigned',
    403,
    fetch(`${baseUrl}/editor/articles`, { method: 'POST', headers: json, body: article }),
  );
  return steps;
}
