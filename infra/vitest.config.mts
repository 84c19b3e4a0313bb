import { defineConfig } from 'vitest/config';

// Synthesising the whole app takes a few seconds; tests share one synthesised app per file (see test/test-app.ts).
export default defineConfig({
  test: {
    include: ['lib/**/*.spec.ts', 'test/**/*.spec.ts', 'scripts/**/*.spec.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
