import { defineConfig } from 'vitest/config';

// The README's screenshots (screenshots/*.screens.ts): run on demand, not by `npm test`.
export default defineConfig({
  test: {
    include: ['screenshots/**/*.screens.ts'],
    // The server's migrated template database, copied by each file's server (packages/server/test/db.ts).
    globalSetup: ['../server/test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 900_000,
    hookTimeout: 700_000,
    expect: { poll: { timeout: 15_000, interval: 100 } },
  },
});
