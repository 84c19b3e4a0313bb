import { defineConfig } from 'vitest/config';

// Black-box suite: talks HTTP to E2E_BASE_URL (set by e2e/run.mjs or by the deploy workflow). Files run one
// after another because several tests assert that the listing did not change while they ran.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.e2e.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A deployed stage answers over the internet: one retry absorbs a cold start or a dropped connection.
    retry: Number(process.env.E2E_RETRY ?? 0),
  },
});
