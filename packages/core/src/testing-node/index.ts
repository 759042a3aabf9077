/**
 * @blueclerk/core/testing/node - Node-only test helpers: a real-HTTP OAuth token server and a multi-process
 * refresh harness that spawns worker processes. Import from test files only.
 */
export {
  type MockTokenServer,
  type MockTokenServerOptions,
  type MockTokenServerStats,
  mockTokenServerProvider,
  startMockTokenServer,
} from './mock-token-server';
export {
  type PrepareRefreshScenarioOptions,
  prepareRefreshScenario,
  type RefreshRunResult,
  type RefreshScenario,
  type RefreshTokenSource,
  type RunRefreshWorkersOptions,
  runRefreshWorkers,
  type WorkerOutcome,
  type WorkerResult,
} from './refresh-harness';
export {
  type ForwardingOptions,
  forwardToSimulatorServer,
  installSimulatorForwarding,
  SIMULATOR_FORWARDING_MODULE,
  SIMULATOR_URL_ENV,
  type SimulatorServer,
  type SimulatorServerOptions,
  type SimulatorServerStats,
  startSimulatorServer,
} from './simulator-server';
export {
  connectStorageOverHttp,
  STORAGE_OVER_HTTP_MODULE,
  STORAGE_URL_ENV,
  type StorageServer,
  serveStorageOverHttp,
} from './storage-over-http';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { runTokenStorageFaultTests, type TokenStorageFaultOptions } from './token-storage-faults';
export { WORKER_ENV } from './worker-env';
