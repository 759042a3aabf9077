import { afterAll, beforeAll } from 'vitest';
import { createMemoryBackend } from '../storage/memory/backend';
import { createMemoryStorage } from '../storage/memory/memory-storage';
import { runStorageConformance } from '../testing/storage-conformance';
import { connectStorageOverHttp, type StorageServer, serveStorageOverHttp } from './storage-over-http';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

// The storage the multi-process harness hands its workers: the in-memory reference storage, served over loopback
// HTTP. Its client is an adapter with a real backend, so it runs the conformance suite, outage clause included
// (the backend goes away when the proxy in front of the server is cut).
const backend = createMemoryBackend();
let server: StorageServer;
let proxy: TcpProxy;

beforeAll(async () => {
  server = await serveStorageOverHttp(createMemoryStorage({ backend }));
  proxy = await startTcpProxy(server.url);
});

afterAll(async () => {
  await proxy.close();
  await server.close();
});

runStorageConformance({
  name: 'memory over http',
  createStorage: async () => connectStorageOverHttp(proxy.url.replace(/\/$/, '')),
  reset: async () => backend.clear(),
  rawSnapshot: async () => backend.snapshot(),
  outage: {
    breakBackend: () => proxy.cut(),
    repairBackend: () => proxy.restore(),
  },
});
