// .mts, not .ts: the package is CommonJS, and Vite warns that it loads an ESM-syntax .ts config
// as CommonJS (a path its native config loader, the future default, drops).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Threads crash Temporal's native bridge; each file runs in its own process.
    pool: 'forks',
    // Two cores: two files at a time, each with its own worker, database and task queue.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
