import { defineConfig } from 'vitest/config';

// The Swagger UI check in a real (Debian) Chromium, driven by playwright-core. Run by `npm run test:browser`.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['browser/*.browser.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
