import { defineConfig } from 'vitest/config';

// The server's unit and integration tests (beside the code), and the browser
// journeys in e2e/. Both run on PGlite by default and on PostgreSQL when DATABASE_URL is set.

/** Server tests that mock a module (vi.mock): they need a module graph of their own. */
const ISOLATED = ['src/server/app.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: [...ISOLATED, 'node_modules/**'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // PGlite holds ~300 MB per file; two files at a time fit the 2-core machine.
          maxWorkers: 2,
          // One module graph per worker, not per file: importing the app (Fastify, drizzle, sharp,
          // the job queue …) anew for each of ~100 files cost about 250 s of the pass's CPU.
          // Every file builds its own app and database (testing/harness.ts), so nothing a test
          // sees is shared; files that mock a module run isolated below.
          isolate: false,
        },
      },
      {
        test: {
          name: 'server-isolated',
          include: ISOLATED,
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
