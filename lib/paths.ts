import { fileURLToPath } from 'node:url';

/** The project root (the directory holding package.json), wherever the app is run from. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
