import { defineConfig } from 'vitest/config';

// The AWS SDK warns once per process that its 2027 releases will need Node 22; we pin via the lockfile.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run (random port, in memory), always stopped.
    globalSetup: ['test/setup/dynamodb-local.ts'],
    // Handlers read their configuration once at cold start; tests get a fixed one.
    env: {
      TABLE_NAME: 'newsdesk-test',
      CURSOR_SECRET: 'test-cursor-secret-0123456789abcdef0123456789',
      PUBLIC_ORIGINS: '*',
      EDITOR_ORIGINS: '*',
      CACHE_MAX_AGE: '60',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
