import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/** Resolve workspace packages to their TypeScript source (the `source` export condition) so tests need no build. */
const conditions = ['source', 'module', 'node', 'development|production'];

export function packageProject(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...test,
    },
  });
}
