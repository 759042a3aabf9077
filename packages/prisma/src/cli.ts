import { BlueClerkError } from '@blueclerk/core';
import { migrate } from './migrate';

const USAGE = `Usage: blueclerk-prisma migrate [--database-url <url>] [--schema <name>] [--pglite <dir>]

Applies the BlueClerk SQL migrations. Safe to run twice and from several processes at once.

  --database-url <url>  PostgreSQL URL (default: $DATABASE_URL). A ?schema= parameter is honoured.
  --schema <name>       PostgreSQL schema for the tables (default: $BLUECLERK_DB_SCHEMA, else search_path).
  --pglite <dir>        Migrate an embedded PGlite folder instead (default when no URL: $BLUECLERK_PGLITE_DIR
                        or .blueclerk/pglite).
`;

export interface CliIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
}

function readFlags(args: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    const [name, inline] = arg.split('=', 2) as [string, string | undefined];
    if (!['--database-url', '--schema', '--pglite'].includes(name)) throw new Error(`Unknown option ${name}`);
    const value = inline ?? args[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

/** The CLI without process globals, so tests can drive it. Returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command !== 'migrate') {
    io.err(`Unknown command ${command}\n\n${USAGE}`);
    return 1;
  }
  let flags: Map<string, string>;
  try {
    flags = readFlags(rest);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const url = flags.get('--database-url') ?? io.env.DATABASE_URL?.trim();
  const schema = flags.get('--schema') ?? (io.env.BLUECLERK_DB_SCHEMA?.trim() || undefined);
  try {
    let result: Awaited<ReturnType<typeof migrate>>;
    let where: string;
    if (url && !flags.has('--pglite')) {
      result = await migrate({ connectionString: url, schema });
      // Never print the URL itself: it may carry a password.
      where = `PostgreSQL${schema ? ` schema ${schema}` : ''}`;
    } else {
      const dataDir = flags.get('--pglite') ?? (io.env.BLUECLERK_PGLITE_DIR?.trim() || '.blueclerk/pglite');
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dataDir, { recursive: true });
      const { PGlite } = await import('@electric-sql/pglite');
      const pglite = await PGlite.create({ dataDir });
      try {
        result = await migrate({ pglite, schema });
      } finally {
        await pglite.close();
      }
      where = `PGlite at ${dataDir}`;
    }
    for (const id of result.applied) io.out(`applied ${id}`);
    io.out(`${where}: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
    return 0;
  } catch (error) {
    const message = BlueClerkError.isInstance(error) ? error.message : 'migration failed';
    io.err(`blueclerk-prisma: ${message}`);
    const cause = BlueClerkError.isInstance(error) ? error.cause : error;
    if (cause instanceof Error) io.err(`  cause: ${cause.message}`);
    return 1;
  }
}

export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
