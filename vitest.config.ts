import { defineConfig } from 'vitest/config';

// Unit and integration suites run under plain Node; the browser e2e suite has its own config
// (vitest.e2e.config.ts) because it needs a built renderer and Debian's Chromium.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
