/**
 * The demo: a whole QuickBooks story against the bundled simulator, on the embedded default store.
 *
 *     bash scripts/demo.sh                              # from the repo root, fresh clone included
 *     pnpm --filter @blueclerk/quickbooks run demo      # once dependencies are installed
 *
 * Storage: PGlite (PostgreSQL in WebAssembly) in `.blueclerk/demo-pglite` under this package, wiped at start so every
 * run tells the same story (`BLUECLERK_DEMO_PGLITE_DIR` moves it; the folder belongs to the demo). With
 * `DATABASE_URL` set, PostgreSQL is used instead (migrated first; each run uses its own owner and company ids).
 *
 * Exits 0 when every step behaved as described, 1 otherwise. Prints nothing secret.
 */
import { rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactText } from '@blueclerk/core';
import { createDefaultStorage } from '@blueclerk/prisma';
import { createReport, DemoCheckFailed } from './report';
import { runDemoStory } from './story';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function openStorage() {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (databaseUrl) {
    const storage = await createDefaultStorage({ env: process.env });
    const host = URL.canParse(databaseUrl) ? new URL(databaseUrl).host : 'DATABASE_URL';
    return { storage, description: `PostgreSQL at ${host} (DATABASE_URL), migrated` };
  }
  const dataDir = resolve(
    process.env.BLUECLERK_DEMO_PGLITE_DIR?.trim() || join(packageDir, '.blueclerk/demo-pglite'),
  );
  await rm(dataDir, { recursive: true, force: true });
  const opening = performance.now();
  const storage = await createDefaultStorage({ env: { BLUECLERK_PGLITE_DIR: dataDir } });
  const shown = relative(process.cwd(), dataDir) || '.';
  const seconds = ((performance.now() - opening) / 1000).toFixed(1);
  return {
    storage,
    description: `embedded PostgreSQL (PGlite) in ${shown}, fresh, migrated in ${seconds} s`,
  };
}

async function main(): Promise<number> {
  const started = performance.now();
  const report = createReport();
  process.stdout.write('BlueClerk demo: QuickBooks Online, end to end, against the bundled simulator\n');
  const { storage, description } = await openStorage();
  try {
    const outcome = await runDemoStory({ storage, storageDescription: description, report });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `\nDone in ${seconds} s: every step behaved as described (${outcome.requests} QuickBooks requests, ` +
        `${outcome.secretsChecked} secrets kept out of this output).\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof DemoCheckFailed) {
      process.stderr.write(`\nDEMO FAILED - ${error.message}\n`);
    } else {
      // Redacted: whatever went wrong, a token or secret in an error message must not reach the terminal.
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      process.stderr.write(`\nDEMO FAILED - unexpected error: ${redactText(text)}\n`);
    }
    return 1;
  } finally {
    await storage.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`\nDEMO FAILED - could not start: ${redactText(String(error))}\n`);
    process.exit(1);
  },
);
