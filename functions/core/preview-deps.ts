import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { PreviewService } from './preview.ts';
import { PREVIEW_KEY_SECRET_ENV } from './preview-env.ts';
import { defaultArticleStore } from './read-deps.ts';

/** How long the key is kept in memory before Secrets Manager is asked again (a replaced key takes effect). */
const KEY_MAX_AGE_SECONDS = 15 * 60;

/**
 * The preview signing key, from Secrets Manager through Powertools Parameters (cached per
 * process). Deployed, only the two preview functions may read the secret; locally the local
 * server answers for Secrets Manager (`AWS_ENDPOINT_URL_SECRETS_MANAGER`, local/secrets.ts).
 */
export async function previewKey(): Promise<string> {
  const name = process.env[PREVIEW_KEY_SECRET_ENV];
  if (name === undefined || name === '') throw new Error(`${PREVIEW_KEY_SECRET_ENV} is not set`);
  const key = await getSecret(name, { maxAge: KEY_MAX_AGE_SECONDS });
  if (typeof key !== 'string' || key.length < 32)
    throw new Error('the preview signing key is missing or too short');
  return key;
}

let service: PreviewService | undefined;

/**
 * The process-wide preview service, built once at cold start; the key is fetched then too
 * (a failure is retried by the first request that needs it).
 */
export function defaultPreviewService(): PreviewService {
  if (service === undefined) {
    let pending: Promise<string> | undefined = previewKey();
    pending.catch(() => {
      pending = undefined;
    });
    service = new PreviewService({
      store: defaultArticleStore(),
      key: () => {
        const key = pending ?? previewKey();
        pending = undefined;
        return key;
      },
    });
  }
  return service;
}
