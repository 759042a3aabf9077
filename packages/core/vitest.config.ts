import { packageProject } from '../../vitest.shared.ts';

export default packageProject('core', { exclude: ['**/*.edge.test.ts', '**/node_modules/**'] });
