import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'processors/**/*.test.ts', 'src/**/*.test.ts'],
    // Tests start real servers and child processes; run files one at a time on 2 cores
    // so timing-sensitive tests (leases, heartbeats) are not starved.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
