#!/usr/bin/env node
// Generates this package's Prisma client into src/generated/prisma (git-ignored).
//
// Why the environment variables: `prisma generate` checks for the Rust schema engine and downloads it when missing,
// which fails offline (CI sandboxes, air-gapped machines). The `prisma-client` generator with driver adapters needs no
// engine at all (the query compiler is WebAssembly inside @prisma/client), so we point the engine variables at an
// empty placeholder file: the CLI is satisfied and never runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(packageRoot, 'package.json'));
const prismaCli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js');

const placeholderDir = mkdtempSync(join(tmpdir(), 'blueclerk-prisma-'));
const placeholder = join(placeholderDir, 'engine-placeholder');
writeFileSync(placeholder, '');

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
for (const name of [
  'PRISMA_SCHEMA_ENGINE_BINARY',
  'PRISMA_QUERY_ENGINE_LIBRARY',
  'PRISMA_QUERY_ENGINE_BINARY',
]) {
  // Respect a real engine the user configured; only fill in the ones that are unset.
  if (!env[name] || !existsSync(env[name])) env[name] = placeholder;
}

const result = spawnSync(
  process.execPath,
  [prismaCli, 'generate', '--schema', join(packageRoot, 'prisma', 'schema.prisma')],
  { cwd: packageRoot, env, stdio: 'inherit' },
);
rmSync(placeholderDir, { recursive: true, force: true });
if (result.status !== 0) {
  console.error('blueclerk-prisma: prisma generate failed');
  process.exit(result.status ?? 1);
}
