import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // A worker process runs many files and imports the app once, not once per file (~3.5 s each).
    // Files share nothing else: each boots its own database and platform (state hangs off the
    // platform, in WeakMaps), and a file that sets process.env restores it.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
