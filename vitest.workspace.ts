// The one list of test projects. The root vitest.config.ts reads it (Vitest 4+ uses `test.projects`).
export default [
  'packages/core',
  'packages/core/vitest.edge.config.ts',
  'packages/quickbooks',
  'packages/prisma',
  'packages/redis',
  'examples/express',
];
