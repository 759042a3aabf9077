#!/usr/bin/env node
// Entry point of the `blueclerk-prisma` command. A published install runs the built dist/cli.js; inside the
// BlueClerk monorepo (no build yet) it runs the TypeScript source through tsx with the `source` export condition,
// so `pnpm exec blueclerk-prisma migrate` works on a fresh checkout after `pnpm install`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  const { main } = await import(built.href);
  await main();
} else {
  let tsxLoader;
  try {
    tsxLoader = import.meta.resolve('tsx');
  } catch {
    console.error('blueclerk-prisma: dist/ is missing; run `pnpm --filter @blueclerk/prisma build` first');
    process.exit(1);
  }
  const source = fileURLToPath(new URL('./run-source.mjs', import.meta.url));
  const result = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', tsxLoader, source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(result.status ?? 1);
}
