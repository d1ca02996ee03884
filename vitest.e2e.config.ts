import { defineConfig } from 'vitest/config';

// Browser flows: one file at a time, since each drives Chromium and a server on two cores.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
