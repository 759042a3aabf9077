import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedactingLogger, type Logger, type LogLevel } from '@blueclerk/core';
import { type App, type CreateAppOptions, createApp } from './app';
import type { AppConfig } from './config';

export interface RunningServer {
  app: App;
  server: Server;
  /**
   * Where the server really listens, read back from the socket: `http://127.0.0.1:3000` by default, the real port
   * when `PORT=0`, `http://0.0.0.0:3000` or `http://[::]:3000` when `HOST` asks for every interface.
   */
  url: string;
  /** True when bound to every interface (`0.0.0.0` or `::`), so the network can reach the app. */
  allInterfaces: boolean;
  close(): Promise<void>;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Logs to the console as one JSON line per entry, through core's redaction (tokens and secrets never print). */
export function consoleLogger(minimum: LogLevel = 'info'): Logger {
  return createRedactingLogger({
    log(level, message, fields) {
      if (RANK[level] < RANK[minimum]) return;
      const line = JSON.stringify({ level, message, ...fields });
      if (level === 'error' || level === 'warn') console.error(line);
      else console.log(line);
    },
  });
}

/** The URL of a listening socket's address (IPv6 in brackets). */
export function listeningUrl(address: Pick<AddressInfo, 'address' | 'port'>): string {
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Creates the app and listens on `config.host`:`config.port`. */
export async function startServer(config: AppConfig, options: CreateAppOptions = {}): Promise<RunningServer> {
  const app = await createApp(config, options);
  const server = createServer(app.express);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  return {
    app,
    server,
    url: listeningUrl(address),
    allInterfaces: address.address === '0.0.0.0' || address.address === '::',
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await app.close();
    },
  };
}
