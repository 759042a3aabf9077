// Reports what a vault-only import of @blueclerk/core costs an app bundle: esbuild bundles
// `import { createTokenVault, keyRingFromEnv } from '@blueclerk/core'` (tree-shaken, minified) from the published
// build (dist/index.js - what an app's bundler sees; run `pnpm --filter @blueclerk/core build` first) and from
// source, and prints the size and the largest contributing packages.
// Run: node packages/core/scripts/bundle-size.mjs

import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const entries = {
  dist: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
  source: fileURLToPath(new URL('../src/index.ts', import.meta.url)),
};
const cases = {
  'vault only': "export { createTokenVault, keyRingFromEnv } from 'core-entry';",
  createBlueClerk: "export { createBlueClerk } from 'core-entry';",
};
for (const [from, entry] of Object.entries(entries))
  for (const [name, contents] of Object.entries(cases)) {
    const result = await build({
      stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true,
      minify: true,
      treeShaking: true,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['source', 'import'],
      write: false,
      metafile: true,
      alias: { 'core-entry': entry },
      logLevel: 'silent',
    });
    const bytes = result.outputFiles[0].contents;
    const byPackage = new Map();
    for (const [path, input] of Object.entries(
      result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs,
    )) {
      const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = match ? match[1] : 'core source';
      byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytesInOutput);
    }
    const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 5);
    console.log(
      `${from} ${name}: ${(bytes.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzip; ` +
        top.map(([pkg, size]) => `${pkg} ${(size / 1024).toFixed(1)} KiB`).join(', '),
    );
  }
