import { packageBuild } from '../../tsup.base.ts';

// `shims` gives the CommonJS build an `import.meta.url`, which the migrator uses to find migrations/*.sql.
export default packageBuild(
  { index: 'src/index.ts', cli: 'src/cli.ts' },
  { external: ['@blueclerk/core'], shims: true },
);
