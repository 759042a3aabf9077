import { packageBuild } from '../../tsup.base.ts';

export default packageBuild(
  {
    index: 'src/index.ts',
    provider: 'src/provider-entry.ts',
    testing: 'src/testing/index.ts',
    'testing-simulator': 'src/testing/simulator/index.ts',
    'testing-node': 'src/testing-node/index.ts',
    smtp: 'src/smtp/index.ts',
  },
  { external: ['vitest', 'nodemailer'] },
);
