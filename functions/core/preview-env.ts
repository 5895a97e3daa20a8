/**
 * The environment variable naming the preview signing key's secret (its ARN deployed, a
 * name locally): never the key itself. Pure data, shared by the stack, the local server,
 * the rehearsal and the preview functions.
 */
export const PREVIEW_KEY_SECRET_ENV = 'PREVIEW_KEY_SECRET';
