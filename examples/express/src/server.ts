import { existsSync } from 'node:fs';
import { ConfigurationError } from '@blueclerk/core';
import { loadConfig } from './config';
import { consoleLogger, startServer } from './start';

// `.env` in the working directory, if there is one (Node's own parser; variables already set win).
if (existsSync('.env')) process.loadEnvFile('.env');

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (ConfigurationError.isInstance(error)) {
    // The message names the variables and the rules they broke, never a value.
    console.error(`Configuration error: ${error.message}`);
    if (error.action) console.error(error.action);
    process.exit(1);
  }
  throw error;
}

const logger = consoleLogger(config.logLevel);
const running = await startServer(config, { logger });
const mode = config.simulator
  ? 'QuickBooks simulator (offline)'
  : `QuickBooks ${config.quickbooks.environment}`;
const reach = running.allInterfaces ? ' (every interface: reachable from the network)' : '';
console.log(`BlueClerk Express example listening on ${running.url}${reach} - ${mode}`);
// Browsers must use the public origin: the binding cookie and the same-origin check are tied to it.
console.log(`Connect QuickBooks: ${config.publicOrigin}/integrations/quickbooks/connect`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
