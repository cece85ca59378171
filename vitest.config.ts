import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Every gateway the suite starts logs into a capture that is searched for credentials after the run.
    globalSetup: ['test/support/suite-secret-scan.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/topologies/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Real Redis Cluster and Sentinel topologies (issue 19/20): many processes each, so one file at a
        // time, after the main project.
        extends: true,
        test: {
          name: 'topologies',
          include: ['test/topologies/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
