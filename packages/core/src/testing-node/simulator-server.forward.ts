/**
 * Preload for child processes (`node --import <this file>`): forwards every non-loopback HTTP request of the process
 * to the simulator server named by `BLUECLERK_TEST_SIMULATOR_URL` (see `startSimulatorServer`). Never imported by
 * the package itself; `runRefreshWorkers({ imports: [SIMULATOR_FORWARDING_MODULE] })` passes it to each worker.
 */
import { installSimulatorForwarding, SIMULATOR_URL_ENV } from './simulator-server';

const url = process.env[SIMULATOR_URL_ENV];
if (!url) throw new Error(`simulator-server.forward: ${SIMULATOR_URL_ENV} is not set`);
installSimulatorForwarding(url);
