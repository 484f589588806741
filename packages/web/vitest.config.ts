import { defineConfig } from 'vitest/config';

// Unit tests (src/**/*.test.ts) and browser tests (e2e/): the real server (packages/server/test/e2e-server.ts) serving the built app in
// dist/, driven by playwright-core with Debian's Chromium. `npm test -w @meridian/web` builds first.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'],
    // The server's migrated template database, copied by each file's server (packages/server/test/db.ts).
    globalSetup: ['../server/test/global-setup.ts'],
    pool: 'forks',
    // Each file starts its own server, database and browser (e2e/harness.ts), so files run side by side.
    maxWorkers: 2,
    // A worker runs many files and imports the server once (each file still has its own server,
    // database and browser); a file that changes process.env restores it.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for the page like Playwright's own waits do.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    reporters: ['default'],
  },
});
