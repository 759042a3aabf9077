import { packageProject } from '../../vitest.shared.ts';

// Core's main entry under Vercel's edge-runtime VM: web-standard globals only.
export default packageProject('core-edge', {
  environment: 'edge-runtime',
  include: ['test/edge/**/*.edge.test.ts'],
});
