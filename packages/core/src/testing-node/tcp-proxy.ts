import { createServer, type Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a database, for outage tests: `cut()` drops every open connection and stops
 * listening, so new connections are refused (what a client sees while PostgreSQL or Redis is down or restarting);
 * `restore()` listens on the same port again and forwards as before.
 * Point the adapter at `url` (the target URL with the proxy's host and port) and the test decides when the backend
 * is down. Test-only; listens on 127.0.0.1.
 *
 * @example
 * const proxy = await startTcpProxy('postgresql://postgres@127.0.0.1:5432/test');
 * const storage = createPrismaStorage({ connectionString: proxy.url });
 * proxy.cut();    // every call now fails with StorageError('storage_unavailable')
 * proxy.restore();
 */
export interface TcpProxy {
  /** The target URL rewritten to the proxy's host and port (credentials and path kept). */
  readonly url: string;
  readonly port: number;
  /** True between `cut()` and `restore()`. */
  readonly isCut: boolean;
  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port);
  if (!Number.isInteger(targetPort) || targetPort <= 0) {
    throw new Error('startTcpProxy: the target URL must name its port');
  }
  const open = new Set<Socket>();
  let isCut = false;

  const server: Server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.connect(targetPort, target.hostname, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  const listen = (onPort: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  const dropAll = () => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  return {
    url: url.toString(),
    port,
    get isCut() {
      return isCut;
    },
    async cut() {
      if (isCut) return;
      isCut = true;
      const stopped = stopListening();
      dropAll();
      await stopped;
    },
    async restore() {
      if (!isCut) return;
      await listen(port);
      isCut = false;
    },
    async close() {
      isCut = true;
      const stopped = stopListening();
      dropAll();
      await stopped;
    },
  };
}
