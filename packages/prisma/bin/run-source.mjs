// Runs the CLI from TypeScript source (development only; see blueclerk-prisma.mjs).
const { main } = await import('../src/cli.ts');
await main();
