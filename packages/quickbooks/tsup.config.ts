import { packageBuild } from '../../tsup.base.ts';

export default packageBuild(
  { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  { external: ['@blueclerk/core', 'msw'] },
);
