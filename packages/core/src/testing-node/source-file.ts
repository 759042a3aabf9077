import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of a TypeScript file of this folder that worker processes run or import. From source it sits next
 * to this module; from the built package (dist/testing-node.js) it is found in the published `src/testing-node/`.
 */
export function testingNodeSourceFile(name: string): string {
  const candidates = [
    new URL(`./${name}`, import.meta.url),
    new URL(`../src/testing-node/${name}`, import.meta.url),
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `@blueclerk/core/testing/node: cannot find ${name} next to ${fileURLToPath(import.meta.url)}`,
  );
}
