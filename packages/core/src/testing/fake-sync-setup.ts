import { createSyncEngine, type SyncEngine } from '../engine/engine';
import type { SyncEngineOptions } from '../engine/options';
import { createEventBus } from '../events/bus';
import type { BlueClerkEvent } from '../events/types';
import { createManualClock } from '../runtime/clock';
import type { ConnectionStatus } from '../storage/connections';
import { createMemoryBackend, type MemoryBackend } from '../storage/memory/backend';
import { createMemoryStorage } from '../storage/memory/memory-storage';
import type { BlueClerkStorage } from '../storage/storage';
import { createFakeHost, type FakeHost } from './fake-host';
import { createFakeProvider, type FakeProvider, type FakeProviderOptions } from './fake-provider';

export interface FakeSyncSetupOptions {
  provider?: FakeProviderOptions;
  engine?: Partial<Omit<SyncEngineOptions<unknown>, 'providers' | 'storage' | 'host' | 'contextFor'>>;
  /** Settings of the connection the setup creates. */
  settings?: Record<string, unknown>;
  connectionStatus?: ConnectionStatus;
  tenantId?: string;
}

export interface FakeSyncSetup {
  fake: FakeProvider;
  host: FakeHost;
  storage: BlueClerkStorage;
  backend: MemoryBackend;
  engine: SyncEngine;
  /** Every event emitted, in order. */
  events: BlueClerkEvent[];
  clock: ReturnType<typeof createManualClock>;
  connectionId: string;
  tenantId: string;
  /** A second engine on the same storage and provider: another worker process. */
  createWorker(): SyncEngine;
}

/**
 * A fake provider, an in-memory host, in-memory storage with an active connection, and an engine wired to them,
 * on a manual clock. The starting point of every engine test.
 */
export async function createFakeSyncSetup(options: FakeSyncSetupOptions = {}): Promise<FakeSyncSetup> {
  const clock = createManualClock();
  const fake = createFakeProvider({ clock, ...options.provider });
  const host = createFakeHost();
  const backend = createMemoryBackend();
  const storage = createMemoryStorage({ clock, backend });
  const tenantId = options.tenantId ?? 'tenant-1';
  const connection = await storage.connections.createConnection({
    provider: fake.provider.id,
    ownerId: 'owner-1',
    tenantId,
    status: options.connectionStatus ?? 'active',
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const events: BlueClerkEvent[] = [];
  const bus = createEventBus();
  bus.subscribe((event) => {
    events.push(event);
  });
  const make = () =>
    createSyncEngine<unknown>({
      providers: { [fake.provider.id]: fake.provider },
      storage: createMemoryStorage({ clock, backend }),
      host,
      clock,
      events: bus,
      contextFor: (c) => ({ connectionId: c.id, tenantId: c.tenantId ?? '', http: null }),
      ...options.engine,
    });
  return {
    fake,
    host,
    storage,
    backend,
    engine: make(),
    events,
    clock,
    connectionId: connection.id,
    tenantId,
    createWorker: make,
  };
}
